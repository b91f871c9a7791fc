import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { appeals } from '../../src/db/schema.js'
import { foldCountChanges } from '../../src/stats/rollup.js'
import { createStatsService } from '../../src/stats/service.js'
import { build, eachDatabase, freshPostgresDatabase, json, postgresUrl } from '../helpers/app.js'
import { appeal, idOf, organisation, organiser, person, sign, type Organiser } from '../helpers/fixtures.js'

const stats = async (app: FastifyInstance, slug: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/api/appeals/${slug}/stats`, headers })

const sleep = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Reads the stats until `ready` holds or `withinMs` has passed; returns the last answer. */
async function statsUntil (app: FastifyInstance, slug: string, ready: (s: any) => boolean, withinMs = 3000): Promise<any> {
  const deadline = Date.now() + withinMs
  for (;;) {
    const response = await stats(app, slug)
    if (response.statusCode !== 200) throw new Error(`stats: ${response.statusCode} ${response.body}`)
    const body = json(response)
    if (ready(body) || Date.now() > deadline) return body
    await sleep(50)
  }
}

async function addEvent (app: FastifyInstance, owner: Organiser, slug: string, body: Record<string, unknown>): Promise<void> {
  const response = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/events`, headers: owner.auth, payload: { title: 'Rally', startsAt: '2026-12-01T17:00:00Z', ...body } })
  if (response.statusCode !== 201) throw new Error(`event: ${response.statusCode} ${response.body}`)
}

eachDatabase(t, 'the counts cover confirmed, visible signatures and the events', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  t.equal((await sign(app, slug, person({ email: 'pending@example.org', country: 'CU' }))).statusCode, 201)
  t.equal((await sign(app, slug, organisation({ email: 'pending-org@example.org', country: 'CU', members: 7000 }))).statusCode, 201)
  t.equal((await app.inject({ method: 'PATCH', url: `/api/admin/appeals/${slug}`, headers: owner.auth, payload: { requireConfirmation: false } })).statusCode, 200)
  for (const body of [
    person({ country: 'VE' }),
    person({ country: 'VE', public: false }),
    person({ country: 'AR' }),
    organisation({ country: 'GB', members: 120000 }),
    organisation({ country: 'FR', members: 3000, organisationType: 'political_party' }),
    organisation({ email: 'hidden-org@example.org', country: 'GB', members: 50000 }),
    person({ email: 'erased@example.org', country: 'DE' })
  ]) t.equal((await sign(app, slug, body)).statusCode, 201)
  const hide = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/signatures/${await idOf(app, 'hidden-org@example.org')}/hide`, headers: owner.auth })
  t.equal(hide.statusCode, 200)
  const erase = await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/signatures/${await idOf(app, 'erased@example.org')}`, headers: owner.auth })
  t.equal(erase.statusCode, 200)
  await addEvent(app, owner, slug, { country: 'VE', city: 'Caracas' })
  await addEvent(app, owner, slug, { country: 'VE', city: 'Maracaibo' })
  await addEvent(app, owner, slug, { country: 'CU' })
  // Another appeal's signatures and events count only there.
  const other = await appeal(app, owner)
  t.equal((await sign(app, other, person({ country: 'IT' }))).statusCode, 201)
  await addEvent(app, owner, other, { country: 'IT' })

  const body = await statsUntil(app, slug, (s) => s.signatures === 5 && s.events === 3)
  t.match(body, {
    signatures: 5,
    individuals: 3,
    organisations: 2,
    countries: 4,
    membersRepresented: 123000,
    events: 3,
    eventCountries: 2,
    byCountry: { VE: 2, AR: 1, GB: 1, FR: 1 }
  })
  t.same(Object.keys(body.byCountry).sort(), ['AR', 'FR', 'GB', 'VE'], 'no pending, hidden or erased country')
  t.ok(!Number.isNaN(Date.parse(body.updatedAt)), 'updatedAt is a timestamp')
  t.match(await statsUntil(app, other, (s) => s.signatures === 1), {
    signatures: 1, individuals: 1, organisations: 0, membersRepresented: 0, events: 1, eventCountries: 1, byCountry: { IT: 1 }
  })
})

eachDatabase(t, 'an appeal without signatures counts zero', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await stats(app, slug)
  t.equal(response.statusCode, 200)
  t.match(json(response), { signatures: 0, individuals: 0, organisations: 0, countries: 0, membersRepresented: 0, events: 0, eventCountries: 0, byCountry: {} })
})

