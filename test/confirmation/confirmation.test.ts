import { eq, sql } from 'drizzle-orm'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { confirmationTokens, mailOutbox, mailQuota, signatures } from '../../src/db/schema.js'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, organiser, person, sign, signatureRows, type Organiser } from '../helpers/fixtures.js'
import { deliverMail, linkIn, mailsTo, pathOf } from '../helpers/mail.js'

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString()
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' }

async function counts (app: FastifyInstance, owner: Organiser, slug: string) {
  const response = await app.inject({ url: `/api/admin/appeals/${slug}`, headers: owner.auth })
  return json(response).counts as { confirmed: number, pending: number, hidden: number, erased: number }
}

const publicCount = async (app: FastifyInstance, slug: string): Promise<number> =>
  json(await app.inject({ url: `/api/appeals/${slug}/stats` })).signatures

async function confirmationAppeal (app: FastifyInstance) {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  return { owner, slug }
}

eachDatabase(t, 'new appeals require email confirmation unless their organisers say otherwise', async (t, { app }) => {
  const owner = await organiser(app)
  const created = await app.inject({
    method: 'POST', url: '/api/admin/appeals', headers: owner.auth,
    payload: { slug: 'default-confirmation', originalLanguage: 'en', text: { title: 'Solidarity' } }
  })
  t.equal(json(created).options.requireConfirmation, true)
})

eachDatabase(t, 'a signature made with the page form counts once its owner confirms it from the mail', async (t, { app }) => {
  const { owner, slug } = await confirmationAppeal(app)
  const signed = await app.inject({
    method: 'POST', url: `/appeals/${slug}/sign`, headers: formHeaders,
    payload: form({ kind: 'individual', name: 'Rosa Quispe', email: 'Rosa@Example.org', country: 'PE', locale: 'es', public: 'on' })
  })
  t.equal(signed.statusCode, 303)
  t.equal(signed.headers.location, `/appeals/${slug}/thanks?status=pending`, 'the thanks page says one step is left')
  t.same(await counts(app, owner, slug), { confirmed: 0, pending: 1, hidden: 0, erased: 0 }, 'organisers see it waiting')
  t.equal(await publicCount(app, slug), 0, 'it does not count yet')
  t.same(json(await app.inject({ url: `/api/appeals/${slug}/signatures` })).items, [], 'nor is it shown')

  const [mail] = await deliverMail(app)
  t.ok(mail, 'a mail was sent')
  t.equal(mail?.to, 'rosa@example.org')
  t.match(mail?.subject, /Hands off Venezuela/)
  t.not(mail?.subject, 'Please confirm your signature: Hands off Venezuela', 'in the signer\'s language (Spanish), not English')
  const link = linkIn(mail!.text, '/confirm/')
  t.equal(link.searchParams.get('lang'), 'es', 'the link opens the page in the signer\'s language')
  t.ok(mail?.html.includes(`href="${link.origin}${link.pathname}?lang&#61;es"`), 'the HTML part has the same link')
  t.ok(linkIn(mail!.text, '/remove/'), 'and a link to remove the signature')

  // A mail scanner (or the reader) opening the link confirms nothing.
  for (let i = 0; i < 3; i++) {
    const page = await app.inject({ url: pathOf(link) })
    t.equal(page.statusCode, 200)
    t.match(page.body, /<form method="post" action="\/confirm\/[A-Za-z0-9_-]{43}">/, 'the page offers one button that posts')
    t.equal(page.headers['referrer-policy'], 'no-referrer', 'the token does not travel on in a Referer')
    t.equal(page.headers['cache-control'], 'no-store')
    t.match(page.body, /<meta name="robots" content="noindex">/)
  }
  await app.inject({ method: 'HEAD', url: pathOf(link) })
  t.equal(await publicCount(app, slug), 0, 'following the link, even three times, confirms nothing')
  t.equal((await signatureRows(app))[0]?.status, 'pending')

  const confirmed = await app.inject({ method: 'POST', url: link.pathname, headers: formHeaders, payload: '' })
  t.equal(confirmed.statusCode, 303)
  t.equal(confirmed.headers.location, `/appeals/${slug}/thanks?status=confirmed`)
  const [row] = await signatureRows(app)
  t.equal(row?.status, 'confirmed')
  t.ok(row?.confirmedAt instanceof Date, 'with the time of confirmation')
  t.equal(await publicCount(app, slug), 1, 'now it counts')
  t.equal(json(await app.inject({ url: `/api/appeals/${slug}/signatures` })).items[0]?.name, 'Rosa Quispe', 'and is shown')
  t.same(await counts(app, owner, slug), { confirmed: 1, pending: 0, hidden: 0, erased: 0 })
  const thanks = await app.inject({ url: confirmed.headers.location as string })
  t.match(thanks.body, /has been added/)

  // The link works once.
  const again = await app.inject({ method: 'POST', url: link.pathname, headers: formHeaders, payload: '' })
  t.equal(again.statusCode, 200)
  t.match(again.body, /already confirmed/, 'a second use says it is done')
  t.notMatch(again.body, /<form method="post"/, 'and offers nothing to press')
  t.equal(await publicCount(app, slug), 1, 'and changes nothing')
  const [token] = await app.db.select().from(confirmationTokens)
  t.ok(token?.usedAt instanceof Date, 'the token is spent')
}, { STATS_TTL_MS: '0' })

