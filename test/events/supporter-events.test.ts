import dns from 'node:dns'
import net from 'node:net'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { events } from '../../src/db/schema.js'
import { instantOf, wallClock } from '../../src/events/local-time.js'
import { locate, suggestCities } from '../../src/places/gazetteer.js'
import { eachDatabase, json } from '../helpers/app.js'
import { signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser } from '../helpers/fixtures.js'
import { mailsTo } from '../helpers/mail.js'

const form = (fields: Record<string, string>) => ({
  method: 'POST' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'es' },
  payload: new URLSearchParams(fields).toString()
})

const assembly = {
  title: 'Asamblea de solidaridad con Venezuela', startsAt: '2030-03-14T18:30', timeZone: 'America/Argentina/Cordoba',
  country: 'AR', city: 'Rosario', organiser: 'CTA Rosario', contactEmail: 'Organiza@Example.org', description: 'En la sede sindical.', link: 'https://example.org/asamblea'
}

t.test('the gazetteer places a typed city with no network, and a country alone at its centre, marked approximate', async (t) => {
  // Any attempt to reach another machine would fail the test, not only time out.
  const attempts: string[] = []
  const connect = net.Socket.prototype.connect
  const lookup = dns.lookup
  net.Socket.prototype.connect = function (...args: unknown[]) { attempts.push(String(args[0])); throw new Error('no network here') } as typeof connect
  ;(dns as { lookup: unknown }).lookup = (...args: unknown[]) => { attempts.push(String(args[0])); throw new Error('no network here') }
  t.teardown(() => { net.Socket.prototype.connect = connect; (dns as { lookup: unknown }).lookup = lookup })

  const rosario = await locate('Rosario', 'AR')
  t.ok(rosario !== null && !rosario.approximate, 'found')
  t.ok(Math.abs(rosario!.latitude - -32.95) < 0.2 && Math.abs(rosario!.longitude - -60.64) < 0.2, `near 32.9° S 60.6° W (${rosario?.latitude}, ${rosario?.longitude})`)
  t.match(await locate('  são paulo ', 'BR'), { city: 'São Paulo', approximate: false }, 'case, spaces and accents do not matter')
  t.match(await locate('Sao Paulo', 'BR'), { city: 'São Paulo' })
  const nowhere = await locate('Pueblo Inventado', 'AR')
  t.match(nowhere, { city: null, approximate: true })
  t.ok(nowhere!.latitude < -22 && nowhere!.latitude > -55 && nowhere!.longitude < -53 && nowhere!.longitude > -73, 'the centre is inside Argentina')
  t.equal((await suggestCities('Ros', 'AR'))[0]?.city, 'Rosario', 'the biggest town of the name is suggested first')
  t.same(attempts, [], 'nothing was looked up over the network')
})

t.test('wall-clock times in a zone and back, across a change of clock', async (t) => {
  t.equal(instantOf('2030-03-14T18:30', 'America/Argentina/Cordoba')?.toISOString(), '2030-03-14T21:30:00.000Z')
  t.equal(instantOf('2026-03-29T03:30', 'Europe/Madrid')?.toISOString(), '2026-03-29T01:30:00.000Z', 'the first hour of summer time')
  t.equal(wallClock(new Date('2026-10-25T00:30:00Z'), 'Europe/Madrid'), '2026-10-25T02:30')
  t.equal(instantOf('2026-13-01T10:00', 'UTC'), null)
  t.equal(instantOf('2026-01-01T10:00', 'Mars/Olympus'), null)
})

