import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm'
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import postgres from 'postgres'
import { ConfigError, paths } from '../config.js'
import { createReadRouting, type ReadRouting } from './replicas.js'
import * as schema from './schema.js'

type Schema = typeof schema
/** The drizzle database, whichever driver is behind it: code never needs to know which. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>
/** Anything that can run a query: the database, or a transaction a caller has opened. */
export type Executor = Database | Transaction

export interface DatabaseHandle {
  db: Database
  /** For reads that need not see this instance's own latest writes: a read replica's when there are any, else `db`. */
  readDb: Database
  /**
   * For background work (the mail worker, queueing updates): connections of its own on PostgreSQL, so
   * that a busy worker never makes a request wait for a connection; `db` itself on PGlite.
   */
  backgroundDb: Database
  /** The replicas' state, when DATABASE_READ_URL names any. */
  replicas?: ReadRouting['replicas']
  driver: 'pglite' | 'postgres'
  close: () => Promise<void>
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent the embedded PGlite database in dataDir is used. */
  url?: string | undefined
  /** Folder for PGlite's files, or 'memory://' for a throw-away database. */
  dataDir: string
  poolSize?: number
  /** Connections of background work's own (PostgreSQL only); 0 shares the pool of requests. */
  backgroundPoolSize?: number
  /** Read replicas' URLs (PostgreSQL only), the lag past which one is skipped, and how often that is checked. */
  readUrls?: string[]
  readMaxLagMs?: number
  readCheckMs?: number
  onReplicaChange?: (replica: ReadRouting['replicas'][number]) => void
  /** Named prepared statements (off behind a transaction-mode pooler, which cannot keep them). */
  preparedStatements?: boolean
  /** Deadlines on PostgreSQL: connecting, and each statement (an open transaction left idle too). */
  connectTimeoutMs?: number
  statementTimeoutMs?: number
  /** Called whenever a connection to PostgreSQL is established (so an outage can be told to be over). */
  onConnect?: () => void
  /** An already migrated PGlite instance to use as it is; it stays its owner's to close (tests reuse one). */
  pglite?: PGlite
}

// Any fixed number works, as long as every instance uses the same one.
const MIGRATION_LOCK_ID = 7_361_902_455

/** Opens the database and brings its schema up to date with migrations/. */
export async function openDatabase (options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url !== undefined) return openPostgres(options.url, options)
  if (options.pglite !== undefined) return { ...await pgliteHandle(options.pglite), close: async () => {} }
  return openPglite(options.dataDir)
}

// PGlite is loaded only when it is used: a server on PostgreSQL has no use for it.
async function pgliteHandle (client: PGlite): Promise<DatabaseHandle> {
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite')
  const db = drizzlePglite({ client, schema }) as unknown as Database
  return { db, readDb: db, backgroundDb: db, driver: 'pglite', close: async () => { await client.close() } }
}

// postgres.js waits 30 s to connect and backs off up to 20 s between attempts by default: a database that
// went away would hang requests, and one that came back would still be refused for many seconds.
function postgresOptions (options: DatabaseOptions): postgres.Options<Record<string, never>> {
  const statementTimeout = options.statementTimeoutMs ?? 5000
  return {
    onnotice: () => {},
    connect_timeout: (options.connectTimeoutMs ?? 2000) / 1000,
    backoff: (retries) => Math.min(0.05 * 2 ** retries, 0.5),
    connection: { statement_timeout: statementTimeout, idle_in_transaction_session_timeout: statementTimeout },
    prepare: options.preparedStatements ?? true,
    // The server reports its parameters on every new connection: the sign that it is reachable.
    ...(options.onConnect !== undefined && { onparameter: options.onConnect })
  }
}

async function openPostgres (url: string, options: DatabaseOptions): Promise<DatabaseHandle> {
  await migrate(url, options)
  const client = postgres(url, { ...postgresOptions(options), max: options.poolSize ?? 10 })
  const db = drizzlePostgres({ client, schema }) as unknown as Database
  const backgroundSize = options.backgroundPoolSize ?? 0
  const backgroundClient = backgroundSize === 0 ? undefined : postgres(url, { ...postgresOptions(options), max: backgroundSize })
  const backgroundDb = backgroundClient === undefined ? db : drizzlePostgres({ client: backgroundClient, schema }) as unknown as Database
  const closePrimary = async () => { await Promise.all([client.end({ timeout: 5 }), backgroundClient?.end({ timeout: 5 })]) }
  const readUrls = options.readUrls ?? []
  if (readUrls.length === 0) return { db, readDb: db, backgroundDb, driver: 'postgres', close: closePrimary }
  const { onConnect: _primaryOnly, ...replicaOptions } = options
  const routing = createReadRouting(client, readUrls, { ...postgresOptions(replicaOptions), max: options.poolSize ?? 10 }, {
    maxLagMs: options.readMaxLagMs ?? 5000,
    checkMs: options.readCheckMs ?? 1000,
    ...(options.onReplicaChange !== undefined && { onChange: options.onReplicaChange })
  })
  await routing.check()
  const readDb = drizzlePostgres({ client: routing.client, schema }) as unknown as Database
  return {
    db,
    readDb,
    backgroundDb,
    replicas: routing.replicas,
    driver: 'postgres',
    close: async () => { await Promise.all([routing.close(), closePrimary()]) }
  }
}

