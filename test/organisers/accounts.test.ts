import { eq, sql } from 'drizzle-orm'
import { simpleParser } from 'mailparser'
import t from 'tap'
import { accountLinks, sessions } from '../../src/db/schema.js'
import { build, json } from '../helpers/app.js'
import { browser, decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser } from '../helpers/fixtures.js'
import { linkIn, mailsTo, pathOf } from '../helpers/mail.js'

// One app for the file: each test works with addresses of its own.
const app = await build(t, { RATE_LIMIT_SIGNIN_MAX: '1000' })
const NEW_PASSWORD = 'solidarity forever 1917'

/** The last mail to an address, parsed from its raw message as a mail program would. */
async function lastMailTo (address: string) {
  await app.services.accountLinks.settled()
  const mails = mailsTo(app, address)
  const mail = mails[mails.length - 1]
  if (mail === undefined) throw new Error(`no mail to ${address}`)
  return simpleParser(mail.raw)
}

const tokenOf = (url: URL): string => url.searchParams.get('token') ?? ''

t.test('an admin invites by mail; the invitee chooses a password; the link works once and expires', async (t) => {
  const admin = await organiser(app, 'admin')
  const invited = await app.inject({ method: 'POST', url: '/api/admin/invitations', headers: admin.auth, payload: { email: 'New.Person@example.org' } })
  t.equal(invited.statusCode, 201)
  t.equal(json(invited).status, 'invited')
  const mail = await lastMailTo('new.person@example.org')
  t.match(mail.subject, /invited to organise/)
  t.match(mail.text, /Test admin invites you/)
  const link = linkIn(mail.text ?? '', '/admin/invitation')
  t.ok(typeof mail.html === 'string' && mail.html.includes(tokenOf(link)), 'the HTML has the same link')
  const [row] = await app.db.select().from(accountLinks).where(eq(accountLinks.email, 'new.person@example.org'))
  t.not(row?.tokenHash, tokenOf(link), 'only a hash of the token is stored')
  t.notOk(JSON.stringify(row).includes(tokenOf(link)))

  const page = await browser(app).get(pathOf(link))
  t.equal(page.statusCode, 200)
  t.equal(page.headers['referrer-policy'], 'no-referrer')
  t.match(decodeHtml(page.body), /new\.person@example\.org/)

  const weak = await app.inject({ method: 'POST', url: '/api/admin/invitations/accept', payload: { token: tokenOf(link), name: 'New Person', password: 'password123' } })
  t.equal(weak.statusCode, 400, 'a common password is refused')
  t.match(json(weak).error.fields.password, /most common/)
  const accepted = await app.inject({ method: 'POST', url: '/api/admin/invitations/accept', payload: { token: tokenOf(link), name: 'New Person', password: NEW_PASSWORD } })
  t.equal(accepted.statusCode, 201)
  t.equal(json(accepted).organiser.email, 'new.person@example.org')
  const signIn = await app.inject({ method: 'POST', url: '/api/admin/session', payload: { email: 'new.person@example.org', password: NEW_PASSWORD } })
  t.equal(signIn.statusCode, 200, 'the chosen password signs in')

  const again = await app.inject({ method: 'POST', url: '/api/admin/invitations/accept', payload: { token: tokenOf(link), name: 'Someone else', password: NEW_PASSWORD + 'x' } })
  t.equal(again.statusCode, 404, 'used once only')
  t.equal(json(again).error.code, 'ACCOUNT_LINK_INVALID')
  t.equal((await browser(app).get(pathOf(link))).statusCode, 404, 'and its page says the link no longer works')

  await app.inject({ method: 'POST', url: '/api/admin/invitations', headers: admin.auth, payload: { email: 'late@example.org' } })
  const late = linkIn((await lastMailTo('late@example.org')).text ?? '', '/admin/invitation')
  await app.db.update(accountLinks).set({ expiresAt: sql`now() - interval '1 minute'` }).where(eq(accountLinks.email, 'late@example.org'))
  const expired = await app.inject({ method: 'POST', url: '/api/admin/invitations/accept', payload: { token: tokenOf(late), name: 'Late', password: NEW_PASSWORD } })
  t.equal(expired.statusCode, 404, 'an expired invitation is refused')

  const organiserToken = await organiser(app)
  const refused = await app.inject({ method: 'POST', url: '/api/admin/invitations', headers: organiserToken.auth, payload: { email: 'x@example.org' } })
  t.equal(refused.statusCode, 403, 'only admins invite to the instance')
})

t.test('an appeal owner invites to the team in a role, from the dashboard; the person joins in that role', async (t) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const b = await signedInBrowser(app, owner)
  const sent = await b.post(`/admin/appeals/${slug}/team`, { email: 'mod@example.org', role: 'moderator' })
  t.equal(sent.statusCode, 303)
  t.match(sent.headers.location, /notice=invitationSent/)
  const mail = await lastMailTo('mod@example.org')
  t.match(mail.text, new RegExp(`team of the appeal ${slug}`))
  const link = linkIn(mail.text ?? '', '/admin/invitation')
  const invitee = browser(app)
  const page = await invitee.get(pathOf(link))
  t.match(decodeHtml(page.body), /as Moderator/)
  const done = await invitee.post('/admin/invitation', { token: tokenOf(link), name: 'Mo Derator', password: NEW_PASSWORD })
  t.equal(done.statusCode, 303, 'the account is made and signed in')
  const members = json(await app.inject({ url: `/api/admin/appeals/${slug}/members`, headers: owner.auth })).items
  t.same(members.map((m: { email: string, role: string }) => [m.email, m.role]).sort(), [[owner.email, 'owner'], ['mod@example.org', 'moderator']].sort())
  t.equal((await invitee.get(`/admin/appeals/${slug}/signatures`)).statusCode, 200, 'the new moderator reaches the signatures')
})

