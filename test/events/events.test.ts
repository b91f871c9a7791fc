import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { events } from '../../src/db/schema.js'
import { build, eachDatabase, json } from '../helpers/app.js'
import { appeal, organiser, type Organiser } from '../helpers/fixtures.js'

const rally = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  title: 'Solidarity rally', startsAt: '2026-12-01T17:00:00.000Z', city: 'Caracas', country: 'VE',
  latitude: 10.4806, longitude: -66.9036, link: 'https://example.org/rally', attendance: 2500, ...overrides
})

const create = async (app: FastifyInstance, who: Organiser, slug: string, body: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/events`, headers: who.auth, payload: body })

const publicList = async (app: FastifyInstance, slug: string) =>
  app.inject({ method: 'GET', url: `/api/appeals/${slug}/events` })

const eventRows = async (app: FastifyInstance) => app.db.select().from(events)

const sleep = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

eachDatabase(t, 'an organiser records, changes and removes a solidarity event', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)

  const created = await create(app, owner, slug, rally())
  t.equal(created.statusCode, 201)
  const event = json(created)
  t.match(event, { title: 'Solidarity rally', startsAt: '2026-12-01T17:00:00.000Z', city: 'Caracas', country: 'VE', latitude: 10.4806, longitude: -66.9036, link: 'https://example.org/rally', attendance: 2500 })
  t.match(event.id, /^[0-9a-f-]{36}$/)
  t.same(Object.keys(event).sort(), ['approximate', 'attendance', 'city', 'country', 'description', 'id', 'latitude', 'link', 'longitude', 'organiser', 'report', 'startsAt', 'timeZone', 'title'])
  t.same(json(await publicList(app, slug)).items, [event], 'the public sees it')

  const minimal = await create(app, owner, slug, { title: '  Picket\u0000 ', startsAt: '2026-11-30T08:00:00+01:00', country: 'GB' })
  t.equal(minimal.statusCode, 201)
  t.match(json(minimal), { title: 'Picket', startsAt: '2026-11-30T07:00:00.000Z', city: null, approximate: true, link: null, attendance: null }, 'no city: at the country\'s centre, approximate')
  t.ok(json(minimal).latitude > 50 && json(minimal).latitude < 56 && json(minimal).longitude > -5 && json(minimal).longitude < 2, 'inside Great Britain')

  const url = `/api/admin/appeals/${slug}/events/${event.id}`
  const patched = await app.inject({ method: 'PATCH', url, headers: owner.auth, payload: { title: 'Mass rally', attendance: 10000, link: null } })
  t.equal(patched.statusCode, 200)
  t.match(json(patched), { id: event.id, title: 'Mass rally', attendance: 10000, link: null, city: 'Caracas', latitude: 10.4806 }, 'only the given fields change')
  // Clearing the coordinates and typing another city places the event there (the gazetteer), never at 0°, 0°.
  const moved = await app.inject({ method: 'PATCH', url, headers: owner.auth, payload: { latitude: null, longitude: null, attendance: null, city: 'Valencia' } })
  t.equal(moved.statusCode, 200)
  t.match(json(moved), { approximate: false, attendance: null, city: 'Valencia' })
  t.ok(Math.abs(json(moved).latitude - 10.16) < 0.1 && Math.abs(json(moved).longitude - -68.0) < 0.1, 'Valencia, Venezuela')
  const [row] = (await eventRows(app)).filter((r) => r.id === event.id)
  t.match(row, { title: 'Mass rally', attendance: null, link: null, city: 'Valencia', approximate: false })

  const deleted = await app.inject({ method: 'DELETE', url, headers: owner.auth })
  t.equal(deleted.statusCode, 204)
  t.equal(deleted.body, '')
  t.same(json(await publicList(app, slug)).items.map((e: { title: string }) => e.title), ['Picket'])
  t.equal((await eventRows(app)).length, 1)
  for (const method of ['DELETE', 'PATCH'] as const) {
    const gone = await app.inject({ method, url, headers: owner.auth, ...(method === 'PATCH' && { payload: { title: 'Back' } }) })
    t.equal(gone.statusCode, 404, `${method} after removal`)
    t.equal(json(gone).error.code, 'EVENT_NOT_FOUND')
  }
  const unknown = await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/events/00000000-0000-4000-8000-000000000000`, headers: owner.auth })
  t.equal(json(unknown).error.code, 'EVENT_NOT_FOUND')
  const notUuid = await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/events/42`, headers: owner.auth })
  t.equal(notUuid.statusCode, 400)
  t.ok(json(notUuid).error.fields.id)
})

eachDatabase(t, 'an event of another appeal cannot be changed through this one', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const other = await appeal(app, owner)
  const event = json(await create(app, owner, other, rally()))
  const url = `/api/admin/appeals/${slug}/events/${event.id}`
  const patched = await app.inject({ method: 'PATCH', url, headers: owner.auth, payload: { title: 'Hijacked' } })
  t.equal(patched.statusCode, 404)
  t.equal(json(patched).error.code, 'EVENT_NOT_FOUND')
  const deleted = await app.inject({ method: 'DELETE', url, headers: owner.auth })
  t.equal(deleted.statusCode, 404)
  t.match(await eventRows(app), [{ id: event.id, title: 'Solidarity rally' }])
})

eachDatabase(t, 'event input is validated field by field and nothing is written', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown country', rally({ country: 'XX' }), 'country'],
    ['a lower-case country', rally({ country: 've' }), 'country'],
    ['latitude without longitude', rally({ longitude: undefined }), 'longitude'],
    ['longitude without latitude', rally({ latitude: undefined }), 'latitude'],
    ['latitude 91', rally({ latitude: 91 }), 'latitude'],
    ['latitude -90.5', rally({ latitude: -90.5 }), 'latitude'],
    ['longitude 181', rally({ longitude: 181 }), 'longitude'],
    ['an ftp link', rally({ link: 'ftp://example.org/file' }), 'link'],
    ['a javascript link', rally({ link: 'javascript:alert(1)' }), 'link'],
    ['a link without a scheme', rally({ link: 'example.org' }), 'link'],
    ['a missing title', rally({ title: undefined }), 'title'],
    ['a date that is not one', rally({ startsAt: 'next Friday' }), 'startsAt'],
    ['a negative attendance', rally({ attendance: -1 }), 'attendance'],
    ['an unknown field', rally({ colour: 'red' }), 'colour']
  ]
  for (const [what, body, field] of cases) {
    const response = await create(app, owner, slug, body)
    t.equal(response.statusCode, 400, what)
    t.equal(json(response).error.code, 'VALIDATION_FAILED', what)
    t.ok(json(response).error.fields[field], `${what}: the message names ${field}`)
  }
  const both = json(await create(app, owner, slug, rally({ latitude: 91, link: 'ftp://x' })))
  t.ok(both.error.fields.latitude && both.error.fields.link, 'every bad field at once')
  t.equal((await eventRows(app)).length, 0, 'nothing written')

  const event = json(await create(app, owner, slug, rally()))
  const url = `/api/admin/appeals/${slug}/events/${event.id}`
  const badPatch = await app.inject({ method: 'PATCH', url, headers: owner.auth, payload: { latitude: 91, link: 'mailto:a@b.org' } })
  t.equal(badPatch.statusCode, 400)
  t.ok(json(badPatch).error.fields.latitude && json(badPatch).error.fields.link)
  t.match(await eventRows(app), [{ latitude: 10.4806, longitude: -66.9036, link: 'https://example.org/rally' }], 'the event is unchanged')
  const halfCleared = await app.inject({ method: 'PATCH', url, headers: owner.auth, payload: { longitude: null } })
  t.equal(halfCleared.statusCode, 400, 'a change may not leave a latitude without a longitude')
  t.ok(json(halfCleared).error?.fields?.longitude)
  t.match(await eventRows(app), [{ latitude: 10.4806, longitude: -66.9036 }], 'the coordinates are unchanged')
})

eachDatabase(t, 'the public sees events in date order', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (const [title, startsAt] of [['Third', '2026-12-03T10:00:00Z'], ['First', '2026-01-15T10:00:00Z'], ['Second', '2026-06-01T09:00:00-05:00'], ['Earlier second', '2026-06-01T13:59:00Z']]) {
    t.equal((await create(app, owner, slug, rally({ title, startsAt }))).statusCode, 201)
  }
  const other = await appeal(app, owner)
  t.equal((await create(app, owner, other, rally({ title: 'Elsewhere' }))).statusCode, 201)
  const response = await publicList(app, slug)
  t.equal(response.statusCode, 200)
  t.same(json(response).items.map((e: { title: string }) => e.title), ['First', 'Earlier second', 'Second', 'Third'])
  t.equal(response.headers['access-control-allow-origin'], '*')

  const draft = await appeal(app, owner, {}, false)
  t.equal((await create(app, owner, draft, rally())).statusCode, 201, 'a draft may be prepared with its events')
  const hidden = await publicList(app, draft)
  t.equal(hidden.statusCode, 404)
  t.equal(json(hidden).error.code, 'APPEAL_NOT_FOUND')
})

eachDatabase(t, 'events count in the appeal\'s stats', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const read = async () => json(await app.inject({ method: 'GET', url: `/api/appeals/${slug}/stats` }))
  t.match(await read(), { events: 0, eventCountries: 0 })
  const ids: string[] = []
  for (const country of ['VE', 'VE', 'CU', 'GB']) ids.push(json(await create(app, owner, slug, rally({ country, latitude: null, longitude: null }))).id)
  const until = async (ready: (s: any) => boolean) => {
    const deadline = Date.now() + 3000
    for (;;) {
      const s = await read()
      if (ready(s) || Date.now() > deadline) return s
      await sleep(50)
    }
  }
  t.match(await until((s) => s.events === 4), { events: 4, eventCountries: 3, signatures: 0 })
  t.equal((await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/events/${ids[3]}`, headers: owner.auth })).statusCode, 204)
  t.match(await until((s) => s.events === 3), { events: 3, eventCountries: 2 }, 'a removed event no longer counts')
  t.equal((await app.inject({ method: 'PATCH', url: `/api/admin/appeals/${slug}/events/${ids[2]}`, headers: owner.auth, payload: { country: 'VE' } })).statusCode, 200)
  t.match(await until((s) => s.eventCountries === 1), { events: 3, eventCountries: 1 }, 'a moved event counts in its new country')
}, { STATS_TTL_MS: '0' })

