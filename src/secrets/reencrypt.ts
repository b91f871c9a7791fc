import { and, asc, gt, isNotNull, sql, type AnyColumn } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { Database } from '../db/connection.js'
import { mailOutbox, signatures } from '../db/schema.js'
import { sealPersonal } from '../signatures/personal-fields.js'
import type { Sealer } from './sealing.js'

// Key rotation: with the new key as DATA_KEY and the old one in DATA_KEY_PREVIOUS, every sealed value
// not yet under the new key is opened and sealed again, a batch at a time (`npm run cli -- keys
// reencrypt`; servers may keep running). Addresses stored in clear before sealing existed are sealed
// the same way, at every start, so an upgraded database holds none.

const BATCH = 1000

export interface ReencryptRun { signatures: number, mails: number, legacy: number }

/**
 * Writes new sealed values by id, a batch in one statement, each only where the row still holds what
 * was read: a row erased (or a mail sent) meanwhile keeps its emptiness.
 */
async function writeSealed (db: Database, table: PgTable, id: AnyColumn, values: Array<{ id: number, was: string, sealed: string }>): Promise<void> {
  if (values.length === 0) return
  const rows = sql.join(values.map((v) => sql`(${v.id}::bigint, ${v.was}::text, ${v.sealed}::text)`), sql`, `)
  await db.execute(sql`update ${table} set sealed = v.sealed from (values ${rows}) as v(id, was, sealed) where ${id} = v.id and ${table}.sealed = v.was`)
}

async function reseal (db: Database, sealer: Sealer, table: typeof signatures | typeof mailOutbox): Promise<number> {
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

/** Seals what was stored in clear before sealing existed. Returns how many signatures it sealed. */
export async function sealLegacySignatures (db: Database, sealer: Sealer): Promise<number> {
  let count = 0
  for (;;) {
    const rows = await db.select().from(signatures).where(isNotNull(signatures.legacyEmail)).orderBy(asc(signatures.id)).limit(BATCH)
    if (rows.length === 0) return count
    const values = sql.join(rows.map((row) => {
      const p = sealPersonal(sealer, { email: row.legacyEmail!, name: row.name, city: row.city, organisation: row.organisation, role: row.role }, row.public)
      return sql`(${row.id}::bigint, ${p.sealed}::text, ${p.name}::text, ${p.city}::text, ${p.organisation}::text, ${p.role}::text)`
    }), sql`, `)
    await db.execute(sql`update ${signatures} set sealed = v.sealed, name = v.name, city = v.city, organisation = v.organisation, role = v.role, email = null
      from (values ${values}) as v(id, sealed, name, city, organisation, role) where ${signatures.id} = v.id and ${signatures.legacyEmail} is not null`)
    count += rows.length
  }
}

/** Brings every sealed value under the current DATA_KEY. */
export async function reencrypt (db: Database, sealer: Sealer): Promise<ReencryptRun> {
  const legacy = await sealLegacySignatures(db, sealer)
  return { signatures: await reseal(db, sealer, signatures), mails: await reseal(db, sealer, mailOutbox), legacy }
}
