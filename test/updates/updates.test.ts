import type { AddressInfo } from 'node:net'
import { eq } from 'drizzle-orm'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import t from 'tap'
import { mailOutbox, mailSuppressions, signatures } from '../../src/db/schema.js'
import { build, json } from '../helpers/app.js'
import { appeal, byEmail, idOf, organisation, organiser, person, sign } from '../helpers/fixtures.js'
import { linkIn, pathOf } from '../helpers/mail.js'

// Updates to signers end to end on one app, over a real SMTP server that refuses one address for good.

const REFUSED = 'bounce@example.org'
const PUBLIC = 'https://solidaria.example.org'

t.test('updates, unsubscribing, refusals and the organisers\' own texts', async (t) => {
  const messages: ParsedMail[] = []
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo (address, _session, callback) {
      if (address.address === REFUSED) callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 }))
      else callback()
    },
    onData (stream, _session, callback) { simpleParser(stream).then((parsed) => { messages.push(parsed); callback() }, callback) }
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { smtp.close(() => resolve()) }))
  const app = await build(t, { SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, PUBLIC_URL: PUBLIC, RATE_LIMIT_SIGN_MAX: '1000' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await app.inject({ method: 'PUT', url: `/api/admin/appeals/${slug}/texts/es`, headers: owner.auth, payload: { title: 'Manos fuera de Venezuela' } })).statusCode, 200)
  const to = (m: ParsedMail): string => m.to !== undefined && 'text' in m.to ? m.to.text : ''
  const mailsTo = (address: string) => messages.filter((m) => to(m) === address)

  for (const body of [
    person({ email: 'lucia@example.org', country: 'VE', contact: true, locale: 'es', name: 'Lucía' }),
    person({ email: 'marie@example.org', country: 'VE', contact: true, locale: 'fr' }),
    person({ email: 'tom@example.org', country: 'GB', contact: true, locale: 'en' }),
    person({ email: 'quiet@example.org', country: 'VE', contact: false, locale: 'es' }),
    organisation({ email: 'union@example.org', country: 'VE', contact: true }),
    person({ email: 'spam@example.org', country: 'VE', contact: true }),
    person({ email: REFUSED, country: 'GB', contact: true })
  ]) t.equal((await sign(app, slug, body)).statusCode, 201)
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/signatures/${await idOf(app, 'spam@example.org')}/hide`, headers: owner.auth })).statusCode, 200)
  // One who has not confirmed yet: the appeal asks for confirmation from here on.
  t.equal((await app.inject({ method: 'PATCH', url: `/api/admin/appeals/${slug}`, headers: owner.auth, payload: { requireConfirmation: true } })).statusCode, 200)
  t.equal((await sign(app, slug, person({ email: 'waiting@example.org', country: 'VE', contact: true }))).statusCode, 201)
  // Someone already confirmed signs again: the "already signed" mail.
  t.equal((await sign(app, slug, person({ email: 'tom@example.org', country: 'GB' }))).statusCode, 201)

  const { updates, mail } = app.services
  const write = async (payload: Record<string, unknown>) => {
    const created = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/updates`, headers: owner.auth, payload })
    t.equal(created.statusCode, 201, created.body)
    return json(created).id as string
  }

  t.test('the original language is required', async (t) => {
    const refused = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/updates`, headers: owner.auth, payload: { texts: { es: { subject: 'Hola', body: 'Hola' } } } })
    t.equal(refused.statusCode, 400)
    t.equal(json(refused).error.code, 'UPDATE_ORIGINAL_REQUIRED')
  })

  let first: string
  t.test('an update to a narrowed audience reaches exactly the consenting, confirmed, shown signers, each in their language', async (t) => {
    first = await write({
      texts: { en: { subject: 'The hearing is on Friday', body: 'Come to the **hearing**.' }, es: { subject: 'La audiencia es el viernes', body: 'Ven a la **audiencia**.' } },
      countries: ['VE'],
      kinds: ['individual']
    })
    t.same(json(await app.inject({ url: `/api/admin/appeals/${slug}/updates/${first}/audience`, headers: owner.auth })), { recipients: 2 })
    const preview = json(await app.inject({ url: `/api/admin/appeals/${slug}/updates/${first}/preview?language=es`, headers: owner.auth }))
    t.equal(preview.subject, 'La audiencia es el viernes')
    t.match(preview.html, /<strong>audiencia<\/strong>/)
    t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/updates/${first}/test`, headers: owner.auth })).statusCode, 204)
    t.equal(json(await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/updates/${first}/send`, headers: owner.auth, payload: {} })).status, 'scheduled')
    t.equal(await updates.queueDue(), 2, 'one mail queued per recipient')
    t.equal(await updates.queueDue(), 0, 'and never queued twice')
    await mail.worker.runOnce()
    const updateMails = messages.filter((m) => /hearing|audiencia/.test(m.subject ?? '') && !(m.subject ?? '').startsWith('[Test]'))
    t.same(updateMails.map(to).sort(), ['lucia@example.org', 'marie@example.org'])
    t.equal(mailsTo('lucia@example.org')[0]?.subject, 'La audiencia es el viernes', 'Spanish for the Spanish signer')
    t.equal(mailsTo('marie@example.org')[0]?.subject, 'The hearing is on Friday', 'the original where the update has no French')
    t.match(String(mailsTo('lucia@example.org')[0]?.html), /Hola, Lucía/)
    const detail = json(await app.inject({ url: `/api/admin/appeals/${slug}/updates/${first}`, headers: owner.auth }))
    t.match(detail, { status: 'sent', recipients: 2, progress: { sent: 2, queued: 0 } })
    t.equal(mailsTo(owner.email).length, 1, 'the test went to the organiser alone')
    t.match(mailsTo(owner.email)[0]?.subject, /^\[Test\] The hearing/)
  })

  t.test('every kind of mail carries List-Unsubscribe (RFC 8058) and a Message-ID under the public host', async (t) => {
    const kinds = {
      confirm: mailsTo('waiting@example.org')[0],
      alreadySigned: mailsTo('tom@example.org').find((m) => /already signed/.test(m.subject ?? '')),
      update: mailsTo('lucia@example.org')[0],
      test: mailsTo(owner.email)[0]
    }
    for (const [kind, parsed] of Object.entries(kinds)) {
      t.ok(parsed, `a ${kind} mail arrived`)
      const list = parsed?.headers.get('list') as { unsubscribe?: { url?: string } } | undefined
      t.match(list?.unsubscribe?.url, /^https:\/\/solidaria\.example\.org\//, `${kind}: List-Unsubscribe is an https link on the public host`)
      t.ok(parsed?.headerLines.some((h) => h.line === 'List-Unsubscribe-Post: List-Unsubscribe=One-Click'), `${kind}: one click`)
      t.match(parsed?.messageId, /^<[^@>]+@solidaria\.example\.org>$/, `${kind}: Message-ID under the public host`)
      if (kind !== 'test') t.ok(linkIn(parsed?.text ?? '', '/unsubscribe/'), `${kind}: and a visible unsubscribe link`)
    }
  })

  t.test('one-click unsubscribe without a session withdraws consent; the next update skips that person; the page can undo', async (t) => {
    const url = new URL((mailsTo('lucia@example.org')[0]?.headers.get('list') as { unsubscribe: { url: string } }).unsubscribe.url)
    t.equal((await app.inject({ url: pathOf(url) })).statusCode, 200, 'opening the link changes nothing')
    t.equal((await app.db.select().from(signatures).where(byEmail(app, 'lucia@example.org')))[0]?.contact, true)
    const clicked = await app.inject({ method: 'POST', url: pathOf(url), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
    t.equal(clicked.statusCode, 200)
    t.match(clicked.body, /Deshacer|Seguir recibiendo correos/, 'the page, in the mail\'s language, offers to undo')
    t.equal((await app.db.select().from(signatures).where(byEmail(app, 'lucia@example.org')))[0]?.contact, false, 'consent withdrawn')
    const multipart = await app.inject({ method: 'POST', url: pathOf(url), headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n' })
    t.equal(multipart.statusCode, 200, 'a multipart one-click POST is taken too')

    const second = await write({ texts: { en: { subject: 'We delivered 1,500 signatures', body: 'Thank you.' } } })
    await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/updates/${second}/send`, headers: owner.auth, payload: {} })
    t.equal(await updates.queueDue(), 4, 'marie, tom, union, the refused address and nobody else')
    await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/updates/${second}/pause`, headers: owner.auth })
    const before = messages.length
    await mail.worker.runOnce()
    t.equal(messages.length, before, 'paused: nothing goes out')
    t.equal(json(await app.inject({ url: `/api/admin/appeals/${slug}/updates/${second}`, headers: owner.auth })).progress.queued, 4)
    t.equal(json(await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/updates/${second}/resume`, headers: owner.auth })).status, 'sending')
    await mail.worker.runOnce()
    const delivered = messages.filter((m) => m.subject === 'We delivered 1,500 signatures').map(to).sort()
    t.same(delivered, ['marie@example.org', 'tom@example.org', 'union@example.org'], 'resumed; not to the one who unsubscribed, nor to the refused address')
    t.match(json(await app.inject({ url: `/api/admin/appeals/${slug}/updates/${second}`, headers: owner.auth })), { status: 'sent', progress: { sent: 3, failed: 1 } })

    const undo = await app.inject({ method: 'POST', url: pathOf(url).replace('/unsubscribe/', '/resubscribe/'), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
    t.equal(undo.statusCode, 200)
    t.equal((await app.db.select().from(signatures).where(byEmail(app, 'lucia@example.org')))[0]?.contact, true, 'undone')
  })

  t.test('a permanent refusal (5xx) stops all mail to that address', async (t) => {
    const [row] = await app.db.select().from(signatures).where(byEmail(app, REFUSED))
    t.equal((await app.db.select().from(mailSuppressions).where(eq(mailSuppressions.emailHash, row!.emailHash!))).length, 1, 'the address is suppressed')
    const refused = await app.db.select().from(mailOutbox).where(eq(mailOutbox.signatureId, row!.id))
    t.match(refused, [{ status: 'failed', attempts: 1 }], 'given up at once, not retried')
    const third = await write({ texts: { en: { subject: 'Third', body: 'Third.' } }, countries: ['GB'] })
    t.same(json(await app.inject({ url: `/api/admin/appeals/${slug}/updates/${third}/audience`, headers: owner.auth })), { recipients: 1 }, 'only tom; the refused address is left out')
  })

  t.test('a sent update cannot be changed', async (t) => {
    const changed = await app.inject({ method: 'PUT', url: `/api/admin/appeals/${slug}/updates/${first}`, headers: owner.auth, payload: { texts: { en: { subject: 'x', body: 'y' } } } })
    t.equal(changed.statusCode, 409)
    t.equal(json(changed).error.code, 'UPDATE_LOCKED')
  })

  t.test('the organisers\' thank-you text shows, and their paragraph opens the confirmation mail', async (t) => {
    const before = await app.inject({ url: `/appeals/${slug}/thanks` })
    t.match(before.body, /to the authorities this appeal addresses/, 'the default')
    const put = await app.inject({ method: 'PUT', url: `/api/admin/appeals/${slug}/messages/en`, headers: owner.auth, payload: { thanksNext: 'We hand the signatures to the embassy on Friday.', confirmNote: 'Thank you, comrade.' } })
    t.equal(put.statusCode, 200)
    t.match((await app.inject({ url: `/appeals/${slug}/thanks` })).body, /We hand the signatures to the embassy on Friday\./)
    t.match((await app.inject({ url: `/appeals/${slug}/thanks?lang=es` })).body, /<p class="organisers-text" lang="en" dir="ltr">We hand the signatures/, 'the original where Spanish has none, marked as English')
    t.equal((await sign(app, slug, person({ email: 'late@example.org', country: 'VE' }))).statusCode, 201)
    await mail.worker.runOnce()
    t.match(mailsTo('late@example.org')[0]?.text, /Thank you, comrade\./)
  })
})
