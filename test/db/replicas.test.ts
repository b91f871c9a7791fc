import { createServer } from 'node:net'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { openDatabase, selectRaw, selectRows } from '../../src/db/connection.js'
import { freshPostgresDatabase, postgresUrl } from '../helpers/app.js'

// Read routing against real servers: the machine's PostgreSQL stands in for a replica that is up (a
// primary is never behind itself), a closed port for one that is down. The topology test runs a real
// streaming replica.
const skip = postgresUrl === undefined ? 'needs PostgreSQL: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)' : false

async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

t.test('reads go to usable replicas in turn, skip one that is down, and fall back to the primary when one fails under a read', { skip }, async (t) => {
  const url = await freshPostgresDatabase(t, postgresUrl!)
  const down = `postgres://postgres@127.0.0.1:${await closedPort()}/nowhere`
  const changes: string[] = []
  const handle = await openDatabase({
    url, dataDir: 'memory://', readUrls: [url, down], readCheckMs: 60_000, connectTimeoutMs: 500,
    onReplicaChange: (r) => { changes.push(`${r.host} ${r.usable ? 'in use' : 'left out'}`) }
  })
  t.teardown(handle.close)
  const [up, gone] = handle.replicas!
  t.equal(up!.usable, true, 'the reachable one is in use')
  t.equal(up!.lagMs, 0, 'and not behind')
  t.equal(gone!.usable, false, 'the closed port is left out')
  t.match(gone!.reason, /^unreachable/)
  t.notMatch(gone!.host, /postgres@/, 'its name carries no credentials')

  for (let i = 0; i < 4; i++) {
    const [row] = await selectRows<{ n: number }>(handle.readDb, sql`select 1 + ${i} as n`)
    t.equal(row?.n, 1 + i, 'a read answers, with its parameters')
  }
  t.equal(up!.reads, 4, 'every read went to the usable replica')
  // The export's batches come as bytes (selectRaw), through the same routing.
  const [raw] = await selectRaw(handle.readDb, sql`select ${'ünï'}::text as word, null::text as nothing`)
  t.same(raw?.map((value) => value === null ? null : Buffer.from(value).toString()), ['ünï', null], 'a raw read gives each column\'s bytes, in order')
  t.equal(up!.reads, 5, 'and went to the replica too')
  t.same(await handle.readDb.execute(sql`select 'ok' as status`).then((r) => [...(r as unknown as Array<{ status: string }>)]), [{ status: 'ok' }], 'rows as objects too')

  // A replica that went away since its last check: the read is answered by the primary, the replica left out.
  gone!.usable = true
  let answered = 0
  for (let i = 0; i < 2; i++) answered += (await selectRows<{ n: number }>(handle.readDb, sql`select 1 as n`)).length
  t.equal(answered, 2, 'both reads answered')
  t.equal(gone!.fellBack, 1, 'the one that went to the dead replica was run again on the primary')
  t.equal(gone!.usable, false, 'and the replica is left out until a check finds it well')
  t.ok(changes.some((c) => c.endsWith('left out')), `the change was told (${changes.join('; ')})`)

  // A query that is wrong is wrong everywhere: not retried.
  await t.rejects(selectRows(handle.readDb, sql`select * from no_such_table`), /no_such_table/, 'a faulty query fails as it would on the primary')
  t.equal(up!.fellBack, 0, 'without counting against the replica')

  // Writes never go to a replica: db is the primary's.
  t.not(handle.db, handle.readDb)
})

t.test('without replicas, reads use the primary itself', { skip }, async (t) => {
  const url = await freshPostgresDatabase(t, postgresUrl!)
  const handle = await openDatabase({ url, dataDir: 'memory://' })
  t.teardown(handle.close)
  t.equal(handle.readDb, handle.db)
  t.equal(handle.replicas, undefined)
})

t.test('named prepared statements can be turned off (for a transaction-mode pooler)', { skip }, async (t) => {
  const url = await freshPostgresDatabase(t, postgresUrl!)
  const handle = await openDatabase({ url, dataDir: 'memory://', preparedStatements: false })
  t.teardown(handle.close)
  for (let i = 0; i < 3; i++) await selectRows(handle.db, sql`select ${i}::int as n`)
  const [row] = await selectRows<{ n: number }>(handle.db, sql`select count(*)::int as n from pg_prepared_statements`)
  t.equal(row?.n, 0, 'the server holds no prepared statement for this connection')
})
