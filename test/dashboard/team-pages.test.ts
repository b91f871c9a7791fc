import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build, json } from '../helpers/app.js'
import { decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser } from '../helpers/fixtures.js'
import { deliverMail, mailsTo } from '../helpers/mail.js'

// An appeal's team page without JavaScript: the owner invites (a bad address is shown again and sends
// nothing), adds an existing account, changes a role, removes a member; an organiser on the team reads
// the list without the owner's forms, a moderator may do neither.

const app = await build(t)
const owner = await organiser(app)
const colleague = await organiser(app)
const moderator = await organiser(app)
const slug = await appeal(app, owner)
for (const [who, role] of [[colleague, 'organiser'], [moderator, 'moderator']] as const) {
  const added = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/members`, headers: owner.auth, payload: { email: who.email, role } })
  if (added.statusCode !== 200) throw new Error(added.body)
}
const b = await signedInBrowser(app, owner)
const base = `/admin/appeals/${slug}/team`
const members = async (): Promise<Array<{ id: string, email: string, role: string }>> => json(await app.inject({ url: `/api/admin/appeals/${slug}/members`, headers: owner.auth })).items

t.test('an invitation to a bad address is shown again as typed; nothing is sent', async (t) => {
  const before = (await members()).length
  const refused = await b.post(base, { email: 'not an address', role: 'viewer' })
  t.equal(refused.statusCode, 400)
  const page = decodeHtml(refused.body)
  t.match(page, /Enter a valid email address, like name@example\.org\./)
  t.match(page, /name="email"[^>]*value="not an address"/)
  t.match(page, /<option value="viewer" selected>/, 'the role chosen stays chosen')
  t.equal((await members()).length, before)
})

t.test('inviting a new address mails it; an existing account joins at once; roles change; members leave', async (t) => {
  const invited = await b.post(base, { email: 'new.member@example.org', role: 'moderator' })
  t.equal(invited.statusCode, 303)
  t.equal(invited.headers.location, `${base}?notice=invitationSent`)
  await deliverMail(app)
  t.equal(mailsTo(app, 'new.member@example.org').length, 1, 'the invitation is mailed')

  const existing = await organiser(app)
  const joined = await b.post(base, { email: existing.email, role: 'viewer' })
  t.equal(joined.headers.location, `${base}?notice=memberAdded`)
  t.match(decodeHtml((await b.get(joined.headers.location as string)).body), /The organiser now manages this appeal\./)
  t.equal((await members()).find((m) => m.id === existing.id)?.role, 'viewer')

  const changed = await b.post(`${base}/role`, { organiserId: existing.id, role: 'organiser' })
  t.equal(changed.headers.location, `${base}?notice=roleChanged`)
  t.equal((await members()).find((m) => m.id === existing.id)?.role, 'organiser')
  const unknownRole = await b.post(`${base}/role`, { organiserId: existing.id, role: 'superuser' })
  t.equal(unknownRole.statusCode, 303)
  t.equal((await members()).find((m) => m.id === existing.id)?.role, 'viewer', 'a role that does not exist is the least one')

  const stranger = await b.post(`${base}/role`, { organiserId: randomUUID(), role: 'owner' })
  t.equal(stranger.statusCode, 404)
  t.match(decodeHtml(stranger.body), /class="form-errors"[^>]*><p>There is no organiser with that email address\.<\/p>/, 'the team page again, saying why')

  const removed = await b.post(`${base}/remove`, { organiserId: existing.id })
  t.equal(removed.headers.location, `${base}?notice=memberRemoved`)
  t.notOk((await members()).some((m) => m.id === existing.id), 'no longer on the team')
})

t.test('an organiser reads the team without the owner\'s forms; a moderator may not even read it', async (t) => {
  const asColleague = await signedInBrowser(app, colleague)
  const page = await asColleague.get(base)
  t.equal(page.statusCode, 200)
  t.match(decodeHtml(page.body), new RegExp(moderator.email.replace(/\./g, '\\.')))
  t.notMatch(page.body, /action="[^"]+\/team\/(role|remove)"/, 'no role or remove buttons')
  t.notMatch(page.body, /id="invite-heading"/, 'no invitation form')
  const before = await members()
  t.equal((await asColleague.post(base, { email: 'friend@example.org', role: 'owner' })).statusCode, 403)
  t.equal((await asColleague.post(`${base}/remove`, { organiserId: moderator.id })).statusCode, 403)
  const asModerator = await signedInBrowser(app, moderator)
  t.equal((await asModerator.get(base)).statusCode, 403)
  t.same(await members(), before, 'the team is as it was')
})
