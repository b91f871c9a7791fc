import t from 'tap'
import { build } from '../helpers/app.js'
import { browser, decodeHtml, PASSWORD, signedInBrowser } from '../helpers/dashboard.js'
import { organiser } from '../helpers/fixtures.js'

// Signing in and one's own account without JavaScript: a wrong password is shown again with the address
// typed, the page after signing in stays inside the dashboard, a second-factor page without a pending
// sign-in sends back; the password change refuses a wrong current password and a weak new one and
// changes nothing; sessions end one by one.

const app = await build(t, { RATE_LIMIT_SIGNIN_MAX: '1000' })
const NEW_PASSWORD = 'a long new passphrase 42'

t.test('signing in: a wrong password, where one goes next, no code page without a pending sign-in', async (t) => {
  const who = await organiser(app)
  const wrong = await browser(app).post('/admin/sign-in', { email: who.email, password: 'not the password' })
  t.equal(wrong.statusCode, 401)
  const page = decodeHtml(wrong.body)
  t.match(page, /The email address or the password is wrong\./)
  t.match(page, new RegExp(`name="email"[^>]*value="${who.email.replace(/\./g, '\\.')}"`), 'the address typed is kept')

  const b = browser(app)
  const signedIn = await b.post('/admin/sign-in', { email: who.email, password: PASSWORD, next: '/admin/account' })
  t.equal(signedIn.headers.location, '/admin/account')
  t.equal((await b.get('/admin/sign-in?next=/admin/tokens')).headers.location, '/admin/tokens', 'signed in already: straight on')
  t.equal((await b.get('/admin/sign-in?next=//evil.example/admin')).headers.location, '/admin', 'never to another site')
  t.equal((await b.get('/admin/sign-in?next=https://evil.example/')).headers.location, '/admin')

  const code = await browser(app).get('/admin/sign-in/code')
  t.equal(code.statusCode, 303)
  t.equal(code.headers.location, '/admin/sign-in', 'no sign-in waits for a code')
})

t.test('changing the password: a wrong current one and a weak new one change nothing', async (t) => {
  const who = await organiser(app)
  const b = await signedInBrowser(app, who)
  const wrong = await b.post('/admin/account/password', { currentPassword: 'not the password', password: NEW_PASSWORD })
  t.equal(wrong.statusCode, 401)
  t.match(decodeHtml(wrong.body), /<h2 id="password-heading">[\s\S]*The email address or the password is wrong\.[\s\S]*href="#field-currentPassword"/, 'next to the current password')
  const weak = await b.post('/admin/account/password', { currentPassword: PASSWORD, password: 'short' })
  t.equal(weak.statusCode, 400)
  t.match(decodeHtml(weak.body), /href="#field-password"/)
  await signedInBrowser(app, who, PASSWORD)
  t.pass('the old password still works')

  const changed = await b.post('/admin/account/password', { currentPassword: PASSWORD, password: NEW_PASSWORD })
  t.equal(changed.headers.location, '/admin/account?notice=passwordChanged')
  t.equal((await b.get('/admin/account')).statusCode, 200, 'this session goes on')
  await t.rejects(signedInBrowser(app, who, PASSWORD), 'the old password no longer works')
})

t.test('sessions end one by one; ending this one signs out', async (t) => {
  const who = await organiser(app)
  const here = await signedInBrowser(app, who)
  const elsewhere = await signedInBrowser(app, who, PASSWORD)
  const sessionIds = async (): Promise<string[]> => [...(await here.get('/admin/account')).body.matchAll(/\/admin\/account\/sessions\/([0-9a-f-]{36})\/end/g)].map((m) => m[1]!)
  t.equal((await sessionIds()).length, 2)
  const ownRow = /<tr><th scope="row">[^<]*<span class="muted">\(this one\)<\/span><\/th>[\s\S]*?sessions\/([0-9a-f-]{36})\/end/.exec(decodeHtml((await here.get('/admin/account')).body))
  t.ok(ownRow, 'this session is marked')
  const own = ownRow![1]!
  const other = (await sessionIds()).find((id) => id !== own)!

  const closed = await here.post(`/admin/account/sessions/${other}/end`)
  t.equal(closed.headers.location, '/admin/account?notice=sessionClosed')
  t.equal((await elsewhere.get('/admin/account')).statusCode, 303, 'the other browser is signed out')
  t.same(await sessionIds(), [own])

  const out = await here.post(`/admin/account/sessions/${own}/end`)
  t.equal(out.headers.location, '/admin/sign-in?notice=signedOut')
  t.equal((await here.get('/admin/account')).statusCode, 303, 'signed out here too')
})
