import { createCipheriv, createHash, createSecretKey, randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Readable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import Fastify from 'fastify'
import postgres from 'postgres'

// The baseline: what plain Fastify, one INSERT and the sealing the privacy rules require cost on this
// machine, with nothing of Solidaria's. It writes the same row into the same signatures table (same
// indexes: the unique one that finds duplicates and the ones that serve counts and lists), the email
// sealed with AES-256-GCM under DATA_KEY in the same format, so the ratio measures what the application
// adds, not what the schema and the encryption cost. Its export is the least an export of the same
// file can do: the same 24 columns and filter (the appeal), PostgreSQL writing every column but the
// sealed ones into finished pieces of the line with the same cell function, the sealed JSON opened and
// its fields (email; name, city, organisation and role of those not shown) written on EXPORT_WORKERS
// worker threads, as many as the app's, while the main thread fetches the next batch.
// EMAIL_DOMAIN_HASH: the keyed hash of example.org, the domain of every benchmark signer, as the app records it.
const { DATABASE_URL, APPEAL_ID, PORT, DATA_KEY, EMAIL_DOMAIN_HASH = null, HOST = '127.0.0.1', EXPORT_WORKERS = '2' } = process.env
if (DATABASE_URL === undefined || APPEAL_ID === undefined || PORT === undefined || DATA_KEY === undefined) {
  console.error('bare-server needs DATABASE_URL, APPEAL_ID, PORT and DATA_KEY')
  process.exit(1)
}
const appealId: string = APPEAL_ID
const rawKey = Buffer.from(DATA_KEY, 'base64')
const key = createSecretKey(rawKey)
const keyId = createHash('sha256').update('solidaria data key id/').update(rawKey).digest('hex').slice(0, 12)
const seal = (plain: string): string => {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  return `${keyId}.${Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64url')}`
}
const sql = postgres(DATABASE_URL, { max: 10, onnotice: () => {} })
const app = Fastify({ logger: false })

interface SignBody { name: string, email: string, country: string }

app.post<{ Body: SignBody }>('/sign', async (request, reply) => {
  const { name, email, country } = request.body
  await sql`insert into signatures (appeal_id, kind, status, name, sealed, email_hash, email_domain_hash, country, public, contact, consent_version, source, confirmed_at)
    values (${APPEAL_ID}, 'individual', 'confirmed', ${name}, ${seal(JSON.stringify({ e: email }))}, md5(${email}), ${EMAIL_DOMAIN_HASH}, ${country}, true, false, '2026-11', 'api', now())`
  return reply.code(201).send({ status: 'confirmed' })
})

const countries = 'AR AT AU BE BO BR CA CH CL CN CO CU CZ DE DK DO EC EG ES FI FR GB GR GT HN HU ID IE IL IN IT JP KE KR LB MA MX NG NI NL NO NZ PA PE PH PK PL PS PT PY RO RU SE SV TN TR UA US UY VE VN ZA ZM ZW BD DZ'.split(' ')
const constant = {
  signatures: 1_000_000,
  individuals: 990_000,
  organisations: 10_000,
  countries: countries.length,
  membersRepresented: 25_000_000,
  events: 0,
  eventCountries: 0,
  byCountry: Object.fromEntries(countries.map((c, i) => [c, 15_000 + i * 37])),
  updatedAt: new Date().toISOString()
}

// Serialised once, as the app serialises its counts once per refresh and sends the same string to every reader.
const constantJson = JSON.stringify(constant)
app.get('/json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(constantJson))
// The same string with the headers the app's counts carry (CORS, caching, ETag and the security headers:
// ANSWER_HEADERS, JSON, as the bench read them from the app's own answer), so that both sides put the
// same bytes on the wire and the ratio measures the work, not the size of the head.
const answerHeaders = JSON.parse(process.env.ANSWER_HEADERS ?? '{}') as Record<string, string>
app.get('/json-as-app', async (_request, reply) => reply.headers(answerHeaders).send(constantJson))

// Each worker opens a batch's sealed values and writes its lines, given the key at start.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads')
const { createDecipheriv, createSecretKey } = require('node:crypto')
const key = createSecretKey(Buffer.from(workerData.key))
const open = (sealed) => {
  const body = Buffer.from(sealed.slice(sealed.indexOf('.') + 1), 'base64url')
  const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, 12))
  decipher.setAuthTag(body.subarray(body.length - 16))
  return decipher.update(body.subarray(12, body.length - 16), undefined, 'utf8') + decipher.final('utf8')
}
const cell = (v) => {
  if (v == null) return ''
  const safe = /^[=+\\-@\\t\\r]/.test(v) ? "'" + v : v
  return /[",;\\n\\r]/.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe
}
const encoder = new TextEncoder()
parentPort.on('message', ({ id, rows }) => {
  let text = ''
  for (const r of rows) {
    const h = r.sealed === null ? {} : JSON.parse(open(r.sealed))
    text += r.a + ',' + cell(r.name ?? h.n) + ',' + cell(h.e ?? r.email) + ',' + r.b + ',' + cell(r.city ?? h.c) + ',' + cell(r.organisation ?? h.o) +
      ',' + cell(r.role ?? h.r) + ',' + r.c + '\\r\\n'
  }
  const bytes = encoder.encode(text)
  parentPort.postMessage({ id, bytes }, [bytes.buffer])
})`
const workerCount = Math.max(1, Number(EXPORT_WORKERS) || availableParallelism())
const workers = Array.from({ length: workerCount }, () => new Worker(workerSource, { eval: true, workerData: { key: rawKey } }))
const waiting = new Map<number, (bytes: Uint8Array) => void>()
for (const worker of workers) worker.on('message', ({ id, bytes }: { id: number, bytes: Uint8Array }) => { waiting.get(id)?.(bytes); waiting.delete(id) })
let jobs = 0
const formatted = (rows: unknown[]): Promise<Uint8Array> => new Promise((resolve) => {
  const id = jobs++
  waiting.set(id, resolve)
  workers[id % workers.length]!.postMessage({ id, rows })
})

const iso = (column: string): string => `coalesce(to_char(${column} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '')`
const header = 'id,kind,status,hidden,name,email,country,city,organisation,role,organisationType,members,public,contact,consentVersion,locale,source,embedOrigin,' +
  'createdAtUtc,confirmedAtUtc,erasedAtUtc,anonymisedAtUtc,notable,eventId'

async function * exportLines (): AsyncGenerator<Buffer> {
  yield Buffer.from('\uFEFF' + header + '\r\n')
  // The rows there at the start, as the app's export takes them: up to the highest id then.
  const [{ last } = { last: '0' }] = await sql<Array<{ last: string }>>`select coalesce(max(id), 0)::text as last from signatures where appeal_id = ${appealId}`
  let after = 0
  let done = false
  const pending: Array<Promise<Uint8Array>> = []
  while (!done || pending.length > 0) {
    if (!done) {
      const rows: Array<{ id: string }> = await sql`select id::text as id,
          id || ',' || kind || ',' || status || ',' || (hidden_at is not null) as a,
          solidaria_csv_cell(country) as b,
          coalesce(organisation_type::text, '') || ',' || coalesce(members::text, '') || ',' || public || ',' || contact || ',' ||
            solidaria_csv_cell(consent_version) || ',' || solidaria_csv_cell(locale) || ',' || source || ',' || solidaria_csv_cell(embed_origin) || ',' ||
            ${sql.unsafe(iso('created_at'))} || ',' || ${sql.unsafe(iso('confirmed_at'))} || ',' || ${sql.unsafe(iso('erased_at'))} || ',' ||
            ${sql.unsafe(iso('anonymised_at'))} || ',' || notable || ',' || coalesce(event_id::text, '') as c,
          sealed, email, name, city, organisation, role
        from signatures where appeal_id = ${appealId} and id > ${after} and id <= ${last}::bigint order by signatures.id limit 5000`
      if (rows.length === 0) done = true
      else {
        pending.push(formatted(rows))
        after = Number(rows.at(-1)!.id)
      }
    }
    // As many batches in flight as the app has: one a worker, and the one being fetched.
    if (pending.length > 0 && (done || pending.length > workerCount)) yield Buffer.from(await pending.shift()!)
  }
}

app.get('/export', async (_request, reply) => reply.type('text/csv').send(Readable.from(exportLines(), { objectMode: false, highWaterMark: 64 * 1024 })))

const close = async (): Promise<void> => {
  await app.close()
  await sql.end({ timeout: 5 })
  await Promise.all(workers.map((worker) => worker.terminate()))
  process.exit(0)
}
process.on('SIGTERM', () => { void close() })
process.on('SIGINT', () => { void close() })

await app.listen({ host: HOST, port: Number(PORT) })
