import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { apiTokens } from '../../src/db/schema.js'
import { eachDatabase, json } from '../helpers/app.js'
import { organiser, type Organiser } from '../helpers/fixtures.js'

const unauthenticated = { error: { code: 'UNAUTHENTICATED', message: 'Please sign in first.', fields: {} } }

const me = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'GET', url: '/api/admin/me', headers: { authorization: `Bearer ${token}` } })

async function newToken (app: FastifyInstance, who: Organiser, name = 'newsletter sync'): Promise<{ id: string, name: string, createdAt: string, token: string }> {
  const response = await app.inject({ method: 'POST', url: '/api/admin/tokens', headers: who.auth, payload: { name } })
  if (response.statusCode !== 201) throw new Error(`token creation failed: ${response.statusCode} ${response.body}`)
  return json(response)
}

eachDatabase(t, 'a new API token is shown once and then works as a bearer token', async (t, { app }) => {
  const who = await organiser(app)
  const response = await app.inject({ method: 'POST', url: '/api/admin/tokens', headers: who.auth, payload: { name: '  newsletter sync ' } })
  t.equal(response.statusCode, 201)
  const created = json(response)
  t.match(created, { id: /^[0-9a-f-]{36}$/, name: 'newsletter sync', token: /^sol_[A-Za-z0-9_-]{40,}$/ })
  t.ok(!Number.isNaN(Date.parse(created.createdAt)))

  const whoAmI = await me(app, created.token)
  t.equal(whoAmI.statusCode, 200)
  t.same(json(whoAmI), { id: who.id, email: who.email, name: 'Test organiser', role: 'organiser', twoFactor: false, via: 'token', tokenRole: null })
  t.equal((await app.inject({ method: 'GET', url: '/api/admin/me', headers: { authorization: `bearer ${created.token}` } })).statusCode, 200, 'the scheme is case-insensitive')

  const list = await app.inject({ method: 'GET', url: '/api/admin/tokens', headers: who.auth })
  t.equal(list.statusCode, 200)
  const { items } = json(list)
  t.same(items.map((i: { name: string }) => i.name), ['tests', 'newsletter sync'], 'the fixture\'s token and the new one')
  const listed = items.find((i: { id: string }) => i.id === created.id)
  t.same(Object.keys(listed).sort(), ['createdAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'role'])
  t.ok(listed.lastUsedAt !== null, 'the last use is recorded')
  t.equal(listed.revokedAt, null)
  t.notMatch(list.body, created.token, 'the token value is never shown again')
  t.notMatch(list.body, who.token)

  const rows = await app.db.select().from(apiTokens).where(eq(apiTokens.id, created.id))
  t.equal(rows.length, 1)
  t.not(rows[0]?.tokenHash, created.token, 'only a hash is stored')
  t.notMatch(JSON.stringify(rows), created.token.slice(4), 'nothing of the token value is stored')
})

eachDatabase(t, 'a revoked token stops working at once', async (t, { app }) => {
  const who = await organiser(app)
  const created = await newToken(app, who)
  t.equal((await me(app, created.token)).statusCode, 200)

  const revoked = await app.inject({ method: 'DELETE', url: `/api/admin/tokens/${created.id}`, headers: who.auth })
  t.equal(revoked.statusCode, 204)
  const after = await me(app, created.token)
  t.equal(after.statusCode, 401)
  t.same(json(after), unauthenticated)
  t.equal((await me(app, who.token)).statusCode, 200, 'the organiser\'s other tokens still work')

  const listed = json(await app.inject({ method: 'GET', url: '/api/admin/tokens', headers: who.auth })).items.find((i: { id: string }) => i.id === created.id)
  t.ok(listed.revokedAt !== null, 'the list shows when it was revoked')
  const again = await app.inject({ method: 'DELETE', url: `/api/admin/tokens/${created.id}`, headers: who.auth })
  t.equal(again.statusCode, 404, 'a revoked token cannot be revoked again')
  t.equal(json(again).error.code, 'TOKEN_NOT_FOUND')
})

eachDatabase(t, 'an organiser cannot see or revoke another organiser\'s tokens', async (t, { app }) => {
  const a = await organiser(app)
  const b = await organiser(app)
  const created = await newToken(app, a)

  const attempt = await app.inject({ method: 'DELETE', url: `/api/admin/tokens/${created.id}`, headers: b.auth })
  t.equal(attempt.statusCode, 404)
  t.same(json(attempt), { error: { code: 'TOKEN_NOT_FOUND', message: 'That API token does not exist.', fields: {} } })
  const missing = await app.inject({ method: 'DELETE', url: `/api/admin/tokens/${randomUUID()}`, headers: b.auth })
  t.equal(missing.body, attempt.body, 'answers exactly like a token that does not exist')
  t.equal((await me(app, created.token)).statusCode, 200, 'A\'s token still works')
  const [row] = await app.db.select().from(apiTokens).where(eq(apiTokens.id, created.id))
  t.equal(row?.revokedAt, null)

  const listOfB = json(await app.inject({ method: 'GET', url: '/api/admin/tokens', headers: b.auth })).items
  t.equal(listOfB.length, 1, 'B sees only their own token')
  t.not(listOfB[0]?.id, created.id)
})

eachDatabase(t, 'a token id must be a uuid', async (t, { app }) => {
  const who = await organiser(app)
  const response = await app.inject({ method: 'DELETE', url: '/api/admin/tokens/not-a-uuid', headers: who.auth })
  t.equal(response.statusCode, 400)
  t.equal(json(response).error.code, 'VALIDATION_FAILED')
  t.ok(json(response).error.fields.id, 'the id is named')
  t.equal((await me(app, who.token)).statusCode, 200)
})

eachDatabase(t, 'made-up or malformed credentials are refused', async (t, { app }) => {
  const who = await organiser(app)
  const headers = [
    { authorization: 'Bearer garbage' },
    { authorization: 'Bearer sol_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    { authorization: `Bearer ${who.token}x` },
    { authorization: 'Bearer' },
    { authorization: `Basic ${Buffer.from(`${who.email}:correct horse battery`).toString('base64')}` },
    { authorization: who.token },
    { cookie: `solidaria_session=${who.token}` }
  ]
  for (const header of headers) {
    const response = await app.inject({ method: 'GET', url: '/api/admin/me', headers: header })
    t.equal(response.statusCode, 401, JSON.stringify(header))
    t.same(json(response), unauthenticated)
  }
  const creation = await app.inject({ method: 'POST', url: '/api/admin/tokens', headers: { authorization: 'Bearer garbage' }, payload: { name: 'sneaky' } })
  t.equal(creation.statusCode, 401)
  t.equal((await app.db.select().from(apiTokens)).length, 1, 'no token was created')
  const noName = await app.inject({ method: 'POST', url: '/api/admin/tokens', headers: who.auth, payload: {} })
  t.equal(noName.statusCode, 400)
  t.equal(json(noName).error.fields.name, 'This field is required.')
})

eachDatabase(t, 'a token\'s last use is recorded at most once a minute, not on every request', async (t, { app }) => {
  const owner = await organiser(app)
  const lastUsed = async (): Promise<Date | null> => (await app.db.select().from(apiTokens).where(eq(apiTokens.organiserId, owner.id)))[0]?.lastUsedAt ?? null
  t.equal((await app.inject({ url: '/api/admin/me', headers: owner.auth })).statusCode, 200)
  const first = await lastUsed()
  t.ok(first instanceof Date, 'the first use is recorded')
  t.equal((await app.inject({ url: '/api/admin/me', headers: owner.auth })).statusCode, 200)
  t.equal((await lastUsed())?.getTime(), first?.getTime(), 'a use within the minute writes nothing')
  const earlier = new Date(Date.now() - 120_000)
  await app.db.update(apiTokens).set({ lastUsedAt: earlier }).where(eq(apiTokens.organiserId, owner.id))
  t.equal((await app.inject({ url: '/api/admin/me', headers: owner.auth })).statusCode, 200)
  t.ok(((await lastUsed())?.getTime() ?? 0) > earlier.getTime(), 'a use after a minute is recorded again')
})
