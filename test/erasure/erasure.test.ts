import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { confirmationTokens, mailOutbox, signatures } from '../../src/db/schema.js'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, byEmail, organiser, person, sign, signatureRows, type Organiser } from '../helpers/fixtures.js'
import { deliverMail, linkIn, mailsTo, pathOf } from '../helpers/mail.js'

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' }
const stats = async (app: FastifyInstance, slug: string) => json(await app.inject({ url: `/api/appeals/${slug}/stats` }))
const eraseByEmail = (app: FastifyInstance, who: Organiser, email: string) =>
  app.inject({ method: 'POST', url: '/api/admin/erasures', headers: who.auth, payload: { email } })

eachDatabase(t, 'an organiser erases a person across every appeal they manage, and no other', async (t, { app }) => {
  const ana = await organiser(app)
  const ben = await organiser(app)
  const first = await appeal(app, ana)
  const second = await appeal(app, ana)
  const bens = await appeal(app, ben)
  for (const slug of [first, second, bens]) {
    t.equal((await sign(app, slug, person({ email: 'asks@example.org', name: 'Asks To Go', city: 'Lima', country: 'PE' }))).statusCode, 201)
    t.equal((await sign(app, slug, person({ email: `stays-${slug}@example.org`, name: 'Stays', country: 'PE' }))).statusCode, 201)
  }
  const before = await stats(app, first)
  t.match(before, { signatures: 2, byCountry: { PE: 2 } })

  const response = await eraseByEmail(app, ana, '  ASKS@example.org ')
  t.equal(response.statusCode, 200)
  t.same(json(response), { erased: 2, appeals: [first, second].sort(), contributions: 0 }, 'on both of her appeals, found by the address however it is written')
  const rows = await signatureRows(app)
  const erased = rows.filter((r) => r.status === 'erased')
  t.equal(erased.length, 2)
  for (const row of erased) {
    t.match(row, {
      name: null, email: null, city: null, organisation: null, role: null, ipHash: null, emailHash: null, emailDomainHash: null,
      notable: false, eventId: null, public: false, contact: false
    })
    t.ok(row.erasedAt instanceof Date)
  }
  const [onBens] = await app.db.select().from(signatures).where(byEmail(app, 'asks@example.org'))
  t.equal(onBens?.status, 'confirmed', 'the signature on another organiser\'s appeal is untouched')
  t.equal(rows.filter((r) => r.name === 'Stays').length, 3, 'everyone else is untouched')

  await new Promise((resolve) => setTimeout(resolve, 20))
  t.match(await stats(app, first), { signatures: 1, byCountry: { PE: 1 } }, 'the erased signature no longer counts')
  t.same(json(await eraseByEmail(app, ana, 'asks@example.org')), { erased: 0, appeals: [], contributions: 0 }, 'erasing again finds nothing')
  t.equal((await eraseByEmail(app, ben, 'not an email')).statusCode, 400)
  t.equal((await app.inject({ method: 'POST', url: '/api/admin/erasures', payload: { email: 'asks@example.org' } })).statusCode, 401)
  const admin = await organiser(app, 'admin')
  t.same(json(await eraseByEmail(app, admin, 'asks@example.org')), { erased: 1, appeals: [bens], contributions: 0 }, 'an admin reaches every appeal')
}, { STATS_TTL_MS: '0' })

eachDatabase(t, 'every mail carries a link with which its owner removes the signature', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  await sign(app, slug, person({ email: 'leaving@example.org', name: 'Leaving Soon' }))
  await sign(app, slug, person({ email: 'staying@example.org' }))
  await deliverMail(app)
  const [mail] = mailsTo(app, 'leaving@example.org')
  await app.inject({ method: 'POST', url: linkIn(mail!.text, '/confirm/').pathname, headers: formHeaders, payload: '' })
  await app.inject({ method: 'POST', url: linkIn(mailsTo(app, 'staying@example.org')[0]!.text, '/confirm/').pathname, headers: formHeaders, payload: '' })
  t.equal((await stats(app, slug)).signatures, 2)

  const removal = linkIn(mail!.text, '/remove/')
  const page = await app.inject({ url: pathOf(removal) })
  t.equal(page.statusCode, 200)
  t.match(page.body, /<form method="post" action="\/remove\/\d+\.[A-Za-z0-9_-]{43}">/, 'the link opens a page with a button')
  t.equal(page.headers['referrer-policy'], 'no-referrer')
  t.equal((await stats(app, slug)).signatures, 2, 'opening it removes nothing')

  const removed = await app.inject({ method: 'POST', url: removal.pathname, headers: formHeaders, payload: '' })
  t.equal(removed.statusCode, 200)
  t.match(removed.body, /have been erased/)
  t.equal((await stats(app, slug)).signatures, 1, 'pressing it does, and the count drops by one')
  t.same((await signatureRows(app)).map((r) => [r.email, r.status]), [[null, 'erased'], ['staying@example.org', 'confirmed']])
  t.match((await app.inject({ url: pathOf(removal) })).body, /already been removed/)

  const id = removal.pathname.split('/').pop()!.split('.')[0]!
  const forged = await app.inject({ method: 'POST', url: `/remove/${Number(id) + 1}.${'A'.repeat(43)}`, headers: formHeaders, payload: '' })
  t.equal(forged.statusCode, 404, 'a link not made by this server does nothing')
  t.equal((await stats(app, slug)).signatures, 1)
  t.match((await app.inject({ url: '/remove/nonsense' })).body, /not valid/)
}, { STATS_TTL_MS: '0' })

eachDatabase(t, 'erasing a pending signature deletes its mail and its link', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  await sign(app, slug, person({ email: 'quick@example.org' }))
  const [row] = await app.db.select().from(signatures)
  t.equal((await eraseByEmail(app, owner, 'quick@example.org')).statusCode, 200)
  t.same(await app.db.select().from(confirmationTokens).where(eq(confirmationTokens.signatureId, row!.id)), [], 'its link no longer works')
  t.same(await app.db.select().from(mailOutbox), [], 'its mail is deleted')
  t.same(await deliverMail(app), [], 'and no mail goes out')
  t.equal(json(await sign(app, slug, person({ email: 'quick@example.org' }))).status, 'pending', 'the person may sign again later')
})
