import { eq, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { signatures } from '../../src/db/schema.js'
import { eachDatabase, json } from '../helpers/app.js'
import { decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser, person, sign, signatureRows } from '../helpers/fixtures.js'

const count = async (app: FastifyInstance, slug: string): Promise<number> => json(await app.inject({ url: `/api/appeals/${slug}/stats` })).signatures
const rowsIn = (body: string): number => (body.match(/<tr(?: class="is-hidden")?>\n<th scope="row">/g) ?? []).length

eachDatabase(t, 'the signatures table searches, filters and pages, newest first', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (let i = 0; i < 55; i++) await sign(app, slug, person({ name: `Signer ${i}`, email: `s${i}@example.org`, country: i % 2 === 0 ? 'VE' : 'GB' }), { 'x-forwarded-for': `198.51.100.${i % 3}` })
  await sign(app, slug, person({ name: 'Private Person', email: 'private@example.org', public: false, city: 'Lima', country: 'PE' }))
  const b = await signedInBrowser(app, owner)

  const first = await b.get(`/admin/appeals/${slug}/signatures`)
  t.equal(first.statusCode, 200)
  t.equal(rowsIn(first.body), 50, '50 a page')
  t.match(first.body, /Private Person[\s\S]*private@example\.org[\s\S]*Lima/, 'organisers see every field, sealed ones opened')
  t.ok(first.body.indexOf('Private Person') < first.body.indexOf('Signer 54'), 'newest first')
  const older = /href="([^"]+before=\d+)" rel="next"/.exec(decodeHtml(first.body))?.[1]
  t.ok(older, 'a link to older signatures')
  const second = await b.get(older!)
  t.equal(rowsIn(second.body), 6)
  t.match(second.body, /Signer 0/)

  const ve = await b.get(`/admin/appeals/${slug}/signatures?country=VE`)
  t.equal(rowsIn(ve.body), 28)
  t.match(ve.body, /<option value="VE" selected>/, 'the filter stays chosen')
  t.match(ve.body, new RegExp(`href="/api/admin/appeals/${slug}/export.csv\\?country=VE"`), 'the export takes the same filters')
  t.equal(rowsIn((await b.get(`/admin/appeals/${slug}/signatures?q=private%40example.org`)).body), 1, 'found by the whole email')
  t.equal(rowsIn((await b.get(`/admin/appeals/${slug}/signatures?q=Signer%201`)).body), 11, 'found by part of a shown name')
  const today = new Date().toISOString().slice(0, 10)
  t.equal(rowsIn((await b.get(`/admin/appeals/${slug}/signatures?from=${today}&to=${today}&country=GB`)).body), 27, 'by date')
  t.equal(rowsIn((await b.get(`/admin/appeals/${slug}/signatures?from=2020-01-01&to=2020-01-02`)).body), 0)

  const csv = await b.get(`/api/admin/appeals/${slug}/export.csv?country=PE`)
  t.equal(csv.statusCode, 200, 'the export downloads with the session, as the page links it')
  t.match(csv.headers['content-disposition'], /attachment/)
  t.match(csv.body, /Private Person,private@example\.org,PE,Lima/)
}, { TRUST_PROXY: 'true', RATE_LIMIT_SIGN_MAX: '1000' })

eachDatabase(t, 'hiding as spam (with undo), notable marks and erasure', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (const email of ['keep@example.org', 'spam@example.org', 'star@example.org', 'gone@example.org']) await sign(app, slug, person({ email, name: email.split('@')[0] }))
  const b = await signedInBrowser(app, owner)
  const id = async (email: string): Promise<number> => (await signatureRows(app)).find((r) => r.email === email)!.id
  t.equal(await count(app, slug), 4)

  const back = `/admin/appeals/${slug}/signatures?q=spam`
  const hidden = await b.post(`/admin/appeals/${slug}/signatures/${await id('spam@example.org')}/hide`, { back })
  t.equal(hidden.headers.location, `${back}&notice=hidden`, 'back to the same filtered page, saying what happened')
  t.equal(await count(app, slug), 3, 'the count drops at once')
  t.match((await b.get(`/admin/appeals/${slug}/signatures?hidden=true`)).body, /spam@example\.org/)
  await b.post(`/admin/appeals/${slug}/signatures/${await id('spam@example.org')}/unhide`)
  t.equal(await count(app, slug), 4, 'undone')

  await b.post(`/admin/appeals/${slug}/signatures/${await id('star@example.org')}/notable`)
  const notable = await b.get(`/admin/appeals/${slug}/signatures?notable=true`)
  t.equal(rowsIn(notable.body), 1)
  t.match(notable.body, /★/)

  const confirm = await b.get(`/admin/appeals/${slug}/signatures/${await id('gone@example.org')}/erase`)
  t.match(confirm.body, /cannot be undone/, 'erasing asks first')
  t.equal(await count(app, slug), 4, 'asking erases nothing')
  await b.post(`/admin/appeals/${slug}/signatures/${await id('gone@example.org')}/erase`)
  t.equal(await count(app, slug), 3)
  t.notOk((await signatureRows(app)).some((r) => r.email === 'gone@example.org'), 'the person is gone')
  t.equal((await b.post(`/admin/appeals/${slug}/signatures/999999/hide`)).statusCode, 404)
}, { STATS_TTL_MS: '0' })

