import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build, json } from '../helpers/app.js'
import { appealWithViewer, decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { organiser } from '../helpers/fixtures.js'
import { report, tinyPdf } from '../fund/fixtures.js'

// The fund's dashboard page without JavaScript: the settings form (rates, goal and ways typed as text),
// contributions recorded by hand, spending with its receipt, refusals re-rendered in the organiser's
// language with nothing written, and what a viewer, an outsider or a wrong id are answered.

const app = await build(t)
const { owner, viewer, slug, b } = await appealWithViewer(app)
const translated = await app.inject({ method: 'PUT', url: `/api/admin/appeals/${slug}/texts/es`, headers: owner.auth, payload: { title: 'Fuera las manos', summary: 'Un fondo', body: 'Texto.', demands: [] } })
if (translated.statusCode !== 200) throw new Error(translated.body)
// The same organiser reading in Spanish (?lang= is remembered in a cookie, so a browser of its own).
const es = await signedInBrowser(app, owner)
const page = `/admin/appeals/${slug}/fund`

const settingsOf = async () => app.inject({ url: `/api/admin/appeals/${slug}/fund`, headers: owner.auth })
const contributions = async (): Promise<Array<Record<string, any>>> => json(await app.inject({ url: `/api/admin/appeals/${slug}/fund/contributions`, headers: owner.auth })).items
const spendingIds = async (): Promise<string[]> => [...decodeHtml((await b.get(page)).body).matchAll(/fund\/spending\/([0-9a-f-]{36})\/remove/g)].map((m) => m[1]!)

t.test('before the fund is set up: empty lists, no totals, no snippet, in the organiser\'s language', async (t) => {
  const en = await b.get(page)
  t.equal(en.statusCode, 200)
  const text = decodeHtml(en.body)
  t.match(text, /No report is waiting\./)
  t.match(text, /No contribution yet\./)
  t.match(text, /Nothing spent yet\./)
  t.notMatch(text, /id="totals-heading"/, 'no account to total')
  t.notMatch(text, /id="embed-heading"/, 'no counter to embed')
  t.match(text, /<fieldset lang="es">/, 'a text for each of the appeal\'s languages')
  const spanish = decodeHtml((await es.get(`${page}?lang=es`)).body)
  t.match(spanish, /No hay ningún informe esperando\./)
  t.match(spanish, /Todavía no hay gastos\./)
})

t.test('settings the form refuses are shown again, and nothing is saved', async (t) => {
  const refused = await b.post(`${page}/settings`, { enabled: 'on', goalCurrency: 'EUR', goalAmount: 'a lot', rates: 'USD 0.9', purpose_en: 'Bills' })
  t.equal(refused.statusCode, 400)
  const text = decodeHtml(refused.body)
  t.match(text, /<h2 id="settings-heading">Settings<\/h2>\s*<div class="form-errors" role="alert"[^>]*><p>Some fields need attention\.<\/p><ul><li><a href="#field-goalAmount">/,
    'the errors sit above the settings form, naming the goal')
  const badRate = await es.post(`${page}/settings`, { enabled: 'on', goalCurrency: 'EUR', goalAmount: '100', rates: 'XYZ 2' })
  t.equal(badRate.statusCode, 400)
  t.match(decodeHtml(badRate.body), /<a href="#field-rates">[^<]*Elige una moneda/, 'an unknown currency, in Spanish, linked to the rates box')
  t.match(badRate.body, /id="field-rates"/, 'which is on the page')
  const zero = await b.post(`${page}/settings`, { enabled: 'on', goalCurrency: 'EUR', rates: 'USD 0' })
  t.equal(zero.statusCode, 400)
  t.same(json(await settingsOf()), { enabled: false, goalCurrency: 'EUR', goalAmount: null, rates: {}, ratesDate: null, texts: {} }, 'still no fund')
})

t.test('the settings are saved from text: a goal, rates with a decimal comma, ways between "---" lines', async (t) => {
  const saved = await b.post(`${page}/settings`, {
    enabled: 'on', goalCurrency: 'EUR', goalAmount: '3000', rates: 'usd 0,9\nARS 0.001\n', ratesDate: '2026-05-03',
    purpose_en: 'Hospital bills.', ways_en: 'Money transfer\nSend it to **the family**.\n---\nCash at an event\n', purpose_es: '', ways_es: ''
  })
  t.equal(saved.statusCode, 303)
  t.equal(saved.headers.location, `${page}?notice=fundSaved`)
  t.match(decodeHtml((await b.get(saved.headers.location as string)).body), /The fund was saved\./)
  const settings = json(await settingsOf())
  t.match(settings, { enabled: true, goalCurrency: 'EUR', goalAmount: 300000, rates: { USD: 0.9, ARS: 0.001 }, ratesDate: '2026-05-03' })
  t.same(settings.texts.en.ways, [{ key: 'way-1', title: 'Money transfer', text: 'Send it to **the family**.' }, { key: 'way-2', title: 'Cash at an event', text: 'Cash at an event' }],
    'a way without a text says its title')
  t.notOk(settings.texts.es, 'a language left empty has no text')

  const form = decodeHtml((await b.get(page)).body)
  t.match(form, /name="goalAmount"[^>]*value="3000.00"/, 'the goal as typed back')
  t.match(form, />ARS 0\.001\nUSD 0\.9<\/textarea>/, 'the rates, one a line')
  t.match(form, /id="totals-heading"/, 'the totals, now there is a fund')
  t.match(form, /<pre class="snippet"><code><iframe src="[^"]*\/embed\/[^"]+\/fund\?lang=en"/, 'the counter\'s snippet')

  const again = await b.post(`${page}/settings`, { goalCurrency: 'EUR', purpose_en: 'Hospital bills.', ways_en: 'Bank transfer\nIBAN below.', purpose_es: 'Facturas.', ways_es: 'Giro\nAbajo.' })
  t.equal(again.statusCode, 303)
  const changed = json(await settingsOf())
  t.equal(changed.enabled, false, 'an unticked box closes the fund')
  t.equal(changed.goalAmount, null, 'an empty goal is no goal')
  t.same(changed.texts.en.ways.map((w: { key: string }) => w.key), ['way-1'], 'the first way keeps its key')
  t.same(changed.texts.es.ways, [{ key: 'way-1', title: 'Giro', text: 'Abajo.' }], 'the same key in every language')
})

t.test('a contribution recorded by hand: refused without amount and date, then recorded and verified', async (t) => {
  const refused = await es.post(`${page}/contributions`, { amount: 'mucho', currency: 'EUR', date: '' })
  t.equal(refused.statusCode, 400)
  const text = decodeHtml(refused.body)
  t.match(text, /<details open><summary>Registrar un aporte[^<]*<\/summary>\s*<div class="form-errors" role="alert"/, 'the form is open again, with its errors, in Spanish')
  t.match(text, /href="#field-amount"/)
  t.match(text, /href="#field-date"/)
  t.equal((await contributions()).length, 0, 'nothing recorded')

  const recorded = await b.post(`${page}/contributions`, { amount: '40,50', currency: 'USD', date: '2026-05-04', way: 'cash', country: 'VE', name: 'Collected at the picket' })
  t.equal(recorded.statusCode, 303)
  t.equal(recorded.headers.location, `${page}?notice=contributionRecorded`)
  const [row] = await contributions()
  t.match(row, { amount: 4050, currency: 'USD', status: 'verified', way: 'cash', country: 'VE', name: 'Collected at the picket' })
  const listed = decodeHtml((await b.get(recorded.headers.location as string)).body)
  t.match(listed, /The contribution was recorded\./)
  t.match(listed, new RegExp(`<tr id="contribution-${row!.id}">`))
  t.notMatch(listed, new RegExp(`contributions/${row!.id}/(verify|erase)"`), 'one recorded by hand is verified already and has nobody to erase')
})

t.test('reports: a rejection needs a reason, a wrong id is not found, erasing keeps the amount', async (t) => {
  await b.post(`${page}/settings`, { enabled: 'on', goalCurrency: 'EUR', purpose_en: 'Bills.', ways_en: 'Money transfer\nTo the family.' })
  const reported = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/fund/contributions`, payload: report({ way: 'way-1', reference: 'REF-9', message: 'Fuerza' }) })
  t.equal(reported.statusCode, 201, reported.body)
  const id = (await contributions()).find((c) => c.status === 'reported')!.id as number
  const queue = decodeHtml((await b.get(page)).body)
  t.match(queue, /Reference: REF-9/)
  t.match(queue, /<q>Fuerza<\/q>/)

  const noReason = await b.post(`${page}/contributions/${id}/reject`, { reason: '' })
  t.equal(noReason.statusCode, 400)
  t.equal((await contributions()).find((c) => c.id === id)!.status, 'reported', 'still waiting for a check')
  t.equal((await b.post(`${page}/contributions/999999/verify`)).statusCode, 404)
  t.equal((await b.post(`${page}/contributions/999999/erase`)).statusCode, 404)

  const erased = await b.post(`${page}/contributions/${id}/erase`)
  t.equal(erased.statusCode, 303)
  t.equal(erased.headers.location, `${page}?notice=contributionErased`)
  const after = (await contributions()).find((c) => c.id === id)!
  t.equal(after.amount, 5000, 'the amount still counts')
  t.equal(after.name, null, 'who gave is gone')
  const shown = decodeHtml((await es.get(page)).body)
  t.match(shown, new RegExp(`<tr id="contribution-${id}">[\\s\\S]*?borrado`), 'the row says erased, in Spanish')
  t.notMatch(shown, /ana\.report@example\.org/)
})

t.test('spending: refused without a purpose, recorded with its PDF receipt, removed by its id', async (t) => {
  const refused = await b.upload(`${page}/spending`, { amount: '12', currency: 'EUR', date: '2026-05-05', purpose: '' }, { field: 'receipt', name: 'bill.pdf', content: tinyPdf, type: 'application/pdf' })
  t.equal(refused.statusCode, 400)
  t.match(decodeHtml(refused.body), /<details open><summary>Record a spending/)
  t.same(await spendingIds(), [], 'nothing recorded')

  const spent = await b.upload(`${page}/spending`, { amount: '12.30', currency: 'EUR', date: '2026-05-05', purpose: 'Flight home', receiptPublic: 'on' }, { field: 'receipt', name: 'bill.pdf', content: tinyPdf, type: 'application/pdf' })
  t.equal(spent.statusCode, 303)
  t.equal(spent.headers.location, `${page}?notice=spendingAdded`)
  const listed = decodeHtml((await b.get(page)).body)
  t.match(listed, /<li>[^<]*Flight home · €12\.30/)
  const receipt = new RegExp(`(/admin/appeals/${slug}/fund/receipts/[0-9a-f-]{36})`).exec(listed)?.[1]
  t.ok(receipt, 'a link to its receipt')
  const file = await b.get(receipt!)
  t.equal(file.statusCode, 200)
  t.equal(file.headers['content-type'], 'application/pdf')
  t.match(file.headers['content-security-policy'], /sandbox/)

  t.equal((await b.get(`${page}/receipts/not-a-uuid`)).statusCode, 404)
  t.equal((await b.get(`${page}/receipts/${randomUUID()}`)).statusCode, 404)
  t.equal((await b.post(`${page}/spending/not-a-uuid/remove`)).statusCode, 404)
  t.equal((await b.post(`${page}/spending/${randomUUID()}/remove`)).statusCode, 404)
  const [id] = await spendingIds()
  const removed = await b.post(`${page}/spending/${id}/remove`)
  t.equal(removed.statusCode, 303)
  t.equal(removed.headers.location, `${page}?notice=spendingRemoved`)
  t.same(await spendingIds(), [], 'gone')
})

t.test('a viewer may not manage the fund; an outsider does not learn it exists', async (t) => {
  const before = json(await settingsOf())
  const asViewer = await signedInBrowser(app, viewer)
  t.equal((await asViewer.get(page)).statusCode, 403)
  t.equal((await asViewer.post(`${page}/settings`, { enabled: 'on', goalCurrency: 'USD' })).statusCode, 403)
  t.equal((await asViewer.post(`${page}/contributions`, { amount: '5', currency: 'EUR', date: '2026-05-01' })).statusCode, 403)
  const outsider = await signedInBrowser(app, await organiser(app))
  const hidden = await outsider.get(page)
  t.equal(hidden.statusCode, 404)
  t.notMatch(hidden.body, /Hands off Venezuela/)
  t.equal((await outsider.post(`${page}/contributions`, { amount: '5', currency: 'EUR', date: '2026-05-01' })).statusCode, 404)
  t.same(json(await settingsOf()), before, 'the settings are as they were')
  t.equal((await contributions()).length, 2, 'no contribution added')
})
