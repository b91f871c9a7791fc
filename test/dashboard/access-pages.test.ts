import { eq } from 'drizzle-orm'
import t from 'tap'
import { appealMembers, organisers } from '../../src/db/schema.js'
import { build } from '../helpers/app.js'
import { browser, decodeHtml, PASSWORD, signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser } from '../helpers/fixtures.js'
import { deliverMail, linkIn, mailsTo, pathOf } from '../helpers/mail.js'

// The pages a mailed link opens, without being signed in: an invitation (to the instance or to one
// appeal's team) and a forgotten password. A link that does not work says so and nothing else; a refused
// form is shown again with its message and creates or changes nothing.

const app = await build(t, { RATE_LIMIT_SIGNIN_MAX: '1000' })
const admin = await organiser(app, 'admin')
const owner = await organiser(app)
const slug = await appeal(app, owner)
const NEW_PASSWORD = 'a long new passphrase 42'

const tokenOf = (url: URL): string => url.searchParams.get('token') ?? ''
const accountCount = async (): Promise<number> => (await app.db.select({ id: organisers.id }).from(organisers)).length
async function linkMailedTo (email: string, path: string): Promise<URL> {
  // A reset's mail is sent after the answer (so that its timing tells nothing): wait for it.
  await app.services.accountLinks.settled()
  await deliverMail(app)
  const mail = mailsTo(app, email).at(-1)
  if (mail === undefined) throw new Error(`no mail to ${email}`)
  return linkIn(mail.text ?? '', path)
}

t.test('a link that does not work: the same page for no token, a wrong one, on both forms', async (t) => {
  for (const url of ['/admin/invitation', '/admin/invitation?token=nope', '/admin/reset', '/admin/reset?token=nope']) {
    const response = await browser(app).get(url)
    t.equal(response.statusCode, 404, url)
    t.match(decodeHtml(response.body), /This link no longer works/)
    t.equal(response.headers['referrer-policy'], 'no-referrer', 'the token in the address goes to no other site')
  }
  const spanish = await browser(app).get('/admin/invitation?token=nope&lang=es')
  t.match(decodeHtml(spanish.body), /<html lang="es"/)
  t.notMatch(decodeHtml(spanish.body), /This link no longer works/, 'in Spanish')
  const before = await accountCount()
  for (const name of ['', 'Someone']) {
    const posted = await browser(app).post('/admin/invitation', { token: 'nope', name, password: NEW_PASSWORD })
    t.equal(posted.statusCode, 404, `name "${name}"`)
    t.match(decodeHtml(posted.body), /This link no longer works/)
  }
  const reset = await browser(app).post('/admin/reset', { token: 'nope', password: NEW_PASSWORD })
  t.equal(reset.statusCode, 404)
  t.equal(await accountCount(), before, 'no account was made')
})

t.test('an invitation to an appeal\'s team: refused without a name or with a weak password, then accepted', async (t) => {
  const invited = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/invitations`, headers: owner.auth, payload: { email: 'moderator.invited@example.org', role: 'moderator' } })
  t.equal(invited.statusCode, 201, invited.body)
  const link = await linkMailedTo('moderator.invited@example.org', '/admin/invitation')
  const invitee = browser(app)
  const form = await invitee.get(pathOf(link))
  t.equal(form.statusCode, 200)
  t.match(decodeHtml(form.body), `invited, with the address moderator.invited@example.org, to the team of the appeal ${slug} as Moderator.`)
  const before = await accountCount()

  const nameless = await invitee.post('/admin/invitation', { token: tokenOf(link), name: '  ', password: NEW_PASSWORD })
  t.equal(nameless.statusCode, 400)
  t.match(decodeHtml(nameless.body), /This field is required\./)
  const weak = await invitee.post('/admin/invitation', { token: tokenOf(link), name: 'Mo Derator', password: 'short' })
  t.equal(weak.statusCode, 400)
  const page = decodeHtml(weak.body)
  t.match(page, /class="form-errors"/)
  t.match(page, /name="name"[^>]*value="Mo Derator"/, 'the name typed is kept')
  t.equal(await accountCount(), before, 'no account yet')

  const accepted = await invitee.post('/admin/invitation', { token: tokenOf(link), name: 'Mo Derator', password: NEW_PASSWORD })
  t.equal(accepted.statusCode, 303)
  t.equal(accepted.headers.location, '/admin/account?notice=welcomeInvited')
  const [account] = await app.db.select().from(organisers).where(eq(organisers.email, 'moderator.invited@example.org'))
  t.match(account, { name: 'Mo Derator', role: 'organiser' })
  const [membership] = await app.db.select().from(appealMembers).where(eq(appealMembers.organiserId, account!.id))
  t.equal(membership?.role, 'moderator', 'on the team in the role invited')
  t.equal((await invitee.get('/admin/account')).statusCode, 200, 'signed in at once')
  t.equal((await browser(app).get(pathOf(link))).statusCode, 404, 'the link works once')
})

t.test('an invitation to the instance, read in Spanish', async (t) => {
  const invited = await app.inject({ method: 'POST', url: '/api/admin/invitations', headers: admin.auth, payload: { email: 'instance.invited@example.org' } })
  t.equal(invited.statusCode, 201, invited.body)
  const link = await linkMailedTo('instance.invited@example.org', '/admin/invitation')
  const english = decodeHtml((await browser(app).get(pathOf(link))).body)
  t.match(english, /You were invited to organise appeals with the address instance\.invited@example\.org\./)
  const spanish = await browser(app).get(`${pathOf(link)}&lang=es`)
  t.equal(spanish.statusCode, 200)
  t.match(decodeHtml(spanish.body), /<html lang="es"[\s\S]*instance\.invited@example\.org/)
  t.notMatch(decodeHtml(spanish.body), /You were invited/)
})

t.test('a forgotten password: the same answer for anything typed; a weak new password is refused and changes nothing', async (t) => {
  const who = await organiser(app)
  const asked = await browser(app).get('/admin/forgot')
  t.equal(asked.statusCode, 200)
  t.match(decodeHtml(asked.body), /Give the address of your account/)
  const queued = app.mailSender.delivered.length
  const nonsense = await browser(app).post('/admin/forgot', { email: 'not an address' })
  t.equal(nonsense.statusCode, 200)
  t.match(decodeHtml(nonsense.body), /a link to choose a new password is on its way/)
  await app.services.accountLinks.settled()
  await deliverMail(app)
  t.equal(app.mailSender.delivered.length, queued, 'nothing mailed for what is not an address')

  await browser(app).post('/admin/forgot', { email: who.email })
  const link = await linkMailedTo(who.email, '/admin/reset')
  t.equal((await browser(app).get(pathOf(link))).statusCode, 200)
  const weak = await browser(app).post('/admin/reset', { token: tokenOf(link), password: 'short' })
  t.equal(weak.statusCode, 400)
  t.match(decodeHtml(weak.body), /Choose a new password[\s\S]*class="form-errors"/)
  await signedInBrowser(app, who, PASSWORD)
  t.pass('the old password still works')

  const done = await browser(app).post('/admin/reset', { token: tokenOf(link), password: NEW_PASSWORD })
  t.equal(done.statusCode, 303)
  t.equal(done.headers.location, '/admin/sign-in?notice=passwordReset')
  await signedInBrowser(app, who, NEW_PASSWORD)
  await t.rejects(signedInBrowser(app, who, PASSWORD), 'the old password no longer works')
})
