import { eq } from 'drizzle-orm'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { signatures } from '../../src/db/schema.js'
import { reveal } from '../../src/signatures/personal-fields.js'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, filterableAppeal, idOf, organisation, organiser, person, sign, signatureRows, type Organiser } from '../helpers/fixtures.js'

const search = async (app: FastifyInstance, who: Organiser, slug: string, query = '') =>
  app.inject({ method: 'GET', url: `/api/admin/appeals/${slug}/signatures${query}`, headers: who.auth })

const names = (response: LightMyRequestResponse): string[] => json(response).items.map((i: { name: string | null }) => i.name)

async function rowOf (app: FastifyInstance, id: number) {
  const [row] = await app.db.select().from(signatures).where(eq(signatures.id, id))
  return row === undefined ? undefined : reveal(app.sealer, row)
}

/** Public stats, polled until `ready` holds or 3 s have passed (counts may be cached for a moment). */
async function statsUntil (app: FastifyInstance, slug: string, ready: (s: any) => boolean): Promise<any> {
  const deadline = Date.now() + 3000
  for (;;) {
    const response = await app.inject({ method: 'GET', url: `/api/appeals/${slug}/stats` })
    if (response.statusCode !== 200) throw new Error(`stats: ${response.statusCode} ${response.body}`)
    const stats = json(response)
    if (ready(stats) || Date.now() > deadline) return stats
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const publicNames = async (app: FastifyInstance, slug: string): Promise<string[]> =>
  names(await app.inject({ method: 'GET', url: `/api/appeals/${slug}/signatures` }))

eachDatabase(t, 'organisers see every field of every signature, email included, newest first', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person({ name: 'Private Ana', email: 'Ana@Example.org', public: false, city: 'Mérida', role: 'nurse', contact: true }))).statusCode, 201)
  t.equal((await sign(app, slug, organisation({ name: 'Sam Contact', email: 'sam@union.example', members: 4500 }))).statusCode, 201)

  const response = await search(app, owner, slug)
  t.equal(response.statusCode, 200)
  const body = json(response)
  t.same(names(response), ['Sam Contact', 'Private Ana'])
  t.equal(body.nextBefore, null)
  t.match(body.items[1], {
    kind: 'individual', status: 'confirmed', hiddenAt: null, name: 'Private Ana', email: 'ana@example.org', country: 'VE',
    city: 'Mérida', role: 'nurse', public: false, contact: true, consentVersion: '2026-11', source: 'api', erasedAt: null
  })
  t.type(body.items[1].id, 'number')
  t.type(body.items[1].ipHash, 'string')
  t.ok(!Number.isNaN(Date.parse(body.items[1].createdAt)))
  t.ok(!Number.isNaN(Date.parse(body.items[1].confirmedAt)))
  t.match(body.items[0], { kind: 'organisation', email: 'sam@union.example', organisation: 'Transport Workers Union', organisationType: 'trade_union', members: 4500 })

  const anonymous = await app.inject({ method: 'GET', url: `/api/admin/appeals/${slug}/signatures` })
  t.equal(anonymous.statusCode, 401)
  t.equal(json(anonymous).error.code, 'UNAUTHENTICATED')
  t.notOk(anonymous.body.includes('ana@example.org'))
  const stranger = await search(app, await organiser(app), slug)
  t.equal(stranger.statusCode, 404, 'another organiser does not learn the appeal exists')
  t.equal(json(stranger).error.code, 'APPEAL_NOT_FOUND')
  t.notOk(stranger.body.includes('ana@example.org'))
  t.equal((await search(app, await organiser(app, 'admin'), slug)).statusCode, 200, 'an admin sees every appeal')
})

eachDatabase(t, 'search looks in shown names and organisations and finds a whole email, ignores case and takes % and _ literally', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const signers = [
    person({ name: 'Maria Lopez', email: 'ml@example.org' }),
    person({ name: 'John Smith', email: 'john@solidarity.example' }),
    person({ name: 'Ann Other', email: 'ann@example.org', organisation: '50% Union' }),
    person({ name: 'Ben Else', email: 'ben@example.org', organisation: 'Union 500' }),
    person({ name: 'Bob a_b', email: 'bob1@example.org' }),
    person({ name: 'Bob axb', email: 'bob2@example.org' }),
    person({ name: 'Private Person', email: 'private@example.org', public: false })
  ]
  for (const body of signers) t.equal((await sign(app, slug, body)).statusCode, 201)
  const q = async (text: string) => (await search(app, owner, slug, `?q=${encodeURIComponent(text)}`))

  t.same(names(await q('maria')), ['Maria Lopez'], 'by name, another case')
  t.same(names(await q('LOPEZ')), ['Maria Lopez'])
  t.same(names(await q(' John@SOLIDARITY.example ')), ['John Smith'], 'by the whole email, however it is written')
  t.same(names(await q('solidarity.example')), [], 'not by part of one: emails are sealed, found only through their keyed hash')
  t.same(names(await q('private@example.org')), ['Private Person'], 'a signer not shown publicly is found by email')
  t.same(names(await q('Private')), [], 'but not by their sealed name')
  t.same(names(await q('union')).sort(), ['Ann Other', 'Ben Else'], 'by organisation')
  t.same(names(await q('50%')), ['Ann Other'], '% is not a wildcard')
  t.same(names(await q('%')), ['Ann Other'], 'a lone % matches only a literal %')
  t.same(names(await q('a_b')), ['Bob a_b'], '_ is not a wildcard')
  t.same(names(await q('_')), ['Bob a_b'])
  t.same(names(await q('\\')), [], 'a backslash is literal too')
  t.same(names(await q('nobody')), [])
  const tooLong = await q('x'.repeat(201))
  t.equal(tooLong.statusCode, 400)
  t.ok(json(tooLong).error.fields.q)
})

