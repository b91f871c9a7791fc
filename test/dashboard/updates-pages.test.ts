import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build, json } from '../helpers/app.js'
import { appealWithViewer, decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { person, sign } from '../helpers/fixtures.js'

// The updates' dashboard pages without JavaScript: writing one (refused without the original's subject,
// nothing saved), editing, previewing a language without its text, scheduling (a bad time, a second
// send), pausing, the organisers' own texts, and what a viewer or a wrong id are answered.

const app = await build(t)
const { owner, viewer, slug, b } = await appealWithViewer(app)
if ((await sign(app, slug, person({ contact: true }))).statusCode !== 201) throw new Error('signing failed')
const base = `/admin/appeals/${slug}/updates`
let id = ''
const detail = async (): Promise<Record<string, any>> => json(await app.inject({ url: `/api/admin/appeals/${slug}/updates/${id}`, headers: owner.auth }))
const list = async (): Promise<Array<Record<string, any>>> => json(await app.inject({ url: `/api/admin/appeals/${slug}/updates`, headers: owner.auth }))

t.test('no update yet; one without the original\'s subject is refused and nothing is saved', async (t) => {
  t.match(decodeHtml((await b.get(base)).body), /No updates yet\./)
  const refused = await b.post(base, { subject_en: '', body_en: 'Only a body.', subject_es: 'Hola' })
  t.equal(refused.statusCode, 400)
  const page = decodeHtml(refused.body)
  t.match(page, /class="form-errors"/)
  t.match(page, /href="#field-subject_en"/, 'the error names the form\'s field')
  t.match(page, /name="subject_es"[^>]*value="Hola"/, 'what was typed is kept')
  t.same(await list(), [])
})

t.test('written, edited (a refused edit changes nothing), previewed in a language it lacks', async (t) => {
  const created = await b.post(base, { subject_en: 'The hearing is on Friday', body_en: 'Come to the **hearing**.', countries: 've, gb', kind_individual: 'on' })
  t.equal(created.statusCode, 303)
  id = /updates\/([0-9a-f-]{36})\?done=saved$/.exec(created.headers.location as string)?.[1] ?? ''
  t.ok(id, String(created.headers.location))
  const shown = decodeHtml((await b.get(created.headers.location as string)).body)
  t.match(shown, /<p class="notice" role="status">Saved\.<\/p>/)
  t.match(shown, /It would reach 1 person now\./)
  t.match(decodeHtml((await b.get(`${base}/${id}?done=nonsense`)).body), /^(?![\s\S]*class="notice")/, 'an unknown notice says nothing')

  const refused = await b.post(`${base}/${id}`, { subject_en: '', body_en: 'Changed.' })
  t.equal(refused.statusCode, 400)
  t.match(decodeHtml(refused.body), /href="#field-subject_en"/)
  t.equal((await detail()).texts.en.subject, 'The hearing is on Friday', 'unchanged')
  const edited = await b.post(`${base}/${id}`, { subject_en: 'The hearing moved to Monday', body_en: 'Monday.', subject_es: 'La audiencia es el lunes', body_es: 'Lunes.' })
  t.equal(edited.statusCode, 303)
  t.match(await detail(), { texts: { en: { subject: 'The hearing moved to Monday' }, es: { subject: 'La audiencia es el lunes' } }, countries: [] })

  const spanish = decodeHtml((await b.get(`${base}/${id}/preview?language=es`)).body)
  t.match(spanish, /<article class="mail-preview panel" lang="es" dir="ltr">/)
  t.match(spanish, /La audiencia es el lunes/)
  t.notMatch(spanish, /No text in this language/)
  const french = decodeHtml((await b.get(`${base}/${id}/preview?language=fr`)).body)
  t.match(french, /No text in this language: its readers get the original \(English\)\./)
  t.match(french, /lang="en"[^>]*>[\s\S]*The hearing moved to Monday/)
  t.match(decodeHtml((await b.get(`${base}/${id}/preview?language=xx`)).body), /lang="en"/, 'an unknown language: the original')
})

t.test('scheduling: a time that is no time is refused, then set; a second send is refused; pausing', async (t) => {
  const page = `${base}/${id}`
  const refused = await b.post(`${page}/send`, { at: 'next friday' })
  t.equal(refused.statusCode, 400)
  t.match(decodeHtml(refused.body), /class="form-errors"/)
  t.equal((await list())[0]!.status, 'draft', 'still a draft')

  const scheduled = await b.post(`${page}/send`, { at: '2099-05-01T09:30' })
  t.equal(scheduled.statusCode, 303)
  t.equal(scheduled.headers.location, `${page}?done=scheduled`)
  const shown = decodeHtml((await b.get(scheduled.headers.location as string)).body)
  t.match(shown, /<strong class="update-status">Scheduled<\/strong> \(<time datetime="2099-05-01T09:30:00.000Z">2099-05-01 09:30 UTC<\/time>\)/)
  t.match(shown, /updates\/[0-9a-f-]+\/pause"/, 'it may be paused')
  t.equal((await list())[0]!.status, 'scheduled')

  const again = await b.post(`${page}/send`, {})
  t.equal(again.statusCode, 409)
  t.match(decodeHtml(again.body), /<div class="form-errors" role="alert"[^>]*><p>This update can no longer be changed that way: it has been sent, scheduled or paused\.<\/p>/, 'saying why')
  t.equal((await detail()).scheduledAt, '2099-05-01T09:30:00.000Z', 'the time set stays')
  const paused = await b.post(`${page}/pause`)
  t.equal(paused.statusCode, 303)
  t.equal(paused.headers.location, `${page}?done=paused`)
  t.match(decodeHtml((await b.get(paused.headers.location as string)).body), /Paused: no more mail goes out until you resume\.[\s\S]*updates\/[0-9a-f-]+\/resume"/)
  t.equal((await list())[0]!.status, 'paused')
})

t.test('the organisers\' own texts: refused when too long, saved per language', async (t) => {
  const messages = `/admin/appeals/${slug}/messages`
  const refused = await b.post(`${messages}?language=es`, { thanksNext: 'x'.repeat(2001), confirmNote: '' })
  t.equal(refused.statusCode, 400)
  t.match(decodeHtml(refused.body), /class="form-errors"/)
  const saved = await b.post(`${messages}?language=es`, { thanksNext: 'Comparte el llamamiento.', confirmNote: '' })
  t.equal(saved.statusCode, 303)
  t.equal(saved.headers.location, `${messages}?language=es&done=saved`)
  const shown = decodeHtml((await b.get(saved.headers.location as string)).body)
  t.match(shown, /<p class="notice" role="status">Saved\.<\/p>/)
  t.match(shown, /<textarea id="field-thanksNext"[^>]*>Comparte el llamamiento\.<\/textarea>/)
  t.notMatch(decodeHtml((await b.get(`${messages}?language=en`)).body), /Comparte el llamamiento/, 'English keeps the default')
})

t.test('a wrong id is not found; a viewer may not write updates', async (t) => {
  for (const url of [`${base}/${randomUUID()}`, `${base}/${randomUUID()}/preview`]) t.equal((await b.get(url)).statusCode, 404, url)
  t.equal((await b.post(`${base}/${randomUUID()}/send`)).statusCode, 404)
  const asViewer = await signedInBrowser(app, viewer)
  t.equal((await asViewer.get(base)).statusCode, 403)
  t.equal((await asViewer.post(base, { subject_en: 'Spam', body_en: 'Spam.' })).statusCode, 403)
  t.equal((await list()).length, 1, 'nothing written')
})
