import { once } from 'node:events'
import http from 'node:http'
import { eq, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { Appeal } from '../../src/appeals/service.js'
import { appeals, signatures } from '../../src/db/schema.js'
import { createExportsService, type ExportsService } from '../../src/exports/service.js'
import { createSealer } from '../../src/secrets/sealing.js'
import { eachDatabase } from '../helpers/app.js'
import { appeal, filterableAppeal, organiser, person, sign, type Organiser } from '../helpers/fixtures.js'

// The export's sealed fields are opened on worker threads (src/exports/format-pool.ts). These tests hold
// it to the single-threaded path byte for byte and to ending its workers with the app.

async function appealRow (app: FastifyInstance, slug: string): Promise<Appeal> {
  const [row] = await app.db.select().from(appeals).where(eq(appeals.slug, slug))
  if (row === undefined) throw new Error('appeal not found')
  return row as unknown as Appeal
}

async function collect (chunks: AsyncIterable<Buffer | unknown[]>): Promise<string> {
  const parts: string[] = []
  for await (const chunk of chunks) parts.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : JSON.stringify(chunk))
  return parts.join('')
}

/** GET over a real socket (a stream that breaks off ends the socket, which inject does not model), the response paused. */
async function download (app: FastifyInstance, path: string, headers: Record<string, string>): Promise<http.IncomingMessage> {
  if (app.server.address() === null) await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const request = http.get({ host: '127.0.0.1', port, path, headers, agent: false })
  const [response] = await once(request, 'response') as [http.IncomingMessage]
  response.pause()
  return response
}

/** Reads a response to its end: its lines, whether it ended complete, and its text if asked. */
async function readAll (response: http.IncomingMessage, keep = false): Promise<{ lines: number, complete: boolean, text: string }> {
  let lines = 0
  const parts: Buffer[] = []
  response.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
    if (keep) parts.push(chunk)
  })
  const complete = await new Promise<boolean>((resolve) => {
    response.once('end', () => { resolve(response.complete) })
    response.once('error', () => { resolve(false) })
    response.once('aborted', () => { resolve(false) })
    response.resume()
  })
  return { lines, complete, text: Buffer.concat(parts).toString('utf8') }
}

const everyFormat = async (service: ExportsService, target: Appeal, filters: Record<string, unknown> = {}): Promise<string[]> => [
  await collect(service.csv(target, filters)),
  await collect(service.csv(target, filters, 'semicolon')),
  await collect(service.ndjson(target, filters)),
  await collect(service.sheetRows(target, filters))
]

async function variedAppeal (app: FastifyInstance, owner: Organiser): Promise<string> {
  const slug = await filterableAppeal(app, owner)
  const people = [
    person({ name: 'Ελληνικά, "quoted"', city: 'Αθήνα', public: false }),
    person({ name: '=HYPERLINK("x")', organisation: '+Union; one', role: '-chair', public: false }),
    person({ name: 'العربية', city: 'Rosario', public: true }),
    person({ name: 'Shown Publicly', public: true, country: 'AR' })
  ]
  for (const body of people) {
    const response = await sign(app, slug, body)
    if (response.statusCode !== 201) throw new Error(response.body)
  }
  return slug
}

