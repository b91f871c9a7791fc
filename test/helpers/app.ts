import { createHash, randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import postgres from 'postgres'
import tap, { type Test } from 'tap'
import { createApp } from '../../src/app.js'
import { loadConfig, paths, projectRoot } from '../../src/config.js'
import { openDatabase, type DatabaseHandle } from '../../src/db/connection.js'

export type TestContext = Test

/** The PostgreSQL server to test on too (an empty TEST_DATABASE_URL, as `npm run test:unit` sets, is none). */
export const postgresUrl = process.env.TEST_DATABASE_URL || undefined

/** Every database test runs on embedded PGlite and, when TEST_DATABASE_URL is set, on PostgreSQL too. */
export const databases: Array<{ name: 'pglite' | 'postgres', serverUrl?: string }> = [
  { name: 'pglite' },
  ...(postgresUrl !== undefined ? [{ name: 'postgres' as const, serverUrl: postgresUrl }] : [])
]

export const redisUrl = process.env.TEST_REDIS_URL || undefined

/** What a kept migrated PGlite depends on (migrations/ and the PGlite package): a copy made from others is not reused. */
const pgliteDumpDigest = (() => {
  const hash = createHash('sha256')
  const add = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) add(path)
      else hash.update(entry.name).update(readFileSync(path))
    }
  }
  add(paths.migrations)
  // PGlite's files belong to the PostgreSQL build inside it: another version of the package may not read them.
  hash.update(readFileSync(join(projectRoot, 'node_modules', '@electric-sql', 'pglite', 'package.json')))
  return hash.digest('hex').slice(0, 16)
})()

// Creating, migrating and dropping a database takes seconds on PostgreSQL (dropping one forces a
// checkpoint), emptying one a few milliseconds. So each test process keeps the databases it made, and
// a test's database, emptied, serves the process's next test; they are dropped when the process ends.
interface PooledDatabase { url: string, client: postgres.Sql }
const idlePostgres = new Map<string, PooledDatabase[]>()
const madePostgres: Array<{ serverUrl: string, name: string }> = []