/**
 * Brings the schema up to date: the migrations not yet applied, in one transaction that first takes a
 * transaction-scoped advisory lock, so that instances starting together migrate once (the others wait,
 * then find nothing to do). Transaction-scoped, because behind a pooler in transaction mode a session's
 * lock could be taken on one server connection and released on another. What is applied is recorded
 * as drizzle's migrator records it (drizzle.__drizzle_migrations, by the migration's time).
 */
async function migrate (url: string, options: DatabaseOptions): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder: paths.migrations })
  const client = postgres(url, {
    max: 1, onnotice: () => {}, connect_timeout: (options.connectTimeoutMs ?? 2000) / 1000, prepare: options.preparedStatements ?? true
  })
  try {
    await client.begin(async (tx) => {
      // Neither the wait for the lock nor a long migration is under the statement deadline (a role's setting included).
      await tx.unsafe('set local statement_timeout = 0')
      await tx.unsafe(`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`)
      await tx.unsafe('create schema if not exists drizzle')
      await tx.unsafe('create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)')
      const [last] = await tx.unsafe<Array<{ created_at: string }>>('select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1')
      for (const migration of migrations) {
        if (last !== undefined && Number(last.created_at) >= migration.folderMillis) continue
        for (const statement of migration.sql) if (statement.trim() !== '') await tx.unsafe(statement)
        await tx.unsafe('insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)', [migration.hash, migration.folderMillis])
      }
    })
  } finally {
    await client.end()
  }
}

/**
 * The embedded database belongs to one process at a time: a second one (the CLI while the server runs)
 * would write behind the first one's back and could corrupt it. A lock file with the owner's pid says
 * who has it; one left by a process that died is taken over. Returns the release function.
 */
function lockDataDir (dataDir: string): () => void {
  const file = join(dataDir, 'solidaria.lock')
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    const owner = Number(readFileSync(file, 'utf8'))
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new ConfigError(`The embedded database in ${dataDir} is in use by process ${owner} (a running Solidaria server?). ` +
        'Stop that process first: two processes must never open it at once.')
    }
    writeFileSync(file, String(process.pid))
  }
  return () => {
    try { if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file) } catch {}
  }
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function openPglite (dataDir: string): Promise<DatabaseHandle> {
  const release = dataDir === 'memory://' ? () => {} : (mkdirSync(dataDir, { recursive: true }), lockDataDir(dataDir))
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'), import('drizzle-orm/pglite'), import('drizzle-orm/pglite/migrator')
  ])
  try {
    const client = await PGlite.create(dataDir)
    await migratePglite(drizzlePglite({ client }), { migrationsFolder: paths.migrations })
    const handle = await pgliteHandle(client)
    return { ...handle, close: async () => { await handle.close(); release() } }
  } catch (err) {
    release()
    throw err
  }
}

/**
 * Rows of a raw `sql` query as plain objects. The drivers shape `execute` results differently
 * (postgres-js: an array; PGlite: `{ rows }`); this is the one place that knows.
 */
export async function selectRows<T> (executor: Executor, query: SQL): Promise<T[]> {
  return rowsOf<T>(await executor.execute(query))
}

/**
 * Rows of a raw `sql` query as lists of their columns' text, in the SELECT's order, uninterpreted: from
 * PostgreSQL the bytes (UTF-8) as they came, from PGlite strings; null for a null. For a large value the
 * process only passes on (an export's batch, handed to a worker thread), it spares decoding it into a
 * string on the main thread. Reads go where the database's reads go (its replicas, through `readDb`).
 */
export async function selectRaw (db: Database, query: SQL): Promise<Array<Array<Uint8Array | string | null>>> {
  const client = (db as Database & { $client?: { unsafe?: (text: string, params: unknown[]) => { raw: () => Promise<unknown> } } }).$client
  if (client?.unsafe === undefined) {
    // PGlite: the driver has already read each value; text columns arrive as strings.
    return rowsOf<Record<string, unknown>>(await db.execute(query)).map((row) => Object.values(row).map((value) => value === null ? null : String(value)))
  }
  const { sql: text, params } = dialect.sqlToQuery(query)
  return await client.unsafe(text, params).raw() as Array<Array<Uint8Array | null>>
}

/** The rows of what a raw statement returned, either driver's shape (see selectRows). */
export function rowsOf<T> (result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}

/**
 * A hand-written statement prepared once, run with its placeholders' values (`sql.placeholder`): it is
 * parsed and planned once per connection rather than on each run, as the query builder's `.prepare()`
 * does for the statements it can build (a data-modifying WITH, for one, it cannot).
 */
export function prepareStatement (db: Database, name: string, query: SQL) {
  return db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false)
}
const dialect = new PgDialect()

/** Whether a query failed on the named unique index or constraint (either driver passes on PostgreSQL's error). */
export function isUniqueViolation (err: unknown, constraint: string): boolean {
  const cause = (err as { cause?: { code?: string, constraint?: string, constraint_name?: string } }).cause
  return cause?.code === '23505' && (cause.constraint ?? cause.constraint_name) === constraint
}
