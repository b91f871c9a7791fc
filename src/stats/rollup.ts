import { sql } from 'drizzle-orm'
import { selectRows, type Database, type Executor } from '../db/connection.js'
import { signatureCountChanges, signatureCounts } from '../db/schema.js'
import type { Signature } from '../signatures/signature.js'

// The counts by appeal, country and kind are kept in signature_counts, brought up to date in batches
// from signature_count_changes, which triggers on `signatures` append to (migration 0010: one row per
// appeal, country and kind a statement changed). Reading an appeal's counts costs its few hundred rows in
// both tables, whatever the number of signatures, and is exact: a fold moves changes in one transaction,
// so any one snapshot holds each change in exactly one of the two.

// Any fixed number works, as long as every instance uses the same one.
export const FOLD_LOCK_ID = 7_361_902_456

/** Changes moved by one fold: a bounded transaction, however long the log has grown. */
export const FOLD_BATCH = 10_000

export interface CountGroup { country: string, kind: Signature['kind'], signatures: number, members: number }

/** Takes the fold's lock for this transaction, waiting for a fold in progress (a recount's repair does). */
export async function lockFolding (tx: Executor): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${FOLD_LOCK_ID})`)
}

/**
 * Moves up to `batch` changes into the counts, on the primary. One instance at a time: while another
 * folds this one does nothing rather than wait (null), since the counts read the same either way.
 * Returns how many changes it moved.
 */
export async function foldCountChanges (db: Database, batch = FOLD_BATCH): Promise<number | null> {
  return db.transaction(async (tx) => {
    const [lock] = await selectRows<{ taken: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${FOLD_LOCK_ID}) as taken`)
    if (lock?.taken !== true) return null
    // In any order: every change is moved once, since it is deleted as it is added. Changes committed
    // after this statement began wait for the next fold.
    const [moved] = await selectRows<{ n: number }>(tx, sql`
      with moved as (
        delete from ${signatureCountChanges}
        where id in (select id from ${signatureCountChanges} order by id limit ${batch})
        returning appeal_id, country, kind, signatures, members),
      folded as (
        insert into ${signatureCounts} as c (appeal_id, country, kind, signatures, members)
        select appeal_id, country, kind, sum(signatures), sum(members) from moved group by appeal_id, country, kind
        on conflict (appeal_id, country, kind)
        do update set signatures = c.signatures + excluded.signatures, members = c.members + excluded.members)
      select count(*)::int as n from moved`)
    return moved?.n ?? 0
  })
}

/** Folds batch after batch until the changes are all in (or `active` says to stop); returns how many it moved. */
export async function foldAllCountChanges (db: Database, active: () => boolean = () => true): Promise<number> {
  let total = 0
  for (;;) {
    const moved = await foldCountChanges(db)
    if (moved === null) return total
    total += moved
    if (moved < FOLD_BATCH || !active()) return total
  }
}

/** An appeal's counted signatures and the members they represent, by country and kind (groups with none left out). */
export async function appealCounts (db: Database, appealId: string): Promise<CountGroup[]> {
  const rows = await selectRows<{ country: string, kind: Signature['kind'], signatures: number, members: string }>(db, sql`
    select country, kind, sum(signatures)::int as signatures, sum(members)::text as members from (
      select country, kind, signatures, members from ${signatureCounts} where appeal_id = ${appealId}
      union all
      select country, kind, signatures, members from ${signatureCountChanges} where appeal_id = ${appealId}
    ) as counts
    group by country, kind having sum(signatures) <> 0`)
  return rows.map((row) => ({ ...row, members: Number(row.members) }))
}
