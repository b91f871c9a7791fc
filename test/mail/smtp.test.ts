import { sql } from 'drizzle-orm'
import t from 'tap'
import { mailOutbox } from '../../src/db/schema.js'
import { build, json } from '../helpers/app.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'
import { linkIn, pathOf, smtpServer } from '../helpers/mail.js'

// Mail through SMTP_URL, to a real SMTP server the test starts (smtp-server), parsed as a mail client would.

t.test('a confirmation mail is delivered over SMTP, in the signer\'s language, as text and HTML', async (t) => {
  const smtp = await smtpServer(t)
  const app = await build(t, { SMTP_URL: smtp.url, MAIL_FROM: 'Solidaria <appeals@solidaria.example.org>', PUBLIC_URL: 'https://solidaria.example.org' })
  t.equal(app.mailSender.mode, 'smtp')
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  t.equal((await app.inject({ method: 'PUT', url: `/api/admin/appeals/${slug}/texts/es`, headers: owner.auth, payload: { title: 'Manos fuera de Venezuela' } })).statusCode, 200)
  t.equal((await sign(app, slug, person({ email: 'Lucia@Example.org', name: 'Lucía Ramos' }), { 'accept-language': 'es-VE,es;q=0.9' })).statusCode, 201)

  t.match(await app.services.mail.worker.runOnce(), { sent: 1, retried: 0, failed: 0 })
  const [mail] = await smtp.received(1)
  t.equal(mail?.to && 'text' in mail.to ? mail.to.text : undefined, 'lucia@example.org')
  t.same(mail?.from?.value, [{ name: 'Solidaria', address: 'appeals@solidaria.example.org' }], 'from MAIL_FROM')
  t.equal(mail?.subject, 'Confirma tu firma: Manos fuera de Venezuela', 'the Spanish subject, with the Spanish title')
  t.equal(mail?.headers.get('content-language'), 'es')
  t.equal(mail?.headers.get('auto-submitted'), 'auto-generated')
  t.match(mail?.text, /Hola, Lucía Ramos/)
  const link = linkIn(mail!.text ?? '', '/confirm/')
  t.equal(link.origin, 'https://solidaria.example.org', 'links use PUBLIC_URL, never the address a request came to')
  t.match(String(mail?.html), /<html lang="es" dir="ltr">/)
  t.match(String(mail?.html), link.pathname, 'the HTML part carries the link too')
  t.ok(linkIn(mail!.text ?? '', '/remove/'), 'and the removal link')

  const confirmed = await app.inject({ method: 'POST', url: pathOf(link), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
  t.equal(confirmed.statusCode, 303, 'the mailed link confirms')
  t.equal(json(await app.inject({ url: `/api/admin/appeals/${slug}`, headers: owner.auth })).counts.confirmed, 1)
})

t.test('an Arabic mail is written right to left', async (t) => {
  const smtp = await smtpServer(t)
  const app = await build(t, { SMTP_URL: smtp.url, PUBLIC_URL: 'https://solidaria.example.org' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  await sign(app, slug, person({ email: 'samir@example.org', locale: 'ar' }))
  await app.services.mail.worker.runOnce()
  const [mail] = await smtp.received(1)
  t.match(String(mail?.html), /<html lang="ar" dir="rtl">/)
  t.match(String(mail?.html), /<span lang="en" dir="ltr">Hands off Venezuela<\/span>/, 'the English title is marked as English inside the Arabic text')
})

t.test('a server that refuses for now gets the mail later, with a growing delay, and the error keeps no address', async (t) => {
  const smtp = await smtpServer(t)
  const app = await build(t, { SMTP_URL: smtp.url, PUBLIC_URL: 'https://solidaria.example.org' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  await sign(app, slug, person({ email: 'busy@example.org' }))

  smtp.refuseNext(2)
  t.match(await app.services.mail.worker.runOnce(), { sent: 0, retried: 1 })
  let [row] = await app.db.select().from(mailOutbox)
  t.equal(row?.status, 'queued', 'still queued')
  t.equal(row?.attempts, 1)
  t.ok(row!.nextAttemptAt.getTime() > Date.now() + 20_000, 'tried again in about 30 seconds')
  t.notMatch(row?.lastError ?? '', /busy@example\.org/, 'the stored error names no address')
  t.match(await app.services.mail.worker.runOnce(), { sent: 0, retried: 0 }, 'nothing is due before then')

  await app.db.update(mailOutbox).set({ nextAttemptAt: sql`now()` })
  t.match(await app.services.mail.worker.runOnce(), { retried: 1 })
  ;[row] = await app.db.select().from(mailOutbox)
  const delay = row!.nextAttemptAt.getTime() - Date.now()
  t.ok(delay > 50_000 && delay < 70_000, 'the second delay is twice the first')

  await app.db.update(mailOutbox).set({ nextAttemptAt: sql`now()` })
  t.match(await app.services.mail.worker.runOnce(), { sent: 1 })
  t.equal((await smtp.received(1)).length, 1, 'the third attempt delivers')
  ;[row] = await app.db.select().from(mailOutbox)
  t.match(row, { status: 'sent', sealed: null, lastError: null, attempts: 3 }, 'a sent mail keeps no link')
})

t.test('a mail is given up after ten attempts', async (t) => {
  const smtp = await smtpServer(t)
  const app = await build(t, { SMTP_URL: smtp.url, PUBLIC_URL: 'https://solidaria.example.org' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  await sign(app, slug, person({ email: 'nowhere@example.org' }))
  smtp.refuseNext(100)
  for (let i = 0; i < 10; i++) {
    await app.services.mail.worker.runOnce()
    await app.db.update(mailOutbox).set({ nextAttemptAt: sql`now()` })
  }
  const [row] = await app.db.select().from(mailOutbox)
  t.match(row, { status: 'failed', attempts: 10, sealed: null })
  t.same(smtp.messages, [])
})
