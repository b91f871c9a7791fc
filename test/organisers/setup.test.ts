import t from 'tap'
import { organisers } from '../../src/db/schema.js'
import { eachDatabase, json } from '../helpers/app.js'
import { organiser } from '../helpers/fixtures.js'

const account = { email: 'First@Example.org', name: 'First Admin', password: 'a long enough password' }

eachDatabase(t, 'a fresh server creates its first admin once, with the token it printed', async (t, { app }) => {
  const token = app.setup.token
  t.type(token, 'string', 'a server with no organiser has a set-up token')
  const wrong = await app.inject({ method: 'POST', url: '/api/admin/setup', payload: { ...account, token: 'guessed' } })
  t.equal(wrong.statusCode, 403)
  t.equal(json(wrong).error.code, 'SETUP_TOKEN_INVALID')
  t.equal((await app.db.select().from(organisers)).length, 0, 'a wrong token creates nothing')

  const created = await app.inject({ method: 'POST', url: '/api/admin/setup', payload: { ...account, token } })
  t.equal(created.statusCode, 201)
  t.match(json(created), { email: 'first@example.org', role: 'admin' })
  const signIn = await app.inject({ method: 'POST', url: '/api/admin/session', payload: { email: account.email, password: account.password } })
  t.equal(signIn.statusCode, 200, 'the new admin can sign in')

  const again = await app.inject({ method: 'POST', url: '/api/admin/setup', payload: { ...account, email: 'second@example.org', token } })
  t.equal(again.statusCode, 409)
  t.equal(json(again).error.code, 'SETUP_DONE')
  t.equal(app.setup.token, null, 'the token is spent')
  t.equal((await app.db.select().from(organisers)).length, 1)
})

eachDatabase(t, 'set-up validates the account like any other', async (t, { app }) => {
  const response = await app.inject({ method: 'POST', url: '/api/admin/setup', payload: { ...account, password: 'short', token: app.setup.token } })
  t.equal(response.statusCode, 400)
  t.ok(json(response).error.fields.password)
  t.equal((await app.db.select().from(organisers)).length, 0)
})

eachDatabase(t, 'once an organiser exists, set-up is closed', async (t, { app }) => {
  await organiser(app, 'admin')
  const response = await app.inject({ method: 'POST', url: '/api/admin/setup', payload: { ...account, token: app.setup.token ?? 'x' } })
  t.equal(response.statusCode, 409)
  t.equal(json(response).error.code, 'SETUP_DONE')
})

eachDatabase(t, 'two set-up posts at once with the valid token create one admin', async (t, { app }) => {
  const token = app.setup.token
  const responses = await Promise.all(['one@example.org', 'two@example.org'].map((email) =>
    app.inject({ method: 'POST', url: '/api/admin/setup', payload: { ...account, email, token } })))
  t.same(responses.map((r) => r.statusCode).sort(), [201, 409], 'one is created, the other told set-up is done')
  t.equal((await app.db.select().from(organisers)).length, 1, 'one admin')
})