eachDatabase(t, 'organisers filter by status, kind, country, hidden and time', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await filterableAppeal(app, owner)
  const filtered = async (query: string) => {
    const response = await search(app, owner, slug, query)
    t.equal(response.statusCode, 200, query)
    return response.statusCode === 200 ? names(response).sort() : [`HTTP ${response.statusCode}`]
  }
  t.same(await filtered('?status=pending'), ['Waiting'])
  t.same(await filtered('?status=confirmed'), ['Mid GB', 'Old VE', 'Spam', 'Union GB'])
  t.same(await filtered('?kind=organisation'), ['Union GB'])
  t.same(await filtered('?kind=individual&country=GB'), ['Mid GB'])
  t.same(await filtered('?country=VE'), ['Old VE', 'Spam'])
  t.same(await filtered('?hidden=true'), ['Spam'])
  t.same(await filtered('?hidden=false&country=VE'), ['Old VE'])
  t.same(await filtered(`?from=${encodeURIComponent('2026-02-01T00:00:00Z')}`), ['Mid GB', 'Spam', 'Union GB'], 'from is inclusive')
  t.same(await filtered(`?to=${encodeURIComponent('2026-02-01T00:00:00Z')}`), ['Old VE', 'Waiting'], 'to is exclusive')
  t.same(await filtered(`?from=${encodeURIComponent('2026-01-05T00:00:00Z')}&to=${encodeURIComponent('2026-03-01T12:00:00Z')}`), ['Mid GB', 'Union GB', 'Waiting'])
  t.same(await filtered('?status=pending&country=VE'), [], 'filters combine')

  for (const bad of ['?status=maybe', '?kind=robot', '?from=yesterday', '?hidden=perhaps']) {
    const response = await search(app, owner, slug, bad)
    t.equal(response.statusCode, 400, bad)
    t.equal(json(response).error.code, 'VALIDATION_FAILED')
  }
})

eachDatabase(t, 'organisers page through signatures with before/nextBefore', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const all = ['One', 'Two', 'Three', 'Four', 'Five']
  for (const name of all) t.equal((await sign(app, slug, person({ name }))).statusCode, 201)
  const other = await appeal(app, owner)
  t.equal((await sign(app, other, person({ name: 'Elsewhere' }))).statusCode, 201)

  const seen: string[] = []
  const sizes: number[] = []
  let before: number | null = null
  for (let page = 0; page < 10; page++) {
    const response = await search(app, owner, slug, `?limit=2${before === null ? '' : `&before=${before}`}`)
    t.equal(response.statusCode, 200)
    const body = json(response)
    sizes.push(body.items.length)
    seen.push(...names(response))
    before = body.nextBefore
    if (before === null) break
  }
  t.same(sizes, [2, 2, 1])
  t.same(seen, [...all].reverse(), 'every signature of this appeal once, newest first')
  t.equal(before, null)
})

