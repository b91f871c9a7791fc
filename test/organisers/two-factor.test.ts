import { Secret, TOTP } from 'otpauth'
import t from 'tap'
import { build, json, type TestContext } from '../helpers/app.js'
import { browser, decodeHtml, signedInBrowser, type Browser } from '../helpers/dashboard.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'

const app = await build(t, { RATE_LIMIT_SIGNIN_MAX: '1000' })

/** The code an authenticator app shows for this secret, `steps` periods from now (the test's own TOTP). */
const codeFor = (secret: string, steps = 0): string =>
  TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: Date.now() + steps * 30_000 })

/** Enrols a signed-in browser from the dashboard; answers the secret (read off the page, as a person would type it) and the recovery codes. */
async function enrol (t: TestContext, b: Browser): Promise<{ secret: string, codes: string[] }> {
  const started = await b.post('/admin/account/two-factor')
  t.equal(started.statusCode, 200)
  t.match(started.body, /<svg[^>]*viewBox/, 'a QR code, drawn as SVG in the page')
  t.notMatch(started.body, /https?:\/\/(?!www\.w3\.org)[^"' ]*qr/i, 'from no third party')
  const secret = (/class="totp-secret">([A-Z2-7 ]+)</.exec(started.body)?.[1] ?? '').replace(/ /g, '')
  t.equal(secret.length, 32, 'the key, for typing in')
  const wrong = await b.post('/admin/account/two-factor/confirm', { code: codeFor(secret) === '000000' ? '111111' : '000000' })
  t.equal(wrong.statusCode, 401, 'a wrong first code is refused')
  t.match(wrong.body, /totp-secret/, 'and the same secret is shown again')
  const done = await b.post('/admin/account/two-factor/confirm', { code: codeFor(secret) })
  t.equal(done.statusCode, 200)
  const codes = [...decodeHtml(done.body).matchAll(/<code>([A-Z0-9]{5}-[A-Z0-9]{5})<\/code>/g)].map((m) => m[1]!)
  t.equal(codes.length, 10, 'ten recovery codes, shown once')
  return { secret, codes }
}

/** The cookie of a session the password opened, waiting for the second factor. */
async function halfOpenSession (email: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/admin/session', payload: { email, password: 'correct horse battery' } })
  return (response.headers['set-cookie'] as string).split(';')[0]!
}

t.test('TOTP enrolment, then signing in needs a code the test computes from the secret; a code works once', async (t) => {
  const who = await organiser(app)
  const b = await signedInBrowser(app, who)
  const { secret } = await enrol(t, b)
  t.equal(json(await app.inject({ url: '/api/admin/me', headers: who.auth })).twoFactor, true)

  const api = await app.inject({ method: 'POST', url: '/api/admin/session', payload: { email: who.email, password: 'correct horse battery' } })
  t.equal(api.statusCode, 202, 'the password alone is not enough')
  t.equal(json(api).twoFactorRequired, true)
  const cookie = (api.headers['set-cookie'] as string).split(';')[0]!
  t.equal((await app.inject({ url: '/api/admin/me', headers: { cookie } })).statusCode, 401, 'the half-open session opens nothing')
  const reused = await app.inject({ method: 'POST', url: '/api/admin/session/code', headers: { cookie }, payload: { code: codeFor(secret) } })
  t.equal(reused.statusCode, 401, 'the code used for enrolment does not work again')
  t.equal(json(reused).error.code, 'TWO_FACTOR_CODE_INVALID')
  const next = await app.inject({ method: 'POST', url: '/api/admin/session/code', headers: { cookie }, payload: { code: codeFor(secret, 1) } })
  t.equal(next.statusCode, 200, 'the next period\'s code signs in')
  t.equal((await app.inject({ url: '/api/admin/me', headers: { cookie } })).statusCode, 200)

  const d = browser(app)
  const first = await d.post('/admin/sign-in', { email: who.email, password: 'correct horse battery', next: '/admin/tokens' })
  t.equal(first.statusCode, 303)
  t.match(first.headers.location, /^\/admin\/sign-in\/code\?next=%2Fadmin%2Ftokens/)
  t.equal((await d.get('/admin')).statusCode, 303, 'no page before the code')
  const page = await d.get(first.headers.location as string)
  t.match(page.body, /autocomplete="one-time-code"/)
  t.equal((await d.post('/admin/sign-in/code', { code: codeFor(secret, 1), next: '/admin/tokens' })).statusCode, 401, 'a code already used is refused')
  const ok = await d.post('/admin/sign-in/code', { code: codeFor(secret, -1), next: '/admin/tokens' })
  t.equal(ok.statusCode, 401, 'an older period than the last used is refused too')
  const later = await d.post('/admin/sign-in/code', { code: codeFor(secret, 2) === codeFor(secret, 1) ? '000000' : codeFor(secret, 2), next: '/admin/tokens' })
  t.equal(later.statusCode, 401, 'two periods ahead is outside the window')
})

t.test('recovery codes sign in once each; wrong codes end the half-open session after five tries', async (t) => {
  const who = await organiser(app)
  const { codes } = await enrol(t, await signedInBrowser(app, who))
  const cookie = await halfOpenSession(who.email)
  const used = await app.inject({ method: 'POST', url: '/api/admin/session/code', headers: { cookie }, payload: { code: codes[0]!.toLowerCase() } })
  t.equal(used.statusCode, 200, 'a recovery code (any case) signs in')
  t.equal(json(used).recoveryCodesLeft, 9)
  const again = await app.inject({ method: 'POST', url: '/api/admin/session/code', headers: { cookie: await halfOpenSession(who.email) }, payload: { code: codes[0] } })
  t.equal(again.statusCode, 401, 'and only once')

  const tries = await halfOpenSession(who.email)
  for (let i = 0; i < 5; i++) {
    const wrong = await app.inject({ method: 'POST', url: '/api/admin/session/code', headers: { cookie: tries }, payload: { code: 'AAAAA-AAAAA' } })
    t.equal(wrong.statusCode, 401)
  }
  const after = await app.inject({ method: 'POST', url: '/api/admin/session/code', headers: { cookie: tries }, payload: { code: codes[1] } })
  t.equal(after.statusCode, 401, 'after five wrong codes even a right one needs the password again')
  t.equal(json(after).error.code, 'UNAUTHENTICATED')
})

t.test('new recovery codes need a current code and replace the old ones; turning two-factor off needs the password', async (t) => {
  const who = await organiser(app)
  const notStarted = await app.inject({ method: 'POST', url: '/api/admin/me/recovery-codes', headers: who.auth, payload: { code: '123456' } })
  t.equal(notStarted.statusCode, 409, 'no recovery codes before two-factor sign-in is on')
  t.equal(json(notStarted).error.code, 'TWO_FACTOR_NOT_STARTED')

  const b = await signedInBrowser(app, who)
  const { secret, codes } = await enrol(t, b)
  const wrong = await b.post('/admin/account/recovery-codes', { code: codeFor(secret) === '000000' ? '111111' : '000000' })
  t.equal(wrong.statusCode, 401, 'the dashboard refuses a wrong code')
  t.notMatch(decodeHtml(wrong.body), /<code>[A-Z0-9]{5}-[A-Z0-9]{5}<\/code>/, 'and shows no codes')
  const renewed = await b.post('/admin/account/recovery-codes', { code: codeFor(secret, 1) })
  t.equal(renewed.statusCode, 200)
  const fresh = [...decodeHtml(renewed.body).matchAll(/<code>([A-Z0-9]{5}-[A-Z0-9]{5})<\/code>/g)].map((m) => m[1]!)
  t.equal(fresh.length, 10, 'ten new codes, shown once')
  t.same(fresh.filter((code) => codes.includes(code)), [], 'none of them an old one')
  const reused = await app.inject({ method: 'POST', url: '/api/admin/me/recovery-codes', headers: who.auth, payload: { code: codeFor(secret, 1) } })
  t.equal(reused.statusCode, 401, 'the API refuses a code already used')
  t.equal(json(reused).error.code, 'TWO_FACTOR_CODE_INVALID')

  const old = await app.inject({ method: 'POST', url: '/api/admin/session/code', headers: { cookie: await halfOpenSession(who.email) }, payload: { code: codes[0] } })
  t.equal(old.statusCode, 401, 'an old recovery code no longer signs in')
  const current = await app.inject({ method: 'POST', url: '/api/admin/session/code', headers: { cookie: await halfOpenSession(who.email) }, payload: { code: fresh[0] } })
  t.equal(current.statusCode, 200, 'a new one does')

  const refused = await app.inject({ method: 'DELETE', url: '/api/admin/me/two-factor', headers: who.auth, payload: { password: 'not the password' } })
  t.equal(refused.statusCode, 401, 'the API does not turn it off without the password')
  const offRefused = await b.post('/admin/account/two-factor/off', { password: 'not the password' })
  t.equal(offRefused.statusCode, 401, 'nor does the dashboard')
  t.equal(json(await app.inject({ url: '/api/admin/me', headers: who.auth })).twoFactor, true, 'it is still on')
  const off = await b.post('/admin/account/two-factor/off', { password: 'correct horse battery' })
  t.equal(off.statusCode, 303, 'with the password it is turned off')
  t.match(off.headers.location, /^\/admin\/account/)
  t.match(decodeHtml((await b.get(off.headers.location as string)).body), /Two-factor sign-in is off\./, 'and the account page says so')
  t.equal(json(await app.inject({ url: '/api/admin/me', headers: who.auth })).twoFactor, false)
  const passwordOnly = await app.inject({ method: 'POST', url: '/api/admin/session', payload: { email: who.email, password: 'correct horse battery' } })
  t.equal(passwordOnly.statusCode, 200, 'the password alone signs in again')
  t.equal(await app.services.organisers.twoFactor.recoveryCodesLeft(who.id), 0, 'and the recovery codes are gone with the secret')
})

t.test('REQUIRE_TWO_FACTOR: whoever can see contact data must enrol first; moderators and viewers need not', async (t) => {
  const strict = await build(t, { REQUIRE_TWO_FACTOR: 'true', RATE_LIMIT_SIGNIN_MAX: '6' })
  const owner = await organiser(strict)
  const slug = await appeal(strict, owner)
  t.equal((await sign(strict, slug, person())).statusCode, 201)
  const exportRefused = await strict.inject({ url: `/api/admin/appeals/${slug}/export.csv`, headers: owner.auth })
  t.equal(exportRefused.statusCode, 403)
  t.equal(json(exportRefused).error.code, 'TWO_FACTOR_REQUIRED')
  const list = await strict.inject({ url: `/api/admin/appeals/${slug}/signatures`, headers: owner.auth })
  t.equal(list.statusCode, 200)
  t.same(json(list).items.map((s: { email: string | null }) => s.email), [null], 'and the list shows no email')
  t.equal((await strict.inject({ url: `/api/admin/appeals/${slug}`, headers: owner.auth })).statusCode, 200, 'the rest works')

  const moderator = await organiser(strict)
  await strict.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/members`, headers: owner.auth, payload: { email: moderator.email, role: 'moderator' } })
  t.equal((await strict.inject({ url: `/api/admin/appeals/${slug}/signatures`, headers: moderator.auth })).statusCode, 200, 'a moderator sees no contact data, so needs no second factor')

  const b = await signedInBrowser(strict, owner)
  const dashboard = await b.get('/admin')
  t.match(decodeHtml(dashboard.body), /asks everyone who can see signers' contact data/, 'the dashboard asks to enrol')
  await enrol(t, b)
  t.equal((await b.get(`/admin/appeals/${slug}/signatures`)).statusCode, 200, 'enrolled, the owner sees the signatures')
  t.equal((await strict.inject({ url: `/api/admin/appeals/${slug}/export.csv`, headers: owner.auth })).statusCode, 200, 'and their token exports')

  // Codes share the sign-in limit (RATE_LIMIT_SIGNIN_MAX 6 here, of which the sign-in and the enrolment used three).
  const answers: number[] = []
  for (let i = 0; i < 6 && !answers.includes(429); i++) answers.push((await strict.inject({ method: 'POST', url: '/api/admin/session/code', payload: { code: '123456' } })).statusCode)
  t.same(answers, [401, 401, 401, 429], 'codes are rate-limited like passwords, on the same counter')
})
