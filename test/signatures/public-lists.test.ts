import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { signatures } from '../../src/db/schema.js'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, idOf, organisation, organiser, person, sign, signatureRows, type Organiser } from '../helpers/fixtures.js'

const list = async (app: FastifyInstance, slug: string, query = '') =>
  app.inject({ method: 'GET', url: `/api/appeals/${slug}/signatures${query}` })

async function admin (app: FastifyInstance, owner: Organiser, method: 'POST' | 'DELETE' | 'PATCH', url: string, payload?: Record<string, unknown>) {
  const response = await app.inject({ method, url: `/api/admin${url}`, headers: owner.auth, ...(payload !== undefined && { payload }) })
  if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
  return response
}

const cursorOf = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

eachDatabase(t, 'the public list shows only confirmed, visible, consenting signatures, newest first, without emails', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  const pending = person({ name: 'Pending Person', email: 'pending@example.org' })
  t.equal((await sign(app, slug, pending)).statusCode, 201)
  await admin(app, owner, 'PATCH', `/appeals/${slug}`, { requireConfirmation: false })

  const first = person({ name: 'First Signer', email: 'first@example.org', country: 'VE', city: 'Caracas', organisation: 'UNETE', role: 'delegate' })
  const hidden = person({ name: 'Spam Bot', email: 'spam@example.org' })
  const secret = person({ name: 'Private Person', email: 'private@example.org', public: false })
  const defaultPrivate = person({ name: 'Did Not Say', email: 'unsaid@example.org', public: undefined })
  const erased = person({ name: 'Erased Person', email: 'erased@example.org' })
  const union = organisation({ name: 'Union Contact', email: 'union@example.org', organisation: 'Dockers Union', members: 800 })
  const last = person({ name: 'Last Signer', email: 'last@example.org', country: 'AR' })
  for (const body of [first, hidden, secret, defaultPrivate, erased, union, last]) t.equal((await sign(app, slug, body)).statusCode, 201)
  await admin(app, owner, 'POST', `/appeals/${slug}/signatures/${await idOf(app, 'spam@example.org')}/hide`)
  await admin(app, owner, 'DELETE', `/appeals/${slug}/signatures/${await idOf(app, 'erased@example.org')}`)

  const response = await list(app, slug)
  t.equal(response.statusCode, 200)
  const body = json(response)
  t.same(body.items.map((i: { name: string }) => i.name), ['Last Signer', 'Union Contact', 'First Signer'], 'newest first; pending, hidden, private and erased left out')
  t.equal(body.nextCursor, null)
  const caracas = body.items[2]
  t.same(Object.keys(caracas).sort(), ['city', 'country', 'createdAt', 'kind', 'name', 'organisation', 'role'])
  t.match(caracas, { kind: 'individual', name: 'First Signer', country: 'VE', city: 'Caracas', organisation: 'UNETE', role: 'delegate' })
  t.ok(!Number.isNaN(Date.parse(caracas.createdAt)), 'createdAt is a timestamp')
  t.match(body.items[1], { kind: 'organisation', organisation: 'Dockers Union', country: 'GB' })
  for (const item of body.items) t.notOk('email' in item, 'no email field')
  t.notMatch(response.body, /@/, 'no email address anywhere in the raw body')
  for (const hiddenName of ['Pending Person', 'Spam Bot', 'Private Person', 'Did Not Say', 'Erased Person']) {
    t.notOk(response.body.includes(hiddenName), `${hiddenName} is not shown`)
  }
})

eachDatabase(t, 'the public list pages with a cursor: no duplicates, no gaps', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const names = ['One', 'Two', 'Three', 'Four', 'Five']
  for (const name of names) t.equal((await sign(app, slug, person({ name }))).statusCode, 201)

  const seen: string[] = []
  const pageSizes: number[] = []
  let cursor: string | null = null
  for (let page = 0; page < 10; page++) {
    const response = await list(app, slug, `?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
    t.equal(response.statusCode, 200)
    const body = json(response)
    pageSizes.push(body.items.length)
    seen.push(...body.items.map((i: { name: string }) => i.name))
    cursor = body.nextCursor
    if (cursor === null) break
  }
  t.same(pageSizes, [2, 2, 1], 'three pages')
  t.same(seen, [...names].reverse(), 'every signature once, newest first')
  t.equal(cursor, null, 'no cursor after the last page')
})

eachDatabase(t, 'signatures sharing a timestamp down to the millisecond still page without gaps', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (let i = 1; i <= 6; i++) t.equal((await sign(app, slug, person({ name: `Signer ${i}` }))).statusCode, 201)
  // Imports and bulk loads may store times with microseconds; three rows within one millisecond.
  const stamps = ['2026-03-01 10:00:00.123900+00', '2026-03-01 10:00:00.123500+00', '2026-03-01 10:00:00.123100+00',
    '2026-03-01 09:00:00+00', '2026-03-01 09:00:00+00', '2026-03-01 08:00:00+00']
  const rows = (await signatureRows(app)).sort((a, b) => a.id - b.id)
  for (const [i, row] of rows.entries()) {
    await app.db.update(signatures).set({ createdAt: sql`${stamps[i]}::timestamptz` }).where(sql`${signatures.id} = ${row.id}`)
  }
  const seen: string[] = []
  let cursor: string | null = null
  for (let page = 0; page < 10; page++) {
    const response = await list(app, slug, `?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
    t.equal(response.statusCode, 200)
    const body = json(response)
    seen.push(...body.items.map((i: { name: string }) => i.name))
    cursor = body.nextCursor
    if (cursor === null) break
  }
  t.same(seen, ['Signer 1', 'Signer 2', 'Signer 3', 'Signer 5', 'Signer 4', 'Signer 6'], 'newest first, ties broken by id, every signature once')
})

