import { sql } from 'drizzle-orm'
import t from 'tap'
import { sessions } from '../../src/db/schema.js'
import { build, eachDatabase } from '../helpers/app.js'
import { browser, signedInBrowser } from '../helpers/dashboard.js'
import { organiser } from '../helpers/fixtures.js'

const sessionCookie = (setCookie: string | string[] | undefined): string | undefined =>
  [setCookie ?? []].flat().find((c) => c.startsWith('solidaria_session='))

eachDatabase(t, 'the dashboard sends a visitor to sign in, and back where they were going', async (t, { app }) => {
  const who = await organiser(app)
  const b = browser(app)
  const first = await b.get('/admin/appeals/some-appeal/signatures')
  t.equal(first.statusCode, 303)
  t.equal(first.headers.location, '/admin/sign-in?next=%2Fadmin%2Fappeals%2Fsome-appeal%2Fsignatures')
  const page = await b.get(first.headers.location as string)
  t.equal(page.statusCode, 200)
  t.match(page.body, /<form method="post" action="\/admin\/sign-in"/)
  t.match(page.body, /<input type="hidden" name="next" value="\/admin\/appeals\/some-appeal\/signatures">/)
  t.equal(page.headers['cache-control'], 'private, no-store')

  const wrong = await b.post('/admin/sign-in', { email: who.email, password: 'not the password', next: '/admin/appeals/x' })
  t.equal(wrong.statusCode, 401)
  t.match(wrong.body, /The email address or the password is wrong\./, 'a clear message')
  t.match(wrong.body, new RegExp(`value="${who.email}"`), 'the address stays filled in')
  t.notOk(sessionCookie(wrong.headers['set-cookie']), 'no session')

  const signedIn = await b.post('/admin/sign-in', { email: who.email, password: 'correct horse battery', next: '/admin/tokens' })
  t.equal(signedIn.statusCode, 303)
  t.equal(signedIn.headers.location, '/admin/tokens', 'back to where they were going')
  const cookie = sessionCookie(signedIn.headers['set-cookie'])
  t.match(cookie, /HttpOnly/i, 'the session cookie is httpOnly')
  t.match(cookie, /SameSite=Lax/i, 'and SameSite')
  t.notMatch(cookie, /Secure/i, 'not Secure over plain HTTP (a local instance)')
  t.equal((await b.get('/admin')).statusCode, 200)

  const elsewhere = await b.post('/admin/sign-in', { email: who.email, password: 'correct horse battery', next: 'https://evil.example/admin' })
  t.equal(elsewhere.headers.location, '/admin', 'never to another site')
})

t.test('behind HTTPS the session cookie is Secure', async (t) => {
  const app = await build(t, { TRUST_PROXY: 'true' })
  const who = await organiser(app)
  const https = { 'x-forwarded-proto': 'https' }
  const form = await app.inject({ url: '/admin/sign-in', headers: https })
  const formCookie = String([form.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('solidaria_csrf=')))
  t.match(formCookie, /HttpOnly/i, 'the form token\'s secret is in an httpOnly cookie')
  t.match(formCookie, /SameSite=Lax/i, 'SameSite')
  t.match(formCookie, /Secure/i, 'and Secure over HTTPS')
  const b = browser(app)
  await b.get('/admin/sign-in', https)
  const response = await b.post('/admin/sign-in', { email: who.email, password: 'correct horse battery' }, https)
  t.equal(response.statusCode, 303)
  t.match(sessionCookie(response.headers['set-cookie']), /;\s*Secure/i)
})

eachDatabase(t, 'a session expires, and signing out ends it', async (t, { app }) => {
  const who = await organiser(app)
  const b = await signedInBrowser(app, who)
  t.equal((await b.get('/admin')).statusCode, 200)
  await app.db.update(sessions).set({ expiresAt: sql`now() - interval '1 minute'` })
  const expired = await b.get('/admin')
  t.equal(expired.statusCode, 303)
  t.equal(expired.headers.location, '/admin/sign-in?next=%2Fadmin&notice=sessionEnded')
  t.match((await b.get(expired.headers.location as string)).body, /Your session has ended/)

  const again = await signedInBrowser(app, who)
  const out = await again.post('/admin/sign-out')
  t.equal(out.statusCode, 303)
  t.match(sessionCookie(out.headers['set-cookie']), /Expires=Thu, 01 Jan 1970/, 'the cookie is cleared')
  t.equal((await app.db.select().from(sessions)).length, 0, 'and the session is gone from the database')
})

eachDatabase(t, 'sign-in attempts are limited per address, shared with the API', async (t, { app }) => {
  const who = await organiser(app)
  const b = browser(app)
  for (let i = 0; i < 2; i++) t.equal((await b.post('/admin/sign-in', { email: who.email, password: 'guess ' + i })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/api/admin/session', payload: { email: who.email, password: 'guess' } })).statusCode, 401)
  const limited = await b.post('/admin/sign-in', { email: who.email, password: 'correct horse battery' })
  t.equal(limited.statusCode, 429, 'the fourth attempt, through either door, is refused')
  t.match(limited.body, /Too many attempts/)
}, { RATE_LIMIT_SIGNIN_MAX: '3' })

t.test('the first run creates the admin from the link the server printed', async (t) => {
  const app = await build(t)
  const token = app.setup.token
  t.ok(token, 'a fresh server has a set-up token')
  const b = browser(app)
  const page = await b.get(`/admin/setup?token=${token}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, new RegExp(`name="token" value="${token}"`))
  const short = await b.post('/admin/setup', { token: token!, name: 'First Admin', email: 'first@example.org', password: 'short' })
  t.equal(short.statusCode, 400)
  t.match(short.body, /Use at least 10 characters for the password/)
  const forged = await b.post('/admin/setup', { token: 'not-the-token', name: 'Intruder', email: 'x@example.org', password: 'long enough password' })
  t.equal(forged.statusCode, 403)
  t.match(forged.body, /not valid/)
  const created = await b.post('/admin/setup', { token: token!, name: 'First Admin', email: 'first@example.org', password: 'long enough password' })
  t.equal(created.statusCode, 303)
  t.equal(created.headers.location, '/admin?notice=welcome')
  t.match((await b.get('/admin?notice=welcome')).body, /Welcome!/, 'signed in at once')
  const [account] = await app.services.organisers.list()
  t.match(account, { email: 'first@example.org', role: 'admin' })
  t.equal((await browser(app).get(`/admin/setup?token=${token}`)).headers.location, '/admin/sign-in?notice=setupDone', 'the link works once')
})
