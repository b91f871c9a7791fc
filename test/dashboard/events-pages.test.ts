import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build, json } from '../helpers/app.js'
import { appealWithViewer, decodeHtml, signedInBrowser } from '../helpers/dashboard.js'

// The events' dashboard pages without JavaScript: an event refused is shown again as typed and not
// made; one added with its place and attendance shows them, its edit form holds them, a refused edit
// changes nothing; removing, a wrong id, and a viewer who reads the list but may not add.

const app = await build(t)
const { viewer, slug, b } = await appealWithViewer(app)
const base = `/admin/appeals/${slug}/events`
const listed = async (): Promise<Array<Record<string, any>>> => json(await app.inject({ url: `/api/appeals/${slug}/events` })).items
const rally = {
  title: 'Picket at the embassy', startsAt: '2030-03-14T18:30', timeZone: 'Europe/Madrid', country: 'ES', city: 'Madrid', organiser: 'CCOO Madrid',
  latitude: '40.4168', longitude: '-3.7038', link: 'https://example.org/picket', attendance: '350'
}

t.test('no event yet; one refused is shown again as typed, and none is made', async (t) => {
  t.match(decodeHtml((await b.get(base)).body), /No events yet\./)
  const refused = await b.post(base, { ...rally, title: '', timeZone: 'Mars/Olympus', latitude: '123' })
  t.equal(refused.statusCode, 400)
  const page = decodeHtml(refused.body)
  t.match(page, /class="form-errors"/)
  t.match(page, /href="#field-title"/)
  t.match(page, /href="#field-latitude"/)
  t.match(page, /name="organiser"[^>]*value="CCOO Madrid"/, 'what was typed is kept')
  t.same(await listed(), [])
})

let id = ''
t.test('an event with its place and attendance: listed, edited (a refused edit changes nothing), removed', async (t) => {
  const made = await b.post(base, rally)
  t.equal(made.statusCode, 303)
  t.equal(made.headers.location, `${base}?notice=eventAdded`)
  const [event] = await listed()
  id = event!.id
  t.match(event, { title: 'Picket at the embassy', startsAt: '2030-03-14T17:30:00.000Z', timeZone: 'Europe/Madrid', latitude: 40.4168, longitude: -3.7038, attendance: 350 })
  const list = decodeHtml((await b.get(made.headers.location as string)).body)
  t.match(list, /The event was added\./)
  t.match(list, /Madrid, Spain<br><span class="muted">40\.417, -3\.704<\/span>/, 'the place, to three decimals')
  t.match(list, /<td data-label="Attendance">350/)

  const form = decodeHtml((await b.get(`${base}/${id}`)).body)
  t.match(form, /name="startsAt"[^>]*value="2030-03-14T18:30"/, 'the time as it was typed, in its zone')
  for (const [name, value] of Object.entries({ organiser: 'CCOO Madrid', latitude: '40.4168', longitude: '-3.7038', link: 'https://example.org/picket', attendance: '350' })) {
    t.match(form, new RegExp(`name="${name}"[^>]*value="${value.replace(/\./g, '\\.')}"`), name)
  }
  const refused = await b.post(`${base}/${id}`, { ...rally, attendance: '-5' })
  t.equal(refused.statusCode, 400)
  t.match(decodeHtml(refused.body), /Edit the event[\s\S]*href="#field-attendance"/)
  t.equal((await listed())[0]!.attendance, 350, 'unchanged')
  const saved = await b.post(`${base}/${id}`, { ...rally, title: 'Picket moved to the consulate', latitude: '', longitude: '', organiser: '' })
  t.equal(saved.headers.location, `${base}?notice=eventSaved`)
  t.match((await listed())[0], { title: 'Picket moved to the consulate', organiser: null })

  t.equal((await b.get(`${base}/${randomUUID()}`)).statusCode, 404)
  t.equal((await b.post(`${base}/${randomUUID()}/remove`)).statusCode, 404)
})

t.test('a viewer reads the list but may not add, change or remove', async (t) => {
  const asViewer = await signedInBrowser(app, viewer)
  const list = await asViewer.get(base)
  t.equal(list.statusCode, 200)
  t.match(decodeHtml(list.body), /Picket moved to the consulate/)
  t.equal((await asViewer.post(base, rally)).statusCode, 403)
  t.equal((await asViewer.post(`${base}/${id}`, { ...rally, title: 'Hijacked' })).statusCode, 403)
  t.equal((await asViewer.post(`${base}/${id}/remove`)).statusCode, 403)
  t.equal((await listed()).length, 1, 'nothing written')

  const removed = await b.post(`${base}/${id}/remove`)
  t.equal(removed.headers.location, `${base}?notice=eventRemoved`)
  t.same(await listed(), [])
})