eachDatabase(t, 'a cursor that was not given out is refused with a field message', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person())).statusCode, 201)
  const garbage = [
    'garbage',
    'not base64 at all!!',
    cursorOf({ at: '2026-01-01T00:00:00Z', id: 1 }),
    cursorOf(null),
    cursorOf(['yesterday', 3]),
    cursorOf(['2026-01-01T00:00:00.000Z', '3']),
    cursorOf(['2026-01-01T00:00:00.000Z', 1.5]),
    cursorOf(['-271821-04-20T00:00:00.000Z', 1]),
    'x'.repeat(201)
  ]
  for (const cursor of garbage) {
    const response = await list(app, slug, `?cursor=${encodeURIComponent(cursor)}`)
    t.equal(response.statusCode, 400, `cursor ${cursor.slice(0, 40)}`)
    const body = json(response)
    t.equal(body.error?.code, 'VALIDATION_FAILED')
    t.ok(body.error?.fields?.cursor, 'the cursor is named')
  }
})

eachDatabase(t, 'the public list can be filtered by country', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (const [name, country] of [['Ana', 'VE'], ['Bob', 'GB'], ['Carla', 'VE'], ['Dan', 'AR']]) {
    t.equal((await sign(app, slug, person({ name, country }))).statusCode, 201)
  }
  const ve = json(await list(app, slug, '?country=VE'))
  t.same(ve.items.map((i: { name: string }) => i.name), ['Carla', 'Ana'])
  t.ok(ve.items.every((i: { country: string }) => i.country === 'VE'))
  t.same(json(await list(app, slug, '?country=CU')).items, [], 'a country without signatures has an empty list')
  const paged = json(await list(app, slug, '?country=VE&limit=1'))
  t.same(paged.items.map((i: { name: string }) => i.name), ['Carla'])
  const rest = json(await list(app, slug, `?country=VE&limit=1&cursor=${encodeURIComponent(paged.nextCursor)}`))
  t.same(rest.items.map((i: { name: string }) => i.name), ['Ana'], 'the cursor keeps the filter')
  t.equal(rest.nextCursor, null)
})

eachDatabase(t, 'an appeal without a public list answers 404', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { showPublicList: false })
  t.equal((await sign(app, slug, person({ name: 'Hidden Name' }))).statusCode, 201)
  const response = await list(app, slug)
  t.equal(response.statusCode, 404)
  t.equal(json(response).error.code, 'PUBLIC_LIST_DISABLED')
  t.notOk(response.body.includes('Hidden Name'))
  const missing = await list(app, 'no-such-appeal')
  t.equal(missing.statusCode, 404)
  t.equal(json(missing).error.code, 'APPEAL_NOT_FOUND')
  const draft = await appeal(app, owner, {}, false)
  t.equal(json(await list(app, draft)).error.code, 'APPEAL_NOT_FOUND', 'a draft has no public list')
})

eachDatabase(t, 'endorsing organisations are listed largest first, individuals and uncounted ones left out', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const endorsements = [
    organisation({ name: 'Contact A', email: 'a@unions.example', organisation: 'Small Union', organisationType: 'trade_union', country: 'GB', members: 500 }),
    organisation({ name: 'Contact B', email: 'b@unions.example', organisation: 'Big Party', organisationType: 'political_party', country: 'FR', members: 120000 }),
    organisation({ name: 'Contact C', email: 'c@unions.example', organisation: 'Quiet NGO', organisationType: 'ngo', country: 'DE', members: 9000, public: false }),
    organisation({ name: 'Contact D', email: 'd@unions.example', organisation: 'Spam Org', organisationType: 'other', country: 'US', members: 1_000_000 }),
    organisation({ name: 'Contact E', email: 'e@unions.example', organisation: 'Middle Group', organisationType: 'community_group', country: 'VE', members: 3000 }),
    person({ name: 'Just A Person', email: 'person@unions.example', organisation: 'Her Workplace' })
  ]
  for (const body of endorsements) t.equal((await sign(app, slug, body)).statusCode, 201)
  await admin(app, owner, 'POST', `/appeals/${slug}/signatures/${await idOf(app, 'd@unions.example')}/hide`)

  const response = await app.inject({ method: 'GET', url: `/api/appeals/${slug}/organisations` })
  t.equal(response.statusCode, 200)
  const { items } = json(response)
  t.same(items.map((i: { organisation: string }) => i.organisation), ['Big Party', 'Middle Group', 'Small Union'])
  t.match(items[0], { organisation: 'Big Party', organisationType: 'political_party', country: 'FR', members: 120000 })
  t.match(items[2], { organisation: 'Small Union', organisationType: 'trade_union', country: 'GB', members: 500 })
  t.notMatch(response.body, /@/, 'no contact email')
  t.notOk(response.body.includes('Contact B'), 'no contact person')
  t.notOk(response.body.includes('Her Workplace'), 'an individual\'s affiliation is not an endorsement')

  const second = json(await app.inject({ method: 'GET', url: `/api/appeals/${slug}/organisations?limit=1&offset=1` }))
  t.same(second.items.map((i: { organisation: string }) => i.organisation), ['Middle Group'], 'limit and offset page the list')
})