eachDatabase(t, 'the worker threads write the same bytes as the single-threaded path, in every format and across batches', async (t, { app }) => {
  const owner = await organiser(app)
  const target = await appealRow(app, await variedAppeal(app, owner))
  const options = { sealer: app.sealer, keys: app.keys, batchSize: 3 }
  const threaded = createExportsService(app.readDb, { ...options, workers: 2 })
  const single = createExportsService(app.readDb, { ...options, workers: 0 })
  t.teardown(async () => { await threaded.close() })
  const [csv, semicolon, ndjson, sheet] = await everyFormat(threaded, target)
  t.same([csv, semicolon, ndjson, sheet], await everyFormat(single, target), 'CSV (both separators), NDJSON and the XLSX rows are identical')
  t.equal(threaded.workers, 2, 'both workers took batches')
  t.equal(csv!.split('\r\n').length - 2, 9, 'nine signatures, a header and the last line break')
  t.match(csv, /"Ελληνικά, ""quoted""",/, 'a sealed name is opened and quoted')
  t.match(semicolon, /;"'\+Union; one";'-chair;/, 'a sealed organisation and role are neutralised and quoted')
  const filters = { country: 'GB' }
  t.same(await everyFormat(threaded, target, filters), await everyFormat(single, target, filters), 'a filter gives the same bytes too')
  const response = await app.inject({ method: 'GET', url: `/api/admin/appeals/${target.slug}/export.csv`, headers: owner.auth })
  t.equal(response.body, csv, 'the route sends what the service writes')
})

eachDatabase(t, 'a sealed value that cannot be opened fails the export, with workers as without', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await variedAppeal(app, owner)
  const target = await appealRow(app, slug)
  const stranger = createSealer(Buffer.alloc(32, 7))
  await app.db.update(signatures).set({ sealed: stranger.seal('{"e":"lost@example.org"}') }).where(eq(signatures.appealId, target.id))
  const single = createExportsService(app.readDb, { sealer: app.sealer, keys: app.keys, workers: 0 })
  const expected = await collect(single.csv(target, {})).catch((error: Error) => error)
  t.type(expected, Error, 'the single-threaded path fails')
  const threaded = await collect(app.services.exports.csv(target, {})).catch((error: Error) => error)
  t.type(threaded, Error, 'the worker threads fail the export')
  t.equal((threaded as Error).message, (expected as Error).message, 'with the same message')
  t.match((threaded as Error).message, /neither DATA_KEY nor in DATA_KEY_PREVIOUS/)
  // Through HTTP the download breaks off rather than ending as a complete, shorter file.
  const response = await download(app, `/api/admin/appeals/${slug}/export.csv`, owner.auth)
  t.equal(response.statusCode, 200, 'the header went out before the first batch failed')
  const broken = await readAll(response, true)
  t.notOk(broken.complete, 'the download breaks off')
  t.notMatch(broken.text, /lost@example\.org/, 'no row of a value that cannot be opened is sent')
  const tampered = app.sealer.seal('{"e":"x@example.org"}').slice(0, -2) + 'AA'
  await app.db.update(signatures).set({ sealed: tampered }).where(eq(signatures.appealId, target.id))
  await t.rejects(collect(app.services.exports.ndjson(target, {})), /unable to authenticate/, 'an altered value fails the NDJSON export as well')
  // A failure is the batch's, not the worker's: the same workers go on to the next export.
  const running = app.services.exports.workers
  t.ok(running >= 1, 'the workers that failed the exports are running')
  await app.db.update(signatures).set({ sealed: app.sealer.seal('{"e":"back@example.org"}') }).where(eq(signatures.appealId, target.id))
  t.match(await collect(app.services.exports.csv(target, {})), /back@example\.org/, 'the next export opens its values')
  t.equal(app.services.exports.workers, running, 'on the same workers')
})

eachDatabase(t, 'a slow reader holds the export back: no more is fetched than the socket and a few batches take', async (t, { app }) => {
  const owner = await organiser(app)
  const target = await appealRow(app, await appeal(app, owner))
  // 40,000 rows of about 1 kB (a long public name; the email sealed): 40 MB of CSV in eight batches of
  // 5,000, far more than the sockets on both ends buffer.
  const rows = 40_000
  const sealed = app.sealer.seal(JSON.stringify({ e: 'bulk@example.org' }))
  await app.db.execute(sql`
    insert into signatures (appeal_id, kind, status, name, sealed, email_hash, country, public, contact, consent_version, source, created_at, confirmed_at)
    select ${target.id}::uuid, 'individual', 'confirmed', 'Bulk ' || g || repeat('x', 1000), ${sealed}, 'hash-' || g,
           'VE', true, false, '2026-11', 'import', now(), now()
    from generate_series(1, ${rows}::int) as g`)
  const service = app.services.exports
  const csv = service.csv
  let taken = 0
  service.csv = async function * (...args) {
    for await (const chunk of csv(...args)) {
      taken++
      yield chunk
    }
  }
  t.teardown(() => { service.csv = csv })
  const response = await download(app, `/api/admin/appeals/${target.slug}/export.csv`, owner.auth)
  t.equal(response.statusCode, 200)
  // Long enough for the whole export to be formatted, were nothing holding it back.
  let before = -1
  for (let waited = 0; waited < 3000 && before !== taken; waited += 500) {
    before = taken
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  t.ok(taken <= 4, `while the client reads nothing, the header and at most three batches are taken (${taken} of ${1 + rows / 5000})`)
  const read = await readAll(response, true)
  t.ok(read.complete, 'then the download completes')
  t.equal(read.lines, rows + 1, 'with every row after the header')
  t.equal(taken, 1 + rows / 5000, 'the header and every batch, each once')
  const ids = read.text.split('\r\n').slice(1, -1).map((line) => Number(line.slice(0, line.indexOf(','))))
  t.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]!), 'in id order')
  t.ok(read.text.split('\r\n')[1]!.includes(',bulk@example.org,'), 'the sealed email opened')
})

t.test('the workers start on the first export and end when the app closes', async (t) => {
  const { build } = await import('../helpers/app.js')
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await variedAppeal(app, owner)
  t.equal(app.services.exports.workers, 0, 'no worker before the first export')
  const response = await app.inject({ method: 'GET', url: `/api/admin/appeals/${slug}/export.ndjson`, headers: owner.auth })
  t.equal(response.statusCode, 200)
  t.ok(app.services.exports.workers >= 1 && app.services.exports.workers <= 2, 'the pool stays within EXPORT_WORKERS')
  await app.close()
  t.equal(app.services.exports.workers, 0, 'every worker has exited')
})
