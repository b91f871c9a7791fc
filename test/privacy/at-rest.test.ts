import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { selectRows } from '../../src/db/connection.js'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'

// A stolen copy of the database alone must not reveal who signed: every table, read as a dump or a
// raw SELECT * would read it, holds neither the email nor the name of a signer who chose not to be
// shown, while their organisers, who hold DATA_KEY, see both.

const EMAIL = 'Dolores.Quispe@sindicato.example.org'
const NAME = 'Dolores Quispe Huamán'
const CITY = 'Ayacucho'
const ORGANISATION = 'Sindicato Unitario de Trabajadores'

/** Every row of every table of the schema, as text. */
async function dump (app: FastifyInstance): Promise<string> {
  const tables = await selectRows<{ name: string }>(app.db, sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)
  let text = ''
  for (const { name } of tables) {
    const rows = await selectRows<{ row: string }>(app.db, sql`select t::text as row from ${sql.identifier(name)} as t`)
    text += `-- ${name}\n${rows.map((r) => r.row).join('\n')}\n`
  }
  return text
}

eachDatabase(t, 'a dump of the database shows neither the email nor the name of a signer; the organiser\'s export shows both', async (t, { app }) => {
  const owner = await organiser(app)
  const confirmed = await appeal(app, owner)
  const pending = await appeal(app, owner, { requireConfirmation: true })
  const details = { email: EMAIL, name: NAME, city: CITY, organisation: ORGANISATION, role: 'Secretaria general', country: 'PE', public: false, contact: true, locale: 'es' }
  t.equal((await sign(app, confirmed, person(details), { 'x-forwarded-for': '198.51.100.23' })).statusCode, 201)
  t.equal((await sign(app, pending, person(details))).statusCode, 201, 'and a signature waiting for confirmation, with its mail queued')

  const text = await dump(app)
  t.match(text, /-- signatures\n/, 'the dump has the signatures')
  t.match(text, /-- mail_outbox\n.*\S/, 'and the queued mail')
  const lower = text.toLowerCase()
  for (const secret of [EMAIL, EMAIL.split('@')[0]!, 'sindicato.example.org', NAME, 'Quispe', CITY, ORGANISATION, 'Secretaria', '198.51.100.23']) {
    t.notOk(lower.includes(secret.toLowerCase()), `the dump does not contain "${secret}"`)
  }

  const csv = await app.inject({ url: `/api/admin/appeals/${confirmed}/export.csv`, headers: owner.auth })
  t.equal(csv.statusCode, 200)
  t.ok(csv.body.includes(EMAIL.toLowerCase()), 'the export has the email')
  t.ok(csv.body.includes(NAME) && csv.body.includes(CITY) && csv.body.includes(ORGANISATION), 'and the name, city and organisation')
  const ndjson = await app.inject({ url: `/api/admin/appeals/${pending}/export.ndjson`, headers: owner.auth })
  t.match(JSON.parse(ndjson.body.trim()), { email: EMAIL.toLowerCase(), name: NAME, city: CITY, status: 'pending' })
  const found = json(await app.inject({ url: `/api/admin/appeals/${confirmed}/signatures?q=${encodeURIComponent(EMAIL)}`, headers: owner.auth }))
  t.match(found.items, [{ email: EMAIL.toLowerCase(), name: NAME }], 'organisers find the signer by the whole address')
})

eachDatabase(t, 'a signer who chose to be shown has their name in clear (it is published), never their email', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  await sign(app, slug, person({ email: 'shown@example.org', name: 'Shown Person', city: 'Caracas', public: true }))
  const text = (await dump(app)).toLowerCase()
  t.ok(text.includes('shown person'), 'the published name')
  t.notOk(text.includes('shown@example.org'), 'but not the address')
  t.match(json(await app.inject({ url: `/api/appeals/${slug}/signatures` })).items, [{ name: 'Shown Person', city: 'Caracas' }])
})