eachDatabase(t, 'only the appeal\'s organisers (and admins) manage its events', async (t, { app }) => {
  const owner = await organiser(app)
  const stranger = await organiser(app)
  const slug = await appeal(app, owner)
  const event = json(await create(app, owner, slug, rally()))

  const refused = await create(app, stranger, slug, rally({ title: 'Intruder' }))
  t.equal(refused.statusCode, 404)
  t.equal(json(refused).error.code, 'APPEAL_NOT_FOUND')
  const url = `/api/admin/appeals/${slug}/events/${event.id}`
  t.equal((await app.inject({ method: 'PATCH', url, headers: stranger.auth, payload: { title: 'Intruder' } })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url, headers: stranger.auth })).statusCode, 404)
  const anonymous = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/events`, payload: rally({ title: 'Intruder' }) })
  t.equal(anonymous.statusCode, 401)
  t.equal(json(anonymous).error.code, 'UNAUTHENTICATED')
  t.match(await eventRows(app), [{ id: event.id, title: 'Solidarity rally' }], 'nothing written or changed')

  const admin = await organiser(app, 'admin')
  t.equal((await create(app, admin, slug, rally({ title: 'By admin' }))).statusCode, 201, 'an admin manages any appeal')
  t.equal((await eventRows(app)).length, 2)
})

t.test('an event in a time zone Intl does not know is refused, through the API as through the forms', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await app.inject({
    method: 'POST', url: `/api/admin/appeals/${slug}/events`, headers: owner.auth, payload: { title: 'Rally', startsAt: '2027-02-01T12:00:00Z', country: 'VE', timeZone: '-/G9/2/' }
  })
  t.equal(response.statusCode, 400)
  t.equal(json(response).error.code, 'VALIDATION_FAILED')
  t.ok(json(response).error.fields.timeZone, 'naming the field')
  t.equal((await app.inject({ url: `/appeals/${slug}` })).statusCode, 200, 'and the appeal page still shows')
})