eachDatabase(t, 'hiding a signature takes it out of the public list and the counts; unhiding brings it back', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person({ name: 'Real Person', email: 'real@example.org' }))).statusCode, 201)
  t.equal((await sign(app, slug, person({ name: 'Spam Bot', email: 'spam@example.org', country: 'RU' }))).statusCode, 201)
  t.equal((await statsUntil(app, slug, (s) => s.signatures === 2)).signatures, 2)
  const id = await idOf(app, 'spam@example.org')

  const hidden = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/signatures/${id}/hide`, headers: owner.auth })
  t.equal(hidden.statusCode, 200)
  t.match(json(hidden), { id, name: 'Spam Bot', status: 'confirmed' })
  t.ok(!Number.isNaN(Date.parse(json(hidden).hiddenAt)), 'hiddenAt is set')
  t.same(await publicNames(app, slug), ['Real Person'])
  const afterHide = await statsUntil(app, slug, (s) => s.signatures === 1)
  t.equal(afterHide.signatures, 1, 'the count drops')
  t.same(afterHide.byCountry, { VE: 1 })
  t.same(names(await search(app, owner, slug)), ['Spam Bot', 'Real Person'], 'organisers still see it')
  t.not((await rowOf(app, id))?.hiddenAt, null)

  const again = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/signatures/${id}/hide`, headers: owner.auth })
  t.equal(again.statusCode, 200, 'hiding twice is harmless')

  const unhidden = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/signatures/${id}/unhide`, headers: owner.auth })
  t.equal(unhidden.statusCode, 200)
  t.equal(json(unhidden).hiddenAt, null)
  t.same(await publicNames(app, slug), ['Spam Bot', 'Real Person'])
  const afterUnhide = await statsUntil(app, slug, (s) => s.signatures === 2)
  t.equal(afterUnhide.signatures, 2, 'the count is back')
  t.same(afterUnhide.byCountry, { VE: 1, RU: 1 })

  const stranger = await organiser(app)
  const refused = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/signatures/${id}/hide`, headers: stranger.auth })
  t.equal(refused.statusCode, 404, 'another organiser cannot hide it')
  t.equal((await rowOf(app, id))?.hiddenAt, null)
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/signatures/${id}/hide` })).statusCode, 401)
  t.equal((await rowOf(app, id))?.hiddenAt, null)
}, { STATS_TTL_MS: '0' })

eachDatabase(t, 'erasing a signature removes the person and the count, and the person may sign again', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const body = person({ name: 'Erase Me', email: 'erase.me@example.org', city: 'Caracas', organisation: 'UNETE', role: 'delegate', locale: 'es', contact: true })
  t.equal((await sign(app, slug, body, { 'x-forwarded-for': '198.51.100.7' })).statusCode, 201)
  t.equal((await sign(app, slug, person({ name: 'Stay', country: 'AR' }))).statusCode, 201)
  t.equal((await statsUntil(app, slug, (s) => s.signatures === 2)).signatures, 2)
  const id = await idOf(app, 'erase.me@example.org')
  t.type((await rowOf(app, id))?.ipHash, 'string', 'an ip hash was stored to begin with')

  const response = await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/signatures/${id}`, headers: owner.auth })
  t.equal(response.statusCode, 200)
  t.match(json(response), { id, status: 'erased', name: null, email: null })
  t.notOk(response.body.includes('Erase Me'))

  const row = await rowOf(app, id)
  t.match(row, { status: 'erased', name: null, email: null, emailHash: null, city: null, organisation: null, role: null, ipHash: null, locale: null, public: false, contact: false })
  t.ok(row?.erasedAt instanceof Date)
  t.notOk(JSON.stringify(row).includes('erase.me'), 'nothing of the email is left in the row')
  t.notOk(JSON.stringify(row).includes('Caracas'))

  const stats = await statsUntil(app, slug, (s) => s.signatures === 1)
  t.equal(stats.signatures, 1, 'the count drops')
  t.same(stats.byCountry, { AR: 1 })
  t.same(await publicNames(app, slug), ['Stay'])

  const again = await sign(app, slug, person({ name: 'Erase Me Again', email: 'Erase.Me@example.org' }))
  t.equal(again.statusCode, 201, 'the same email may sign again')
  t.equal((await statsUntil(app, slug, (s) => s.signatures === 2)).signatures, 2)
  t.equal((await signatureRows(app)).length, 3, 'the erased row stays as an uncounted tombstone')
}, { STATS_TTL_MS: '0' })

eachDatabase(t, 'a signature that is not in this appeal is not found', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const other = await appeal(app, owner)
  t.equal((await sign(app, other, person({ name: 'Other Appeal', email: 'other@example.org' }))).statusCode, 201)
  const foreign = await idOf(app, 'other@example.org')

  for (const id of [foreign, foreign + 1000, 9_007_199_254_740_991]) {
    for (const [method, suffix] of [['POST', '/hide'], ['POST', '/unhide'], ['DELETE', '']] as const) {
      const response = await app.inject({ method, url: `/api/admin/appeals/${slug}/signatures/${id}${suffix}`, headers: owner.auth })
      t.equal(response.statusCode, 404, `${method} ${id}${suffix}`)
      t.equal(json(response).error.code, 'SIGNATURE_NOT_FOUND')
    }
  }
  t.match(await rowOf(app, foreign), { name: 'Other Appeal', email: 'other@example.org', status: 'confirmed', hiddenAt: null }, 'the other appeal\'s signature is untouched')

  const huge = await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/signatures/99999999999999999999`, headers: owner.auth })
  t.ok(huge.statusCode === 404 || huge.statusCode === 400, `an id beyond any signature is a client error (got ${huge.statusCode})`)
  const word = await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/signatures/abc`, headers: owner.auth })
  t.equal(word.statusCode, 400)
  t.ok(json(word).error.fields.id)
  const noAppeal = await app.inject({ method: 'DELETE', url: `/api/admin/appeals/no-such-appeal/signatures/${foreign}`, headers: owner.auth })
  t.equal(noAppeal.statusCode, 404)
  t.equal(json(noAppeal).error.code, 'APPEAL_NOT_FOUND')
  t.equal((await rowOf(app, foreign))?.status, 'confirmed')
})
