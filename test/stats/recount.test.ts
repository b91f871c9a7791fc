import { randomBytes } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import postgres from 'postgres'
import t from 'tap'
import { runCommand } from '../../src/cli/commands.js'
import { loadConfig, paths } from '../../src/config.js'
import { openDatabase, selectRows, type Database, type DatabaseHandle } from '../../src/db/connection.js'
import { appealCounts, foldAllCountChanges } from '../../src/stats/rollup.js'
import { databases, testDatabase, TEST_DATA_KEY, type TestContext } from '../helpers/app.js'

/** Inserts an appeal and its signatures as rows, as any release's schema holds them. */
async function appealWithSignatures (run: (query: string) => Promise<unknown>, slug: string): Promise<void> {
  await run(`insert into appeals (slug, original_language) values ('${slug}', 'en')`)
  const row = (status: string, country: string, kind: string, members: string, hidden = 'null') =>
    `((select id from appeals where slug = '${slug}'), '${kind}', '${status}', '${country}', ${members}, false, false, 'v1', 'import', ${hidden})`
  await run(`insert into signatures (appeal_id, kind, status, country, members, public, contact, consent_version, source, hidden_at) values
    ${[row('confirmed', 'VE', 'individual', 'null'), row('confirmed', 'VE', 'individual', 'null'), row('confirmed', 'GB', 'organisation', '5000'),
      row('pending', 'GB', 'individual', 'null'), row('confirmed', 'AR', 'individual', 'null', 'now()'), row('erased', 'AR', 'individual', 'null')].join(',\n')}`)
}

const seeded = [
  { country: 'GB', kind: 'organisation', signatures: 1, members: 5000 },
  { country: 'VE', kind: 'individual', signatures: 2, members: 0 }
]
const byGroup = (groups: Array<{ country: string, kind: string }>) => [...groups].sort((a, b) => `${a.country}${a.kind}`.localeCompare(`${b.country}${b.kind}`))

/** The migrations before the rollup's, applied and recorded as the migrator does, on a database that has none. */
async function migrateBeforeRollup (t: TestContext, run: (query: string, params?: unknown[]) => Promise<unknown>): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder: paths.migrations })
  const rollup = migrations.findIndex((m) => m.sql.some((statement) => statement.includes('CREATE TABLE "signature_counts"')))
  t.ok(rollup > 0, 'the rollup has a migration of its own')
  await run('create schema if not exists drizzle')
  await run('create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)')
  for (const migration of migrations.slice(0, rollup)) {
    for (const statement of migration.sql) if (statement.trim() !== '') await run(statement)
    await run('insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)', [migration.hash, migration.folderMillis])
  }
}

t.test('the migration counts the signatures already there [pglite]', async (t) => {
  const client = await PGlite.create()
  t.teardown(async () => { await client.close() })
  await migrateBeforeRollup(t, async (query, params) => client.query(query, params))
  await appealWithSignatures(async (query) => client.query(query), 'before-the-rollup')
  await migratePglite(drizzlePglite({ client }), { migrationsFolder: paths.migrations })
  const handle = await openDatabase({ dataDir: 'memory://', pglite: client })
  const [appeal] = await selectRows<{ id: string }>(handle.db, sql`select id from appeals where slug = 'before-the-rollup'`)
  t.same(byGroup(await appealCounts(handle.db, appeal!.id)), seeded, 'confirmed and visible signatures, by country and kind')
})

t.test('the migration counts the signatures already there [postgres]', { skip: databases.length < 2 ? 'needs PostgreSQL: set TEST_DATABASE_URL' : false }, async (t) => {
  const serverUrl = databases[1]!.serverUrl!
  const name = `solidaria_test_rollup_${randomBytes(4).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  t.teardown(async () => { await admin.unsafe(`drop database if exists "${name}" with (force)`); await admin.end() })
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const client = postgres(url.toString(), { max: 1, onnotice: () => {} })
  await migrateBeforeRollup(t, async (query, params) => client.unsafe(query, params as never))
  await appealWithSignatures(async (query) => client.unsafe(query), 'before-the-rollup')
  await client.end()
  const handle = await openDatabase({ url: url.toString(), dataDir: 'memory://', poolSize: 1 })
  t.teardown(async () => { await handle.close() })
  const [appeal] = await selectRows<{ id: string }>(handle.db, sql`select id from appeals where slug = 'before-the-rollup'`)
  t.same(byGroup(await appealCounts(handle.db, appeal!.id)), seeded, 'confirmed and visible signatures, by country and kind')
})

async function recount (handle: DatabaseHandle, args: string[]) {
  const run = { code: -1, stdout: '', stderr: '' }
  const io = { readLine: async () => '', out: (line: string) => { run.stdout += `${line}\n` }, err: (line: string) => { run.stderr += `${line}\n` } }
  run.code = await runCommand(['stats', 'recount', ...args], handle, loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: 'memory://', DATA_KEY: TEST_DATA_KEY }), io)
  return run
}

for (const database of databases) {
  t.test(`stats recount finds counts that went wrong and repairs them [${database.name}]`, async (t) => {
    const { handle } = await testDatabase(t, database)
    const db: Database = handle.db
    const run = async (query: string) => db.execute(sql.raw(query))
    await appealWithSignatures(run, 'kept-right')
    await appealWithSignatures(run, 'gone-wrong')
    await foldAllCountChanges(db)
    const agree = await recount(handle, [])
    t.equal(agree.code, 0, agree.stderr)
    t.match(agree.stdout, /agree with a recount/)

    // What no trigger would do: counts changed behind their back, and counts of an appeal that does not exist.
    await run('update signature_counts set signatures = signatures + 3 where country = \'VE\' and appeal_id = (select id from appeals where slug = \'gone-wrong\')')
    await run("insert into signature_counts values ('00000000-0000-4000-8000-000000000000', 'FR', 'individual', 4, 0)")
    // A change not folded yet is part of the counts, not a difference.
    await run("insert into signatures (appeal_id, kind, status, country, public, contact, consent_version, source) select id, 'individual', 'confirmed', 'CU', false, false, 'v1', 'import' from appeals where slug = 'gone-wrong'")
    const check = await recount(handle, [])
    t.equal(check.code, 1, 'a check that finds differences fails')
    t.equal(check.stdout, 'gone-wrong VE individual: counted 2 signatures and 0 members, kept 5 and 0\n' +
      '00000000-0000-4000-8000-000000000000 (deleted) FR individual: counted 0 signatures and 0 members, kept 4 and 0\n', 'each difference, by appeal, country and kind')
    t.match(check.stderr, /2 counts .* differ from a recount: "stats recount --repair" rewrites them/)

    const repair = await recount(handle, ['--repair'])
    t.equal(repair.code, 0, repair.stderr)
    t.match(repair.stdout, /Repaired 2 counts/)
    const [wrong] = await selectRows<{ id: string }>(db, sql`select id from appeals where slug = 'gone-wrong'`)
    const expected = byGroup([...seeded, { country: 'CU', kind: 'individual', signatures: 1, members: 0 }])
    t.same(byGroup(await appealCounts(db, wrong!.id)), expected, 'the appeal counts what its signatures count')
    await foldAllCountChanges(db)
    t.same(byGroup(await appealCounts(db, wrong!.id)), expected, 'and still does once the change waiting is folded')
    t.same(await selectRows(db, sql`select * from signature_counts where appeal_id = '00000000-0000-4000-8000-000000000000'`), [], "the deleted appeal's counts are gone")
    const after = await recount(handle, [])
    t.equal(after.code, 0, after.stderr)
  })
}