eachDatabase(t, 'a link is 256 random bits, stored only as a hash, and expires', async (t, { app }) => {
  const { slug } = await confirmationAppeal(app)
  t.equal((await sign(app, slug, person({ email: 'late@example.org' }))).statusCode, 201)
  const [mail] = await deliverMail(app)
  const link = linkIn(mail!.text, '/confirm/')
  const token = link.pathname.split('/').pop()!
  t.equal(Buffer.from(token, 'base64url').length, 32, '32 bytes')
  const [stored] = await app.db.select().from(confirmationTokens)
  t.not(stored?.tokenHash, token, 'the token itself is not stored')
  const days = (stored!.expiresAt.getTime() - stored!.createdAt.getTime()) / 86_400_000
  t.ok(Math.abs(days - 14) < 0.01, 'valid for 14 days')

  await app.db.update(confirmationTokens).set({ expiresAt: sql`now() - interval '1 minute'` })
  const page = await app.inject({ url: pathOf(link) })
  t.equal(page.statusCode, 410, 'an expired link says so')
  t.match(page.body, /expired/)
  t.match(page.body, new RegExp(`href="/appeals/${slug}#sign"`), 'and offers to sign again')
  const late = await app.inject({ method: 'POST', url: link.pathname, headers: formHeaders, payload: '' })
  t.equal(late.statusCode, 410)
  t.equal((await signatureRows(app))[0]?.status, 'pending', 'pressing the button of an expired link confirms nothing')

  t.equal(await app.services.confirmation.deleteExpired(), 0, 'a signature younger than the link\'s life is kept')
  await app.db.update(signatures).set({ createdAt: sql`now() - interval '15 days'` })
  t.equal(await app.services.confirmation.deleteExpired(), 1, 'once its links have expired, the unconfirmed signature is deleted')
  t.same(await signatureRows(app), [])
  t.same(await app.db.select().from(mailOutbox), [], 'with its mails')

  const unknown = await app.inject({ url: `/confirm/${'x'.repeat(43)}` })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.body, /not valid/)
})

/** Everything an answer tells a client, but the request's own date. */
const visible = (response: LightMyRequestResponse) => {
  const { date: _date, ...headers } = response.headers
  return { status: response.statusCode, headers, body: response.body }
}

