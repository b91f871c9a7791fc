import { sql } from 'drizzle-orm'
import exifr from 'exifr'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { selectRows } from '../../src/db/connection.js'
import { fundReceipts } from '../../src/db/schema.js'
import { openBytes } from '../../src/fund/personal.js'
import { applyFundRetention } from '../../src/fund/retention.js'
import { build, json } from '../helpers/app.js'
import { appeal, organiser, type Organiser } from '../helpers/fixtures.js'
import { deliverMail, linkIn, mailsTo, pathOf } from '../helpers/mail.js'
import { multipart, phonePhoto, report, setUpFund, tinyPdf } from './fixtures.js'

/** Every row of every table, as text (as a dump, or a SELECT * of a stolen copy, reads it). */
async function dump (app: FastifyInstance): Promise<string> {
  const tables = await selectRows<{ name: string }>(app.db, sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)
  let text = ''
  for (const { name } of tables) {
    const rows = await selectRows<{ row: string }>(app.db, sql`select t::text as row from ${sql.identifier(name)} as t`)
    text += `-- ${name}\n${rows.map((r) => r.row).join('\n')}\n`
  }
  return text
}

const contributionsOf = async (app: FastifyInstance, owner: Organiser, slug: string) =>
  json(await app.inject({ url: `/api/admin/appeals/${slug}/fund/contributions`, headers: owner.auth })).items as Array<Record<string, unknown>>

