import { eq } from 'drizzle-orm'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { organisers, sessions } from '../../src/db/schema.js'
import { eachDatabase, json } from '../helpers/app.js'
import { organiser } from '../helpers/fixtures.js'

const PASSWORD = 'correct horse battery'
const invalidCredentials = { error: { code: 'INVALID_CREDENTIALS', message: 'The email address or the password is wrong.', fields: {} } }
const unauthenticated = { error: { code: 'UNAUTHENTICATED', message: 'Please sign in first.', fields: {} } }
const forbidden = { error: { code: 'FORBIDDEN', message: 'You are not allowed to do this.', fields: {} } }

const signIn = (app: FastifyInstance, email: string, password: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/admin/session', payload: { email, password }, headers })

/** The one Set-Cookie header of a response. */
function setCookie (response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie']
  const all = Array.isArray(header) ? header : header === undefined ? [] : [header]
  const session = all.filter((c) => c.startsWith('solidaria_session='))
  if (session.length !== 1) throw new Error(`expected one session cookie, got ${JSON.stringify(all)}`)
  return session[0]!
}

const sessionValue = (cookie: string): string => cookie.slice('solidaria_session='.length).split(';')[0]!
const attributes = (cookie: string): string[] => cookie.split(';').slice(1).map((a) => a.trim().toLowerCase())
const me = (app: FastifyInstance, cookie: string) =>
  app.inject({ method: 'GET', url: '/api/admin/me', headers: { cookie: `solidaria_session=${cookie}` } })

eachDatabase(t, 'signing in sets an HttpOnly, SameSite=Lax session cookie that identifies the organiser', async (t, { app }) => {
  const who = await organiser(app)
  const response = await signIn(app, who.email.toUpperCase(), PASSWORD)
  t.equal(response.statusCode, 200)
  t.match(json(response), { organiser: { id: who.id, email: who.email, name: 'Test organiser', role: 'organiser' } })
  t.ok(new Date(json(response).expiresAt).getTime() > Date.now(), 'the session expires in the future')
  const cookie = setCookie(response)
  const flags = attributes(cookie)
  t.ok(flags.includes('httponly'), 'HttpOnly')
  t.ok(flags.includes('samesite=lax'), 'SameSite=Lax')
  t.ok(flags.includes('path=/'), 'for the whole site')
  t.ok(flags.some((f) => f.startsWith('expires=')), 'expires with the session')
  t.notOk(flags.includes('secure'), 'not Secure over plain HTTP, or the browser would drop it')

  const token = sessionValue(cookie)
  t.ok(token.length >= 40, 'a long random token')
  const whoAmI = await me(app, token)
  t.equal(whoAmI.statusCode, 200)
  t.same(json(whoAmI), { id: who.id, email: who.email, name: 'Test organiser', role: 'organiser', twoFactor: false, via: 'session', tokenRole: null })

  const rows = await app.db.select().from(sessions).where(eq(sessions.organiserId, who.id))
  t.equal(rows.length, 1)
  t.not(rows[0]?.tokenHash, token, 'only a hash of the session token is stored')
  t.notMatch(JSON.stringify(rows), token)
})

eachDatabase(t, 'behind a trusted HTTPS proxy the session cookie is Secure', async (t, { app }) => {
  const who = await organiser(app)
  const response = await signIn(app, who.email, PASSWORD, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' })
  t.equal(response.statusCode, 200)
  const cookie = setCookie(response)
  const flags = attributes(cookie)
  t.ok(flags.includes('secure'), 'Secure')
  t.ok(flags.includes('httponly'), 'HttpOnly')
  t.ok(flags.includes('samesite=lax'), 'SameSite=Lax')
  const whoAmI = await app.inject({ method: 'GET', url: '/api/admin/me', headers: { cookie: `solidaria_session=${sessionValue(cookie)}`, 'x-forwarded-proto': 'https' } })
  t.equal(whoAmI.statusCode, 200)
  t.equal(json(whoAmI).email, who.email)
}, { TRUST_PROXY: 'true' })

eachDatabase(t, 'a wrong password and an unknown email get the same answer', async (t, { app }) => {
  const who = await organiser(app)
  const wrongPassword = await signIn(app, who.email, 'incorrect horse battery')
  t.equal(wrongPassword.statusCode, 401)
  t.same(json(wrongPassword), invalidCredentials)
  const unknown = await signIn(app, 'nobody@example.org', PASSWORD)
  t.equal(unknown.statusCode, 401)
  t.same(json(unknown), invalidCredentials)
  t.equal(unknown.body, wrongPassword.body, 'whether the account exists is not revealed')
  t.notOk(wrongPassword.headers['set-cookie'], 'no cookie')
  t.notOk(unknown.headers['set-cookie'])
  t.equal((await app.db.select().from(sessions)).length, 0, 'no session was opened')
  const inSpanish = await signIn(app, who.email, 'incorrect horse battery', { 'accept-language': 'es' })
  t.equal(json(inSpanish).error.message, 'El correo electrónico o la contraseña no son correctos.')
})

eachDatabase(t, 'signing out ends the session', async (t, { app }) => {
  const who = await organiser(app)
  const token = sessionValue(setCookie(await signIn(app, who.email, PASSWORD)))
  const other = sessionValue(setCookie(await signIn(app, who.email, PASSWORD)))
  t.equal((await me(app, token)).statusCode, 200)

  const out = await app.inject({ method: 'DELETE', url: '/api/admin/session', headers: { cookie: `solidaria_session=${token}` } })
  t.equal(out.statusCode, 204)
  const cleared = setCookie(out)
  t.equal(sessionValue(cleared), '', 'the browser is told to forget the cookie')
  t.ok(attributes(cleared).some((f) => f === 'max-age=0' || f.startsWith('expires=thu, 01 jan 1970')))

  const after = await me(app, token)
  t.equal(after.statusCode, 401)
  t.same(json(after), unauthenticated)
  t.equal((await me(app, other)).statusCode, 200, 'another session of the same organiser is not affected')
  t.equal((await app.db.select().from(sessions)).length, 1)
  t.equal((await app.inject({ method: 'DELETE', url: '/api/admin/session' })).statusCode, 204, 'signing out twice is harmless')
})

eachDatabase(t, 'an expired session does not work', async (t, { app }) => {
  const who = await organiser(app)
  const token = sessionValue(setCookie(await signIn(app, who.email, PASSWORD)))
  t.equal((await me(app, token)).statusCode, 200)
  await app.db.update(sessions).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(sessions.organiserId, who.id))
  const response = await me(app, token)
  t.equal(response.statusCode, 401)
  t.same(json(response), unauthenticated)
})

eachDatabase(t, 'passwords are stored only as scrypt hashes', async (t, { app }) => {
  const root = await organiser(app, 'admin')
  const password = 'solidarity forever 1917'
  const created = await app.inject({ method: 'POST', url: '/api/admin/organisers', headers: root.auth, payload: { email: 'rosa@example.org', name: 'Rosa', password } })
  t.equal(created.statusCode, 201)
  t.notMatch(created.body, /password|scrypt/i, 'the response carries no password or hash')
  const [row] = await app.db.select().from(organisers).where(eq(organisers.email, 'rosa@example.org'))
  t.ok(row?.passwordHash.startsWith('scrypt$'), 'an scrypt hash')
  t.notOk(row?.passwordHash.includes(password), 'not the password')
  t.equal((await signIn(app, 'rosa@example.org', password)).statusCode, 200, 'and the password works')
})

eachDatabase(t, 'sign-in attempts are rate limited', async (t, { app }) => {
  const who = await organiser(app)
  for (let i = 1; i <= 3; i++) t.equal((await signIn(app, who.email, 'guess number ' + i)).statusCode, 401, `attempt ${i} is checked`)
  const fourth = await signIn(app, who.email, PASSWORD)
  t.equal(fourth.statusCode, 429, 'even the right password waits')
  t.equal(json(fourth).error.code, 'RATE_LIMITED')
  t.match(json(fourth).error.message, /^Too many attempts\. Please try again in \d+ seconds\.$/)
  t.match(String(fourth.headers['retry-after']), /^\d+$/, 'a Retry-After header')
  t.notOk(fourth.headers['set-cookie'])
  t.equal((await app.db.select().from(sessions)).length, 0, 'no session was opened')
  const inSpanish = await signIn(app, who.email, PASSWORD, { 'accept-language': 'es' })
  t.equal(inSpanish.statusCode, 429)
  t.match(json(inSpanish).error.message, /^Demasiados intentos\. Vuelve a intentarlo en \d+ segundos\.$/)
}, { RATE_LIMIT_SIGNIN_MAX: '3' })

eachDatabase(t, 'only an admin lists and creates organiser accounts', async (t, { app }) => {
  const root = await organiser(app, 'admin')
  const who = await organiser(app)

  const list = await app.inject({ method: 'GET', url: '/api/admin/organisers', headers: who.auth })
  t.equal(list.statusCode, 403)
  t.same(json(list), forbidden)
  const sneaky = await app.inject({ method: 'POST', url: '/api/admin/organisers', headers: who.auth, payload: { email: 'sneaky@example.org', name: 'Sneaky', password: 'long enough password', role: 'admin' } })
  t.equal(sneaky.statusCode, 403)
  t.same(json(sneaky), forbidden)
  t.equal((await app.db.select().from(organisers).where(eq(organisers.email, 'sneaky@example.org'))).length, 0)
  t.equal((await app.inject({ method: 'GET', url: '/api/admin/organisers' })).statusCode, 401, 'and nobody without signing in')

  const created = await app.inject({ method: 'POST', url: '/api/admin/organisers', headers: root.auth, payload: { email: 'Clara@Example.org', name: 'Clara', password: 'long enough password' } })
  t.equal(created.statusCode, 201)
  t.match(json(created), { email: 'clara@example.org', name: 'Clara', role: 'organiser' })
  t.match(json(created).id, /^[0-9a-f-]{36}$/)
  const listed = await app.inject({ method: 'GET', url: '/api/admin/organisers', headers: root.auth })
  t.equal(listed.statusCode, 200)
  t.same(json(listed).items.map((o: { email: string }) => o.email).sort(), [root.email, who.email, 'clara@example.org'].sort())

  const duplicate = await app.inject({ method: 'POST', url: '/api/admin/organisers', headers: root.auth, payload: { email: 'CLARA@example.ORG', name: 'Clara again', password: 'another long password' } })
  t.equal(duplicate.statusCode, 409)
  t.same(json(duplicate), { error: { code: 'ORGANISER_EXISTS', message: 'An organiser with this email address already exists.', fields: {} } })
  const claras = await app.db.select().from(organisers).where(eq(organisers.email, 'clara@example.org'))
  t.same(claras.map((c) => c.name), ['Clara'], 'the first account is untouched')

  const short = await app.inject({ method: 'POST', url: '/api/admin/organisers', headers: root.auth, payload: { email: 'short@example.org', name: 'Short', password: 'tooshort' } })
  t.equal(short.statusCode, 400)
  t.equal(json(short).error.code, 'VALIDATION_FAILED')
  t.same(json(short).error.fields, { password: 'Use at least 10 characters for the password.' })
  t.equal((await app.db.select().from(organisers).where(eq(organisers.email, 'short@example.org'))).length, 0)
})