eachDatabase(t, 'a supporter\'s event: invisible until approved, then on the map and in the calendar; its report after the date', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)

  t.match((await app.inject({ url: `/appeals/${slug}` })).body, new RegExp(`href="/appeals/${slug}/events/new"`), 'the appeal invites supporters to add theirs')
  const page = await app.inject({ url: `/appeals/${slug}/events/new`, headers: { 'accept-language': 'es' } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /Añade tu evento de solidaridad/)
  t.match(page.body, /<select id="field-timeZone" name="timeZone"/)
  t.notMatch(page.body, /data-map-picker/, 'no map to click')

  // The honeypot, filled by a robot, records nothing.
  const robot = await app.inject({ url: `/appeals/${slug}/events/new`, ...form({ ...assembly, website: 'http://spam.example' }) })
  t.equal(robot.statusCode, 400)
  const invalid = await app.inject({ url: `/appeals/${slug}/events/new`, ...form({ ...assembly, contactEmail: 'nope', title: '' }) })
  t.equal(invalid.statusCode, 400)
  t.match(invalid.body, /field-error/)
  t.match(invalid.body, /value="CTA Rosario"/, 'what was typed comes back')
  t.equal((await app.db.select().from(events)).length, 0, 'nothing recorded')

  const sent = await app.inject({ url: `/appeals/${slug}/events/new`, ...form(assembly) })
  t.equal(sent.statusCode, 303, 'works as a plain form, without JavaScript')
  t.equal(sent.headers.location, `/appeals/${slug}/events/new?sent=1`)
  t.match((await app.inject({ url: sent.headers.location as string, headers: { 'accept-language': 'es' } })).body, /Gracias: hemos recibido tu evento/)
  const [row] = await app.db.select().from(events)
  t.match(row, { status: 'pending', submitted: true, city: 'Rosario', country: 'AR', approximate: false, timeZone: 'America/Argentina/Cordoba', organiser: 'CTA Rosario' })
  t.equal(row!.startsAt.toISOString(), '2030-03-14T21:30:00.000Z', '18:30 in Rosario')
  t.ok(Math.abs(row!.latitude! - -32.95) < 0.2 && Math.abs(row!.longitude! - -60.64) < 0.2, 'placed from the typed city')
  t.notMatch(JSON.stringify(row), /organiza@example\.org/i, 'the contact is sealed')
  const received = mailsTo(app, 'organiza@example.org')
  t.equal(received.length, 1, 'a confirmation mail')
  t.match(received[0]!.subject, /Hemos recibido tu evento/, 'in the submitter\'s language')
  const reportPath = /\/events\/report\/[A-Za-z0-9_-]+/.exec(received[0]!.text)?.[0]
  t.ok(reportPath, 'with the private report link')

  // Invisible while it waits.
  const invisible = async () => {
    t.same(json(await app.inject({ url: `/api/appeals/${slug}/events` })).items, [])
    t.notMatch((await app.inject({ url: `/appeals/${slug}` })).body, /Asamblea de solidaridad/)
    t.notMatch((await app.inject({ url: `/appeals/${slug}/events` })).body, /Asamblea de solidaridad/)
    t.notMatch((await app.inject({ url: `/api/appeals/${slug}/events.ics` })).body, /Asamblea/)
    t.equal(json(await app.inject({ url: `/api/appeals/${slug}/stats` })).events, 0, 'not counted')
  }
  await invisible()

  // The organiser sees it waiting, and approves it.
  const b = await signedInBrowser(app, owner)
  const list = await b.get(`/admin/appeals/${slug}/events`)
  t.match(list.body, /Waiting for approval/)
  const approved = await b.post(`/admin/appeals/${slug}/events/${row!.id}/approve`)
  t.equal(approved.statusCode, 303)
  const approval = mailsTo(app, 'organiza@example.org')[1]
  t.match(approval?.subject, /ya está en el mapa/)
  t.equal(/\/events\/report\/[A-Za-z0-9_-]+/.exec(approval?.text ?? '')?.[0], reportPath, 'the same private link')

  const items = json(await app.inject({ url: `/api/appeals/${slug}/events` })).items
  t.match(items, [{ title: assembly.title, approximate: false, organiser: 'CTA Rosario', timeZone: 'America/Argentina/Cordoba' }])
  t.notOk('contactEmail' in items[0] || 'sealedContact' in items[0] || 'reportTokenHash' in items[0], 'nothing private in the API')
  const appealPage = (await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': 'es' } })).body
  t.match(appealPage, /"lat":-32\.9\d*,"lng":-60\.6\d*/, 'a marker for the map')
  t.match(appealPage, /14 de marzo de 2030,? (a las )?18:30/, 'at its own local time, in the reader\'s language')
  const ics = await app.inject({ url: `/api/appeals/${slug}/events.ics` })
  t.equal(ics.statusCode, 200)
  t.match(ics.headers['content-type'], /^text\/calendar/)
  t.match(ics.body, /BEGIN:VEVENT[\s\S]*DTSTART:20300314T213000Z[\s\S]*SUMMARY:Asamblea de solidaridad con Venezuela[\s\S]*LOCATION:Rosario\\, Argentina/)
  t.match((await app.inject({ url: `/appeals/${slug}/events` })).body, new RegExp(`href="/api/appeals/${slug}/events.ics"`), 'linked from the events page')
  t.equal(json(await app.inject({ url: `/api/appeals/${slug}/stats` })).events, 1)

  // The report: not before the date; after it, waiting for the organisers, then shown.
  const early = await app.inject({ url: reportPath! })
  t.match(early.body, /once it has taken place/)
  t.equal((await app.inject({ url: reportPath!, ...form({ attendance: '120' }) })).statusCode, 409)
  await app.db.update(events).set({ startsAt: new Date(Date.now() - 86_400_000) }).where(eq(events.id, row!.id))
  t.notMatch((await app.inject({ url: `/api/appeals/${slug}/events.ics` })).body, /Asamblea/, 'past events leave the feed of upcoming ones')
  t.equal((await app.inject({ url: reportPath!, ...form({ attendance: 'many' }) })).statusCode, 400)
  const reported = await app.inject({ url: reportPath!, ...form({ attendance: '120', text: 'Llenamos el salón.' }) })
  t.equal(reported.statusCode, 200)
  t.match(reported.body, /role="status"/)
  t.equal(json(await app.inject({ url: `/api/appeals/${slug}/events` })).items[0].attendance, null, 'not shown before approval')
  t.match((await b.get(`/admin/appeals/${slug}/events`)).body, /Report: 120 people came[\s\S]*Llenamos el salón/)
  t.equal((await b.post(`/admin/appeals/${slug}/events/${row!.id}/approve-report`)).statusCode, 303)
  t.match(json(await app.inject({ url: `/api/appeals/${slug}/events` })).items[0], { attendance: 120, report: 'Llenamos el salón.' })
  t.equal((await app.inject({ url: '/events/report/not-a-real-token-at-all-000' })).statusCode, 404)
}, { STATS_TTL_MS: '0' })