t.test('the fund through the API', async (t) => {
  // A small receipt limit, so that the test of going over it sends little.
  const app = await build(t, { FUND_RECEIPT_MAX_BYTES: '1048576' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner)

  t.test('no fund until organisers switch it on', async (t) => {
    t.equal((await app.inject({ url: `/api/appeals/${slug}/fund` })).statusCode, 404)
    t.equal((await app.inject({ method: 'POST', url: `/api/appeals/${slug}/fund/contributions`, payload: report() })).statusCode, 404)
    await setUpFund(app, owner, slug)
    const settings = json(await app.inject({ url: `/api/admin/appeals/${slug}/fund`, headers: owner.auth }))
    t.match(settings, { enabled: true, goalCurrency: 'EUR', goalAmount: 300000, rates: { USD: 0.9, ARS: 0.001 }, ratesDate: '2026-05-03' })
    t.same(Object.keys(settings.texts).sort(), ['en', 'es'])
  })

  t.test('the fund\'s texts keep their lines through the API (Markdown); a spending\'s purpose is one line', async (t) => {
    const purpose = 'Hospital bills.\n\n- the operation\n- the flight home'
    const way = 'Send it to:\n\n**the family**\nIBAN on request'
    await setUpFund(app, owner, slug, { texts: { en: { purpose, ways: [{ key: 'money-transfer', title: 'Money\ntransfer', text: way }] } } })
    const settings = json(await app.inject({ url: `/api/admin/appeals/${slug}/fund`, headers: owner.auth }))
    t.equal(settings.texts.en.purpose, purpose, 'the purpose, as typed')
    t.equal(settings.texts.en.ways[0].text, way, 'a way\'s text, as typed')
    t.equal(settings.texts.en.ways[0].title, 'Money transfer', 'a title is one line')
    const spent = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/fund/spending`, headers: owner.auth, payload: { amount: 100, currency: 'EUR', date: '2026-06-12', purpose: 'Taxi\nto the hospital' } })
    t.equal(spent.statusCode, 201)
    t.match(json(await app.inject({ url: `/api/admin/appeals/${slug}/fund/spending`, headers: owner.auth })).items, [{ purpose: 'Taxi to the hospital' }])
    await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/fund/spending/${json(spent).id as string}`, headers: owner.auth })
    await setUpFund(app, owner, slug)
  })

  t.test('a report with a phone photo: the photo is stored re-encoded, without EXIF or GPS, and everything personal is sealed', async (t) => {
    const photo = await phonePhoto()
    t.ok((await exifr.gps(photo))?.latitude, 'the photo as taken has a GPS position')
    const body = multipart(report({ reference: 'MTCN-5550193', email: 'Marisol.Q@correo.example.org', name: 'Marisol Quintero', anonymous: 'on', message: '¡Fuerza, compañero!' }),
      { field: 'receipt', name: 'receipt.txt', type: 'text/plain', bytes: photo })
    const response = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/fund/contributions?lang=es`, ...body })
    t.equal(response.statusCode, 201, response.body)
    t.same(json(response), { status: 'reported', receipt: true })

    const [stored] = await app.db.select().from(fundReceipts)
    t.equal(stored?.mediaType, 'image/jpeg', 'the type is read from the content, not the name nor the claimed type')
    const bytes = openBytes(app.sealer, stored!.sealed)
    t.equal(await exifr.parse(bytes, { gps: true, tiff: true, exif: true }) ?? undefined, undefined, 'no EXIF at all survives')
    t.equal(await exifr.gps(bytes) ?? undefined, undefined, 'nor a GPS position')
    t.notOk(bytes.includes('SN-884422') || bytes.includes('PhoneCo'), 'nor the camera and its serial')

    const text = await dump(app)
    t.match(text, /-- contributions\n.*\S/, 'the dump has the contribution')
    const lower = text.toLowerCase()
    for (const secret of ['marisol.q@correo.example.org', 'correo.example.org', 'MTCN-5550193', 'Marisol Quintero', 'Quintero']) {
      t.notOk(lower.includes(secret.toLowerCase()), `the dump does not contain "${secret}"`)
    }
    for (const [label, file] of [['as sent', photo], ['as stored', bytes]] as const) {
      for (const encoding of ['base64', 'hex'] as const) {
        t.notOk(text.includes(file.subarray(100, 148).toString(encoding)), `nor the receipt's bytes ${label} (${encoding})`)
      }
    }

    const [queued] = await contributionsOf(app, owner, slug)
    t.match(queued, { status: 'reported', amount: 5000, currency: 'USD', email: 'marisol.q@correo.example.org', reference: 'MTCN-5550193', name: 'Marisol Quintero', shownName: false })
    const receipt = await app.inject({ url: queued!.receipt as string, headers: owner.auth })
    t.equal(receipt.statusCode, 200)
    t.equal(receipt.headers['content-type'], 'image/jpeg')
    t.match(receipt.headers['cache-control'], /no-store/)
    t.ok(receipt.rawPayload.equals(bytes), 'organisers get the stored file')
    t.match(queued!.receipt, /\/fund\/receipts\/[0-9a-f-]{36}$/, 'at a random address')

    const mails = await deliverMail(app)
    const received = mails.find((m) => m.to === 'marisol.q@correo.example.org')
    t.ok(received, 'the supporter is told the report arrived')
    t.equal(received?.language, 'es', 'in their language')
    t.match(received?.text, /\/fund\/remove\//, 'with the removal link')
  })

  t.test('the receipt is checked by its content and its size; nothing is written on a refusal', async (t) => {
    const before = (await contributionsOf(app, owner, slug)).length
    const fake = multipart(report(), { field: 'receipt', name: 'receipt.jpg', type: 'image/jpeg', bytes: Buffer.from('MZ\x90\x00 this is a program, not a photo') })
    const refused = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/fund/contributions`, ...fake })
    t.equal(refused.statusCode, 400)
    t.match(json(refused), { error: { code: 'VALIDATION_FAILED', fields: { receipt: /photo .*PDF/ } } })
    // A JPEG by its first bytes whose picture cannot be decoded (a photo cut short in sending).
    const broken = multipart(report(), { field: 'receipt', name: 'receipt.jpg', type: 'image/jpeg', bytes: Buffer.concat([Buffer.from([0xFF, 0xD8, 0xFF, 0xE0]), Buffer.alloc(200, 7)]) })
    const unreadable = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/fund/contributions?lang=es`, ...broken })
    t.equal(unreadable.statusCode, 400, 'a photo that cannot be decoded is refused')
    t.match(json(unreadable), { error: { code: 'VALIDATION_FAILED', fields: { receipt: /^No se pudo leer la foto/ } } }, 'saying so in the language asked for')
    const huge = multipart(report(), { field: 'receipt', name: 'r.pdf', type: 'application/pdf', bytes: Buffer.concat([tinyPdf, Buffer.alloc(1024 * 1024)]) })
    const tooLarge = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/fund/contributions`, ...huge })
    t.equal(tooLarge.statusCode, 413)
    t.equal(json(tooLarge).error.code, 'RECEIPT_TOO_LARGE')
    const bad = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/fund/contributions?lang=es`, payload: report({ amount: '12.345', way: 'carrier-pigeon', date: '2999-01-01' }) })
    t.equal(bad.statusCode, 400)
    t.match(json(bad).error.fields, { amount: /importe|monto|cantidad/i, way: String, date: String }, 'every field at once, translated')
    const spam = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/fund/contributions`, payload: report({ website: 'http://spam.example' }) })
    t.equal(spam.statusCode, 400)
    t.equal(json(spam).error.code, 'SPAM_SUSPECTED')
    t.equal((await contributionsOf(app, owner, slug)).length, before, 'no report was written')
    const pdf = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/fund/contributions`, payload: report({ amount: '20000', currency: 'ARS', receipt: tinyPdf.toString('base64'), country: 'AR', anonymous: true }) })
    t.equal(pdf.statusCode, 201, 'a PDF, sent as JSON in base64')
  })

  t.test('verification and rejection, totals per currency and converted, spending and balance', async (t) => {
    const [photoReport, pdfReport] = (await contributionsOf(app, owner, slug)).sort((a, b) => (a.id as number) - (b.id as number))
    const account = async () => json(await app.inject({ url: `/api/appeals/${slug}/fund?lang=en` })).account
    t.match(await account(), { raised: [], raisedConverted: 0, contributors: 0 }, 'reports do not count before they are verified')

    const verified = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/fund/contributions/${photoReport!.id}/verify`, headers: owner.auth })
    t.equal(json(verified).status, 'verified')
    const rejected = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/fund/contributions/${pdfReport!.id}/reject`, headers: owner.auth, payload: { reason: 'No transfer arrived with that reference.' } })
    t.match(json(rejected), { status: 'rejected', rejectionReason: 'No transfer arrived with that reference.' })
    const recorded = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/fund/contributions`, headers: owner.auth, payload: { amount: 12000, currency: 'EUR', date: '2026-06-10', way: 'cash', country: 'ES' } })
    t.equal(recorded.statusCode, 201)
    t.equal(json(recorded).status, 'verified', 'recorded by an organiser: verified at once')
    const ars = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/fund/contributions`, headers: owner.auth, payload: { amount: 15000000, currency: 'ARS', date: '2026-06-11', country: 'AR', name: 'Comisión interna' } })
    t.equal(ars.statusCode, 201)
    const spent = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/fund/spending`, headers: owner.auth, payload: { amount: 10000, currency: 'EUR', date: '2026-06-12', purpose: 'Medicines', receipt: tinyPdf.toString('base64'), receiptPublic: true } })
    t.equal(spent.statusCode, 201)

    const now = await account()
    t.same(now.raised, [{ currency: 'ARS', amount: 15000000 }, { currency: 'EUR', amount: 12000 }, { currency: 'USD', amount: 5000 }], 'raised per currency, verified only')
    t.equal(now.raisedConverted, 4500 + 12000 + 15000, '50 USD at 0.9 + 120 EUR + 150,000 ARS at 0.001, in euro cents')
    t.equal(now.progress, 31500 / 300000)
    t.equal(now.contributors, 3)
    t.equal(now.countries, 3)
    t.same(now.byMonth, [{ month: '2026-05', amount: 4500 }, { month: '2026-06', amount: 27000 }])
    t.equal(now.spentConverted, 10000)
    t.equal(now.balance, 21500)
    t.match(now.spending, [{ purpose: 'Medicines', amount: 10000, currency: 'EUR', receipt: /[0-9a-f-]{36}/ }])
    t.match(now.supporters, [{ name: 'Comisión interna' }, { name: null, message: '¡Fuerza, compañero!' }], 'names only where shown, messages of verified contributions')
    const publicReceipt = await app.inject({ url: `/api/appeals/${slug}/fund/receipts/${now.spending[0].receipt}` })
    t.equal(publicReceipt.statusCode, 200, 'a spending receipt made public is public')
    t.equal((await app.inject({ url: `/api/appeals/${slug}/fund/receipts/${(photoReport!.receipt as string).split('/').pop()}` })).statusCode, 404, 'a contribution\'s never is')

    const mails = await deliverMail(app)
    t.ok(mails.some((m) => m.to === 'marisol.q@correo.example.org' && /comprobado/.test(m.subject)), 'the verified supporter is told, in Spanish')
    t.equal(mailsTo(app, 'ana.report@example.org').filter((m) => m.text.includes('No transfer arrived with that reference.')).length, 1, 'the rejected one is told why')
  })

  t.test('exports of contributions and of spending', async (t) => {
    const csv = await app.inject({ url: `/api/admin/appeals/${slug}/fund/contributions.csv`, headers: owner.auth })
    t.equal(csv.statusCode, 200)
    t.match(csv.headers['content-type'], /text\/csv/)
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n')
    t.equal(lines[0], 'id,status,source,date,amount,currency,way,country,name,name_shown,email,reference,message,rejection_reason,reported_at,decided_at,erased_at')
    t.equal(lines.length, 5)
    t.ok(lines.some((l) => l.includes(',verified,report,2026-05-02,50.00,USD,money-transfer,VE,Marisol Quintero,no,marisol.q@correo.example.org,MTCN-5550193,')))
    t.ok(lines.some((l) => l.includes(',verified,organiser,2026-06-11,150000.00,ARS,')))
    const spending = await app.inject({ url: `/api/admin/appeals/${slug}/fund/spending.csv`, headers: owner.auth })
    t.same(spending.body.replace(/^\uFEFF/, '').trim().split('\r\n'), ['date,amount,currency,purpose,receipt', '2026-06-12,100.00,EUR,Medicines,public'])
  })

  t.test('erasure (by the organiser, by the supporter\'s link, by retention) keeps the account right', async (t) => {
    const before = json(await app.inject({ url: `/api/appeals/${slug}/fund` })).account
    const link = linkIn(mailsTo(app, 'marisol.q@correo.example.org')[0]!.text, '/fund/remove/')
    t.equal((await app.inject({ url: pathOf(link) })).statusCode, 200, 'opening the link changes nothing')
    t.equal((await contributionsOf(app, owner, slug)).filter((c) => c.email !== null).length, 2)
    const removed = await app.inject({ method: 'POST', url: pathOf(link), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
    t.equal(removed.statusCode, 200)
    const items = await contributionsOf(app, owner, slug)
    const erased = items.find((c) => c.amount === 5000)!
    t.match(erased, { status: 'verified', email: null, reference: null, name: null, message: null, receipt: null, erased: true, amount: 5000, currency: 'USD', country: 'VE', date: '2026-05-02' })
    const text = (await dump(app)).toLowerCase()
    t.notOk(text.includes('mtcn-5550193'), 'erased: not even sealed')
    const other = items.find((c) => c.currency === 'ARS' && c.source === 'report')!
    const byOrganiser = await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/fund/contributions/${other.id}/personal`, headers: owner.auth })
    t.match(json(byOrganiser), { erased: true, email: null, amount: 2000000 })
    const after = json(await app.inject({ url: `/api/appeals/${slug}/fund` })).account
    t.same({ ...after, supporters: [], updatedAt: null }, { ...before, supporters: [], updatedAt: null }, 'every total as before')
    t.same(after.supporters.map((s: { message: string | null }) => s.message), [null], 'the erased message is gone, the recorded name stays')

    await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/close`, headers: owner.auth })
    t.same(await applyFundRetention(app.db, new Date(Date.now() + 400 * 86_400_000)), { anonymised: 4 })
    const kept = json(await app.inject({ url: `/api/admin/appeals/${slug}/fund/contributions`, headers: owner.auth })).items
    t.ok(kept.every((c: Record<string, unknown>) => c.name === null && c.erased === true), 'after retention no one is named')
    const final = json(await app.inject({ url: `/api/appeals/${slug}/fund` })).account
    t.same(final.raised, before.raised, 'and the account still adds up')
    t.equal(final.balance, before.balance)
  })

  t.test('an organiser of another appeal gets 404 for every fund route and receipt', async (t) => {
    const owner = await organiser(app)
    const stranger = await organiser(app)
    await appeal(app, stranger)
    const slug = await appeal(app, owner)
    await setUpFund(app, owner, slug)
    t.equal((await app.inject({ method: 'POST', url: `/api/appeals/${slug}/fund/contributions`, payload: report({ receipt: tinyPdf.toString('base64') }) })).statusCode, 201)
    const [item] = await contributionsOf(app, owner, slug)
    const spent = json(await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/fund/spending`, headers: owner.auth, payload: { amount: 100, currency: 'EUR', date: '2026-06-12', purpose: 'Taxi', receipt: tinyPdf.toString('base64') } }))
    const base = `/api/admin/appeals/${slug}/fund`
    const routes: Array<[string, string, unknown?]> = [
      ['GET', base], ['PUT', base, { enabled: false, goalCurrency: 'EUR', goalAmount: null, rates: {}, ratesDate: null, texts: {} }],
      ['GET', `${base}/contributions`], ['POST', `${base}/contributions`, { amount: 100, currency: 'EUR', date: '2026-06-01' }],
      ['GET', `${base}/contributions/${item!.id}`], ['POST', `${base}/contributions/${item!.id}/verify`],
      ['POST', `${base}/contributions/${item!.id}/reject`, { reason: 'x' }], ['DELETE', `${base}/contributions/${item!.id}/personal`],
      ['GET', item!.receipt as string], ['GET', `${base}/spending`], ['POST', `${base}/spending`, { amount: 100, currency: 'EUR', date: '2026-06-01', purpose: 'x' }],
      ['DELETE', `${base}/spending/${spent.id}`], ['GET', `${base}/contributions.csv`], ['GET', `${base}/spending.csv`]
    ]
    for (const [method, url, payload] of routes) {
      const response = await app.inject({ method: method as 'GET', url, headers: stranger.auth, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) })
      t.equal(response.statusCode, 404, `${method} ${url}`)
    }
    t.equal((await contributionsOf(app, owner, slug))[0]!.status, 'reported', 'and nothing changed')
  })

  t.test('erasing a person by email (the organisers\' erasure) empties their reports to the fund too, and keeps the amounts', async (t) => {
    const other = await appeal(app, owner)
    await setUpFund(app, owner, other)
    const sent = await app.inject({ method: 'POST', url: `/api/appeals/${other}/fund/contributions`, payload: report({ email: 'asks.to.go@example.org', amount: '7' }), remoteAddress: '203.0.113.90' })
    t.equal(sent.statusCode, 201, sent.body)
    const erased = json(await app.inject({ method: 'POST', url: '/api/admin/erasures', headers: owner.auth, payload: { email: 'Asks.To.Go@Example.org' } }))
    t.equal(erased.contributions, 1, 'one report emptied')
    const [kept] = await contributionsOf(app, owner, other)
    t.match(kept, { email: null, name: null, erased: true, amount: 700, currency: 'USD', country: 'VE' })
  })
})