eachDatabase(t, 'stats can be cached by browsers and CDNs and revalidated with the ETag', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person())).statusCode, 201)
  const first = await stats(app, slug, { origin: 'https://solidarity.example' })
  t.equal(first.statusCode, 200)
  t.match(first.headers['content-type'], /^application\/json/)
  const cacheControl = String(first.headers['cache-control'])
  t.match(cacheControl, /\bpublic\b/)
  t.match(cacheControl, /\bmax-age=[1-9]\d*\b/)
  t.match(cacheControl, /\bstale-while-revalidate=[1-9]\d*\b/)
  t.equal(first.headers['access-control-allow-origin'], '*', 'any website may read the counts')
  const etag = first.headers.etag
  t.type(etag, 'string')
  t.match(etag, /^(W\/)?".+"$/, 'a quoted entity tag')

  const revalidated = await stats(app, slug, { 'if-none-match': String(etag) })
  t.equal(revalidated.statusCode, 304)
  t.equal(revalidated.body, '', 'a 304 has no body')
  t.equal(revalidated.headers.etag, etag)

  const wrongTag = await stats(app, slug, { 'if-none-match': '"something-else"' })
  t.equal(wrongTag.statusCode, 200, 'another tag gets the full answer')
  t.equal(json(wrongTag).signatures, 1)

  t.equal((await sign(app, slug, person())).statusCode, 201)
  await statsUntil(app, slug, (s) => s.signatures === 2)
  const changed = await stats(app, slug, { 'if-none-match': String(etag) })
  t.equal(changed.statusCode, 200, 'the old tag no longer matches once the count moved')
  t.equal(json(changed).signatures, 2)
  t.not(changed.headers.etag, etag, 'a new signature changes the ETag')
})

eachDatabase(t, 'stats of an unknown or draft appeal are not found', async (t, { app }) => {
  const owner = await organiser(app)
  const draft = await appeal(app, owner, {}, false)
  for (const slug of ['no-such-appeal', draft]) {
    const response = await stats(app, slug)
    t.equal(response.statusCode, 404, slug)
    t.equal(json(response).error.code, 'APPEAL_NOT_FOUND')
  }
  const closed = await appeal(app, owner)
  t.equal((await sign(app, closed, person())).statusCode, 201)
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${closed}/close`, headers: owner.auth })).statusCode, 200)
  t.equal(json(await stats(app, closed)).signatures, 1, 'a closed appeal still shows its counts')
})

eachDatabase(t, 'with the default cache a new signature shows within a few seconds', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person({ country: 'VE' }))).statusCode, 201)
  t.equal(json(await stats(app, slug)).signatures, 1)
  t.equal((await sign(app, slug, organisation({ country: 'BR', members: 250 }))).statusCode, 201)
  const body = await statsUntil(app, slug, (s) => s.signatures === 2, 3000)
  t.match(body, { signatures: 2, organisations: 1, membersRepresented: 250, byCountry: { VE: 1, BR: 1 } }, 'seen within 3 s')
})

eachDatabase(t, 'a reader after a quiet spell does not get counts older than the staleness bound', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const [{ id } = { id: '' }] = await app.db.select({ id: appeals.id }).from(appeals).where(eq(appeals.slug, slug))
  let clock = Date.parse('2026-12-01T12:00:00Z')
  const counts = createStatsService(app.db, { ttlMs: 1000, fold: () => foldCountChanges(app.db), now: () => clock })
  t.equal((await sign(app, slug, person())).statusCode, 201)
  t.equal((await counts.get(id)).stats.signatures, 1)
  t.equal((await sign(app, slug, person())).statusCode, 201)
  clock += 500
  t.equal((await counts.get(id)).stats.signatures, 1, 'within one TTL the cached count is the answer')
  clock += 3000
  t.equal((await counts.get(id)).stats.signatures, 2, 'the one reader after 3.5 s of silence sees the signature made before it')
})

eachDatabase(t, 'with STATS_TTL_MS=0 every read shows the current counts', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (let n = 1; n <= 3; n++) {
    t.equal((await sign(app, slug, person())).statusCode, 201)
    t.equal(json(await stats(app, slug)).signatures, n, `after signature ${n}`)
  }
}, { STATS_TTL_MS: '0' })

t.test('two instances on one PostgreSQL database both report every signature', {
  skip: postgresUrl === undefined ? 'needs PostgreSQL: set TEST_DATABASE_URL' : false
}, async (t) => {
  if (postgresUrl === undefined) throw new Error('unreachable: skipped without TEST_DATABASE_URL')
  const url = await freshPostgresDatabase(t, postgresUrl)
  const one = await build(t, { DATABASE_URL: url })
  const two = await build(t, { DATABASE_URL: url })
  const owner = await organiser(one)
  const slug = await appeal(one, owner)
  // Both instances have read (and cached) the counts before anything was signed.
  t.equal(json(await stats(one, slug)).signatures, 0)
  t.equal(json(await stats(two, slug)).signatures, 0)
  for (let i = 0; i < 3; i++) t.equal((await sign(one, slug, person({ country: 'VE' }))).statusCode, 201)
  for (let i = 0; i < 4; i++) t.equal((await sign(two, slug, organisation({ country: 'GB', members: 10 }))).statusCode, 201)
  t.equal(json(await sign(one, slug, person({ email: 'twice@example.org' }))).status, 'confirmed')
  t.equal((await sign(two, slug, person({ email: 'twice@example.org' }))).statusCode, 201, 'a repeat on the other instance is answered as a first signature (the count below shows it was not kept)')

  const expected = { signatures: 8, individuals: 4, organisations: 4, membersRepresented: 40, byCountry: { VE: 4, GB: 4 } }
  const [fromOne, fromTwo] = await Promise.all([
    statsUntil(one, slug, (s) => s.signatures === 8),
    statsUntil(two, slug, (s) => s.signatures === 8)
  ])
  t.match(fromOne, expected, 'instance one has the full count within 3 s')
  t.match(fromTwo, expected, 'instance two has the full count within 3 s')
})