eachDatabase(t, 'signing with an address that already signed answers exactly as a first signature does', async (t, { app }) => {
  const { owner, slug } = await confirmationAppeal(app)
  const first = await sign(app, slug, person({ email: 'maria@example.org', name: 'María' }))
  t.equal(first.statusCode, 201)
  t.same(json(first), { status: 'pending' })
  const secondWhilePending = await sign(app, slug, person({ email: 'MARIA@example.org', name: 'Someone Else' }))
  t.same(visible(secondWhilePending), visible(first), 'while the first waits for confirmation')
  const stranger = await sign(app, slug, person({ email: 'new@example.org' }))
  t.same(visible(stranger), visible(first), 'and a first signature of another address looks the same')

  let mails = await deliverMail(app)
  t.equal(mailsTo(app, 'maria@example.org').length, 2, 'the owner of the address got a fresh link instead')
  const [firstLink, secondLink] = mailsTo(app, 'maria@example.org').map((m) => linkIn(m.text, '/confirm/'))
  t.not(firstLink?.pathname, secondLink?.pathname, 'a new one')
  await app.inject({ method: 'POST', url: secondLink!.pathname, headers: formHeaders, payload: '' })
  t.same((await signatureRows(app)).filter((r) => r.email === 'maria@example.org').map((r) => [r.name, r.status]), [['María', 'confirmed']],
    'either link confirms the one signature, as first given')

  const afterConfirmed = await sign(app, slug, person({ email: 'maria@example.org' }))
  t.same(visible(afterConfirmed), visible(first), 'and once it is confirmed')
  mails = await deliverMail(app)
  const note = mailsTo(app, 'maria@example.org')[2]
  t.match(note?.subject, /already signed/, 'the owner is told they have already signed')
  t.notMatch(note?.text ?? '', /\/confirm\//, 'with no link to confirm')
  t.ok(linkIn(note!.text, '/remove/'), 'but with the removal link')
  t.equal(mails.length, 4)

  const viaForm = (email: string) => app.inject({ method: 'POST', url: `/appeals/${slug}/sign`, headers: formHeaders, payload: form({ kind: 'individual', name: 'X', email, country: 'VE' }) })
  t.same(visible(await viaForm('maria@example.org')), visible(await viaForm('brand-new@example.org')), 'the page form answers alike too')
  t.same(await counts(app, owner, slug), { confirmed: 1, pending: 2, hidden: 0, erased: 0 }, 'and nothing more was recorded than the new signatures')
})

eachDatabase(t, 'at most three mails a day (UTC) go to an address about one appeal', async (t, { app }) => {
  const { slug } = await confirmationAppeal(app)
  const other = (await confirmationAppeal(app)).slug
  for (let i = 0; i < 6; i++) t.equal((await sign(app, slug, person({ email: 'target@example.org' }))).statusCode, 201, `attempt ${i + 1} answers as usual`)
  await sign(app, other, person({ email: 'target@example.org' }))
  await deliverMail(app)
  t.equal(mailsTo(app, 'target@example.org').length, 4, 'three about the first appeal, one about the other')
  t.equal((await app.db.select().from(confirmationTokens)).length, 4, 'no link is made that is not sent')

  await app.db.update(mailQuota).set({ day: sql`current_date - 1` })
  await sign(app, slug, person({ email: 'target@example.org' }))
  await deliverMail(app)
  t.equal(mailsTo(app, 'target@example.org').length, 5, 'a day later, another may go')
})

eachDatabase(t, 'an appeal that does not require confirmation counts at once and sends nothing', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: false })
  t.same(json(await sign(app, slug, person())), { status: 'confirmed' })
  t.same(await deliverMail(app), [])
  t.equal((await app.db.select().from(mailOutbox)).length, 0)
})

eachDatabase(t, 'a mail for a signature confirmed or erased meanwhile is not sent', async (t, { app }) => {
  const { owner, slug } = await confirmationAppeal(app)
  await sign(app, slug, person({ email: 'gone@example.org' }))
  await sign(app, slug, person({ email: 'quick@example.org' }))
  const [gone, quick] = await signatureRows(app)
  t.equal((await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/signatures/${gone!.id}`, headers: owner.auth })).statusCode, 200)
  t.same(await app.db.select().from(mailOutbox).where(eq(mailOutbox.signatureId, gone!.id)), [], 'the erased signature\'s mail is deleted')
  t.same(await app.db.select().from(confirmationTokens).where(eq(confirmationTokens.signatureId, gone!.id)), [], 'and its link')

  // Confirmed through a first mail while a second one waits: the second is not sent.
  const [claimed] = await app.services.mail.outbox.claim(1)
  t.equal(claimed?.signatureId, quick!.id)
  await sign(app, slug, person({ email: 'quick@example.org' }))
  await app.db.update(signatures).set({ status: 'confirmed' }).where(eq(signatures.id, quick!.id))
  t.same(await deliverMail(app), [], 'nobody is asked to confirm what is confirmed')
  t.same((await app.db.select().from(mailOutbox)).map((m) => m.status).sort(), ['cancelled', 'queued'], 'the waiting one is cancelled; the claimed one waits for its lease')
})