eachDatabase(t, 'a wave of spam from one address or one email domain is hidden at once, after a preview, and undone at once', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (let i = 0; i < 6; i++) await sign(app, slug, person({ email: `bot${i}@spam.example`, name: `Bot ${i}` }), { 'x-forwarded-for': '203.0.113.66' })
  await sign(app, slug, person({ email: 'real@example.org', name: 'Real Person' }), { 'x-forwarded-for': '203.0.113.66' })
  await sign(app, slug, person({ email: 'other@example.org', name: 'Other Person' }), { 'x-forwarded-for': '198.51.100.1' })
  const [hiddenEarlier] = await app.db.select().from(signatures).where(eq(signatures.id, (await signatureRows(app)).find((r) => r.email === 'bot5@spam.example')!.id))
  await app.services.signatures.setHidden(await app.services.appeals.getPublic(slug), hiddenEarlier!.id, true)
  const b = await signedInBrowser(app, owner)
  t.equal(await count(app, slug), 7)

  const preview = await b.get(`/admin/appeals/${slug}/signatures/bulk-hide?emailDomain=spam.example`)
  t.match(preview.body, /5 signatures would be hidden/, 'how many, before anything happens')
  t.equal(await count(app, slug), 7, 'a preview hides nothing')
  const done = await b.post(`/admin/appeals/${slug}/signatures/bulk-hide`, { emailDomain: 'spam.example' })
  const location = done.headers.location as string
  t.match(location, /notice=bulkHidden&count=5&undo=[0-9a-f-]{36}/)
  t.equal(await count(app, slug), 2)
  const page = await b.get(location)
  t.match(page.body, /5 signatures were hidden as spam/)
  const batch = /undo=([0-9a-f-]{36})/.exec(location)![1]!
  await b.post(`/admin/appeals/${slug}/signatures/bulk-hide/undo`, { batch })
  t.equal(await count(app, slug), 7, 'one undo brings back exactly those')
  t.not((await app.db.select().from(signatures).where(eq(signatures.id, hiddenEarlier!.id)))[0]?.hiddenAt, null, 'not the one hidden before, separately')

  const [real] = await app.db.select().from(signatures).where(eq(signatures.id, (await signatureRows(app)).find((r) => r.email === 'real@example.org')!.id))
  const window = `from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString().slice(0, 16))}&to=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString().slice(0, 16))}`
  const byAddress = await b.get(`/admin/appeals/${slug}/signatures/bulk-hide?ipHash=${real!.ipHash}&${window}`)
  t.match(byAddress.body, /6 signatures would be hidden/, 'every visible one from that address in the window')
  const byCode = await b.get(`/admin/appeals/${slug}/signatures/bulk-hide?ipHash=${real!.ipHash!.slice(0, 8)}&${window}`)
  t.match(byCode.body, /6 signatures would be hidden/, 'the short code the table shows names the address too')
  await app.db.update(signatures).set({ createdAt: sql`now() - interval '2 days'` }).where(eq(signatures.id, real!.id))
  t.match((await b.get(`/admin/appeals/${slug}/signatures/bulk-hide?ipHash=${real!.ipHash}&${window}`)).body, /5 signatures would be hidden/, 'outside the window is left alone')
  const neither = await b.get(`/admin/appeals/${slug}/signatures/bulk-hide`)
  t.equal(neither.statusCode, 400)
  t.match(neither.body, /Give an address fingerprint or an email domain/)
}, { STATS_TTL_MS: '0', TRUST_PROXY: 'true' })
