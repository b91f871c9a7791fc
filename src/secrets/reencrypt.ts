import { and, asc, gt, isNotNull, sql, type AnyColumn } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { Database } from '../db/connection.js'
import type { contributions, mailOutbox, signatures } from '../db/schema.js'
import type { Sealer } from './sealing.js'

// Key rotation: with the new key as DATA_KEY and the old one in DATA_KEY_PREVIOUS, every sealed value
// not yet under the new key is opened and sealed again, a batch at a time (`npm run cli -- keys
// reencrypt`; servers may keep running).

const BATCH = 1000

/**
 * Writes new sealed values by id, a batch in one statement, each only where the row still holds what
 * was read: a row erased (or a mail sent) meanwhile keeps its emptiness.
 */
async function writeSealed (db: Database, table: PgTable, id: AnyColumn, values: Array<{ id: number, was: string, sealed: string }>): Promise<void> {
  if (values.length === 0) return
  const rows = sql.join(values.map((v) => sql`(${v.id}::bigint, ${v.was}::text, ${v.sealed}::text)`), sql`, `)
  await db.execute(sql`update ${table} set sealed = v.sealed from (values ${rows}) as v(id, was, sealed) where ${id} = v.id and ${table}.sealed = v.was`)
}

/** Seals again, under the current key, every value of the table sealed under an older one. Returns how many. */
export async function resealStale (db: Database, sealer: Sealer, table: typeof signatures | typeof mailOutbox | typeof contributions): Promise<number> {
  let count = 0
  let after = 0
  for (;;) {
    const rows = await db.select({ id: table.id, sealed: table.sealed }).from(table)
      .where(and(gt(table.id, after), isNotNull(table.sealed))).orderBy(asc(table.id)).limit(BATCH)
    const stale = rows.filter((r): r is { id: number, sealed: string } => r.sealed !== null && !sealer.isCurrent(r.sealed))
    await writeSealed(db, table, table.id, stale.map((r) => ({ id: r.id, was: r.sealed, sealed: sealer.seal(sealer.open(r.sealed)) })))
    count += stale.length
    if (rows.length < BATCH) return count
    after = rows.at(-1)!.id
  }
}
