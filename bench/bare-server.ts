import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import Fastify from 'fastify'
import postgres from 'postgres'

// The baseline: what plain Fastify, one INSERT and the sealing the privacy rules require cost on this
// machine, with nothing of Solidaria's. It writes the same row into the same signatures table (same
// indexes: the unique one that finds duplicates and the ones that serve counts and lists), the email
// sealed with AES-256-GCM under DATA_KEY in the same format, so the ratio measures what the application
// adds, not what the schema and the encryption cost. Its export is the least an export of sealed rows
// can do: fetch id and sealed value a batch at a time, open each, write "id,email".
// EMAIL_DOMAIN_HASH: the keyed hash of example.org, the domain of every benchmark signer, as the app records it.
const { DATABASE_URL, APPEAL_ID, PORT, DATA_KEY, EMAIL_DOMAIN_HASH = null, HOST = '127.0.0.1' } = process.env
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
const open = (sealed: string): string => {
  const body = Buffer.from(sealed.slice(sealed.indexOf('.') + 1), 'base64url')
  const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, 12))
  decipher.setAuthTag(body.subarray(body.length - 16))
  return decipher.update(body.subarray(12, body.length - 16), undefined, 'utf8') + decipher.final('utf8')
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

app.get('/json', async () => constant)

async function * exportLines (): AsyncGenerator<string> {
  yield 'id,email\r\n'
  let after = 0
  for (;;) {
    const rows: Array<{ id: string, sealed: string }> = await sql`select id, sealed from signatures
      where appeal_id = ${appealId} and id > ${after} order by id limit 5000`
    if (rows.length === 0) return
    let text = ''
    for (const row of rows) text += `${row.id},${(JSON.parse(open(row.sealed)) as { e: string }).e}\r\n`
    yield text
    after = Number(rows.at(-1)!.id)
  }
}

app.get('/export', async (_request, reply) => reply.type('text/csv').send(Readable.from(exportLines(), { objectMode: false })))

const close = async (): Promise<void> => {
  await app.close()
  await sql.end({ timeout: 5 })
  process.exit(0)
}
process.on('SIGTERM', () => { void close() })
process.on('SIGINT', () => { void close() })

await app.listen({ host: HOST, port: Number(PORT) })