eachDatabase(t, 'supporters\' events share signing\'s rate limit, and the API takes them as JSON', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const body = { ...assembly, startsAt: '2030-03-14T21:30:00Z', city: 'Pueblo Inventado' }
  const accepted = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/event-submissions`, payload: body })
  t.equal(accepted.statusCode, 202)
  const [row] = await app.db.select().from(events)
  t.match(row, { status: 'pending', approximate: true, city: 'Pueblo Inventado' }, 'no town of that name: the centre of the country, approximate')
  t.equal((await app.inject({ method: 'POST', url: `/api/appeals/${slug}/event-submissions`, payload: { ...body, timeZone: 'Mars/Olympus' } })).statusCode, 400)
  const second = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/event-submissions`, payload: body })
  t.equal(second.statusCode, 429, 'the second within the window is refused')
  const approved = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/events/${row!.id}/approval`, headers: owner.auth })
  t.equal(approved.statusCode, 200, 'approved through the API')
  t.match(json(approved), { id: row!.id, approximate: true })
  t.equal(json(await app.inject({ url: `/api/appeals/${slug}/events` })).items.length, 1)
  t.equal(mailsTo(app, 'organiza@example.org').length, 2, 'received, then approved')
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/events/${row!.id}/approval`, headers: owner.auth })).statusCode, 200)
  t.equal(mailsTo(app, 'organiza@example.org').length, 2, 'approving again mails nobody')

  // Events recorded before the gazetteer, typed without coordinates, are placed at start-up.
  const target = await app.services.appeals.getPublic(slug)
  const [old] = await app.db.insert(events).values({ appealId: target.id, title: 'Older picket', startsAt: new Date('2026-01-10T10:00:00Z'), city: 'Córdoba', country: 'AR' }).returning()
  const [lost] = await app.db.insert(events).values({ appealId: target.id, title: 'Somewhere', startsAt: new Date('2026-01-10T10:00:00Z'), city: 'Nowhere', country: 'BV' }).returning()
  t.ok((await app.services.events.placeMissing()) >= 1)
  const [placed] = await app.db.select().from(events).where(eq(events.id, old!.id))
  t.match(placed, { approximate: false })
  t.ok(Math.abs(placed!.latitude! - -31.4) < 0.2 && Math.abs(placed!.longitude! - -64.18) < 0.2, 'Córdoba, Argentina')
  const [unplaced] = await app.db.select().from(events).where(eq(events.id, lost!.id))
  t.match(unplaced, { latitude: null, approximate: true }, 'a place the gazetteer does not know stays off the map, and is not looked up again')
  t.equal(await app.services.events.placeMissing(), 0, 'once')

  const documented = json(await app.inject({ url: '/docs/json' }))
  t.ok(documented.paths['/api/appeals/{slug}/event-submissions'] && documented.paths['/api/appeals/{slug}/events.ics'] && documented.paths['/api/places'], 'in the OpenAPI document')
}, { RATE_LIMIT_SIGN_MAX: '2' })