function databaseUrlOn (serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function newPostgresDatabase (serverUrl: string): Promise<PooledDatabase> {
  const name = `solidaria_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`create database "${name}"`)
    // A test database outlives no test run: commits need not wait for the disk.
    await admin.unsafe(`alter database "${name}" set synchronous_commit = off`)
  } finally {
    await admin.end()
  }
  madePostgres.push({ serverUrl, name })
  const url = databaseUrlOn(serverUrl, name)
  const handle = await openDatabase({ url, dataDir: 'memory://', poolSize: 1 })
  await handle.close()
  return { url, client: postgres(url, { max: 1, onnotice: () => {} }) }
}

tap.teardown(async () => {
  for (const pooled of [...idlePostgres.values()].flat()) await pooled.client.end()
  for (const { serverUrl, name } of madePostgres.splice(0)) {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
    await admin.end()
  }
})

/**
 * A migrated database on the test server with nothing in it, this test's alone. It is emptied when the
 * next test takes it, so that whatever the test started (another instance, a server process) has ended by then.
 */
export async function freshPostgresDatabase (t: TestContext, serverUrl: string): Promise<string> {
  const idle = idlePostgres.get(serverUrl) ?? []
  idlePostgres.set(serverUrl, idle)
  const pooled = idle.pop() ?? await newPostgresDatabase(serverUrl)
  const tables = await pooled.client<Array<{ name: string }>>`select quote_ident(tablename) as name from pg_tables where schemaname = 'public'`
  await pooled.client.unsafe(`truncate ${tables.map((row) => row.name).join(', ')} restart identity cascade`)
  t.teardown(() => { idle.push(pooled) })
  return pooled.url
}

export const TEST_DATA_KEY = 'dGVzdC1kYXRhLWtleS0zMi1ieXRlcy1sb25nLTAxMjM='

export function testEnv (env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    DATA_KEY: TEST_DATA_KEY,
    // Tests send queued mail themselves (app.services.mail.worker.runOnce()), when they choose.
    BACKGROUND_JOBS: 'false',
    // The production cost (2^15) is checked by the passwords test; every other test hashes cheaply.
    PASSWORD_HASH_COST: '10',
    // Tests share a busy machine and PGlite works on the event loop: its delay says nothing there
    // (test/plugins/pressure.test.ts turns the check on).
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env
  }
}

// Migrating PGlite takes seconds, loading a migrated copy about one, emptying one a few milliseconds. So
// the migrated data directory is made once per version of migrations/ and kept (in node_modules/.cache),
// each test process loads it once, and a test's database, emptied, serves the process's next test.
const pgliteDumpFile = join(projectRoot, 'node_modules', '.cache', 'solidaria-tests', `pglite-${pgliteDumpDigest}.tar`)
let pgliteDump: Promise<Blob> | undefined
const idlePglites: PGlite[] = []

async function migratedPgliteDump (): Promise<Blob> {
  try {
    return new Blob([readFileSync(pgliteDumpFile)])
  } catch {}
  const handle = await openDatabase({ dataDir: 'memory://' })
  const dump = await (handle.db as unknown as { $client: PGlite }).$client.dumpDataDir('none')
  await handle.close()
  // Written aside and renamed, so that a process reading it meanwhile never sees half of it.
  mkdirSync(join(pgliteDumpFile, '..'), { recursive: true })
  const partial = `${pgliteDumpFile}.${process.pid}`
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()))
  renameSync(partial, pgliteDumpFile)
  return dump
}

async function emptyPglite (): Promise<PGlite> {
  const idle = idlePglites.pop()
  if (idle !== undefined) return idle
  pgliteDump ??= migratedPgliteDump()
  return await PGlite.create({ loadDataDir: await pgliteDump })
}

/** Empties every table (and restarts its ids), so that the database is as freshly migrated. */
async function releasePglite (client: PGlite): Promise<void> {
  const { rows } = await client.query<{ name: string }>("select quote_ident(tablename) as name from pg_tables where schemaname = 'public'")
  await client.exec(`truncate ${rows.map((row) => row.name).join(', ')} restart identity cascade`)
  idlePglites.push(client)
}

tap.teardown(async () => {
  await Promise.all(idlePglites.splice(0).map(async (client) => { await client.close() }))
})

// A server test that is not about a first start needs an embedded database in its DATA_DIR, not the
// seconds its creation and migration take: it gets a copy of one migrated once per process.
let migratedDataDirTemplate: Promise<string> | undefined

/** A DATA_DIR holding a migrated embedded database, this test's own. */
export async function migratedDataDir (t: TestContext): Promise<string> {
  migratedDataDirTemplate ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'solidaria-data-'))
    tap.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
    const handle = await openDatabase({ dataDir: dir })
    await handle.close()
    return dir
  })()
  const dataDir = t.testdir()
  cpSync(await migratedDataDirTemplate, dataDir, { recursive: true })
  return dataDir
}

/** A migrated, empty database of the kind asked for, for code that takes a database rather than the app; closed when the test ends. */
export async function testDatabase (t: TestContext, database: (typeof databases)[number]): Promise<{ handle: DatabaseHandle, url?: string }> {
  if (database.serverUrl === undefined) {
    const pglite = await emptyPglite()
    const handle = await openDatabase({ dataDir: 'memory://', pglite })
    t.teardown(async () => { await releasePglite(pglite) })
    return { handle }
  }
  const url = await freshPostgresDatabase(t, database.serverUrl)
  const handle = await openDatabase({ url, dataDir: 'memory://', poolSize: 2 })
  t.teardown(async () => { await handle.close() })
  return { handle, url }
}

/**
 * Builds the app as the server does, on the given database URL (or a fresh PGlite), closed when the test ends;
 * `beforeReady` may add what a test needs (a route of its own) before it starts.
 */
export async function build (
  t: TestContext, env: Record<string, string | undefined> = {}, beforeReady?: (app: FastifyInstance) => void
): Promise<FastifyInstance> {
  const config = loadConfig(testEnv(env))
  const pglite = config.DATABASE_URL === undefined ? await emptyPglite() : undefined
  const app = await createApp(config, pglite === undefined ? {} : { pglite })
  t.teardown(async () => {
    await app.close()
    if (pglite !== undefined) await releasePglite(pglite)
  })
  beforeReady?.(app)
  await app.ready()
  return app
}

export interface DbTest { app: FastifyInstance, database: 'pglite' | 'postgres', databaseUrl?: string }

/** Runs `fn` once per database, each time in a freshly created one. */
export function eachDatabase (t: TestContext, name: string, fn: (t: TestContext, ctx: DbTest) => Promise<void>, env: Record<string, string> = {}): void {
  for (const database of databases) {
    t.test(`${name} [${database.name}]`, async (t) => {
      const databaseUrl = database.serverUrl === undefined ? undefined : await freshPostgresDatabase(t, database.serverUrl)
      const app = await build(t, { ...env, DATABASE_URL: databaseUrl })
      await fn(t, { app, database: database.name, ...(databaseUrl !== undefined && { databaseUrl }) })
    })
  }
}

export function json<T = any> (response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T
}
