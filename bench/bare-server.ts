import Fastify from 'fastify'
import postgres from 'postgres'

// The baseline: what plain Fastify and one INSERT cost on this machine, with nothing of Solidaria's.
// It writes the same row into the same signatures table (same indexes: the unique one that finds
// duplicates and the ones that serve counts and lists), so the ratio measures what the application
// adds, not what the schema costs the database.
const { DATABASE_URL, APPEAL_ID, PORT, HOST = '127.0.0.1' } = process.env
if (DATABASE_URL === undefined || APPEAL_ID === undefined || PORT === undefined) {
  console.error('bare-server needs DATABASE_URL, APPEAL_ID and PORT')
  process.exit(1)
}

const sql = postgres(DATABASE_URL, { max: 10, onnotice: () => {} })
const app = Fastify({ logger: false })

interface SignBody { name: string, email: string, country: string }

app.post<{ Body: SignBody }>('/sign', async (request, reply) => {
  const { name, email, country } = request.body
  await sql`insert into signatures (appeal_id, kind, status, name, email, email_hash, country, public, contact, consent_version, source, confirmed_at)
    values (${APPEAL_ID}, 'individual', 'confirmed', ${name}, ${email}, md5(${email}), ${country}, true, false, '2026-11', 'api', now())`
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

const close = async (): Promise<void> => {
  await app.close()
  await sql.end({ timeout: 5 })
  process.exit(0)
}
process.on('SIGTERM', () => { void close() })
process.on('SIGINT', () => { void close() })

await app.listen({ host: HOST, port: Number(PORT) })