t.test('a password reset mails a link only to an existing account, with the same answer either way; it ends every session', async (t) => {
  const who = await organiser(app)
  const other = await signedInBrowser(app, who)
  const before = app.mailSender.delivered.length
  const known = await app.inject({ method: 'POST', url: '/api/admin/password-reset', payload: { email: who.email } })
  const unknown = await app.inject({ method: 'POST', url: '/api/admin/password-reset', payload: { email: 'nobody-here@example.org' } })
  t.equal(known.statusCode, 202)
  t.equal(unknown.statusCode, known.statusCode, 'no enumeration: same status')
  t.equal(unknown.body, known.body, 'and the same body')
  const dashboardKnown = await browser(app).post('/admin/forgot', { email: who.email })
  const dashboardUnknown = await browser(app).post('/admin/forgot', { email: 'nobody-here@example.org' })
  const strip = (body: string): string => body.replace(/name="_csrf" value="[^"]+"/g, '')
  t.equal(strip(dashboardUnknown.body), strip(dashboardKnown.body), 'the dashboard answers the same page')
  await app.services.accountLinks.settled()
  t.equal(app.mailSender.delivered.length, before + 2, 'two mails, both to the account that exists')
  t.equal(mailsTo(app, 'nobody-here@example.org').length, 0)

  const mail = await lastMailTo(who.email)
  t.match(mail.subject, /new password/)
  const link = linkIn(mail.text ?? '', '/admin/reset')
  const reset = await browser(app).get(pathOf(link))
  t.equal(reset.statusCode, 200)
  const done = await browser(app).post('/admin/reset', { token: tokenOf(link), password: NEW_PASSWORD })
  t.equal(done.statusCode, 303)
  t.match(done.headers.location, /notice=passwordReset/)
  t.equal((await other.get('/admin')).statusCode, 303, 'the session open elsewhere ended')
  t.equal((await app.inject({ method: 'POST', url: '/api/admin/session', payload: { email: who.email, password: 'correct horse battery' } })).statusCode, 401, 'the old password no longer works')
  t.equal((await app.inject({ method: 'POST', url: '/api/admin/session', payload: { email: who.email, password: NEW_PASSWORD } })).statusCode, 200)
  const reuse = await app.inject({ method: 'POST', url: '/api/admin/password-reset/complete', payload: { token: tokenOf(link), password: NEW_PASSWORD + '!' } })
  t.equal(reuse.statusCode, 404, 'the link works once')

  // The other link (from the dashboard request) expires.
  await app.db.update(accountLinks).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(accountLinks.organiserId, who.id))
  const first = linkIn(mailsTo(app, who.email)[0]?.text ?? '', '/admin/reset')
  t.equal((await app.inject({ method: 'POST', url: '/api/admin/password-reset/complete', payload: { token: tokenOf(first), password: NEW_PASSWORD } })).statusCode, 404, 'an expired link is refused')
})

t.test('changing one\'s password needs the current one and ends every other session', async (t) => {
  const who = await organiser(app)
  const here = await signedInBrowser(app, who)
  const elsewhere = await signedInBrowser(app, who)
  const wrong = await here.post('/admin/account/password', { currentPassword: 'not it at all', password: NEW_PASSWORD })
  t.equal(wrong.statusCode, 401)
  const short = await here.post('/admin/account/password', { currentPassword: 'correct horse battery', password: 'short' })
  t.equal(short.statusCode, 400)
  const done = await here.post('/admin/account/password', { currentPassword: 'correct horse battery', password: NEW_PASSWORD })
  t.equal(done.statusCode, 303)
  t.equal((await here.get('/admin/account')).statusCode, 200, 'this browser goes on with a new session')
  t.equal((await elsewhere.get('/admin/account')).statusCode, 303, 'the other one was signed out')
  const [{ n } = { n: -1 }] = await app.db.select({ n: sql<number>`count(*)::int` }).from(sessions).where(eq(sessions.organiserId, who.id))
  t.equal(n, 1)
})

t.test('each person lists their sessions with device and last use, and ends one', async (t) => {
  const who = await organiser(app)
  const laptop = await signedInBrowser(app, who)
  const phone = browser(app)
  await phone.post('/admin/sign-in', { email: who.email, password: 'correct horse battery' }, { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36' })
  const list = await app.inject({ url: '/api/admin/me/sessions', headers: { cookie: `solidaria_session=${laptop.cookies.get('solidaria_session')}` } })
  const items = json(list).items as Array<{ id: string, device: string | null, current: boolean, lastUsedAt: string }>
  t.equal(items.length, 2)
  const phoneSession = items.find((s) => s.device === 'Chrome · Android')
  t.ok(phoneSession, 'the device is described')
  t.ok(items.every((s) => typeof s.lastUsedAt === 'string'), 'with its last use')
  t.equal(items.filter((s) => s.current).length, 1)
  const page = await laptop.get('/admin/account')
  t.match(page.body, /Chrome · Android/)
  const ended = await laptop.post(`/admin/account/sessions/${phoneSession!.id}/end`)
  t.equal(ended.statusCode, 303)
  t.equal((await phone.get('/admin')).statusCode, 303, 'the phone is signed out')
  t.equal((await laptop.get('/admin')).statusCode, 200)
})
