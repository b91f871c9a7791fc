import { and, asc, eq, gt } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { fundReceipts } from '../db/schema.js'
import type { Sealer } from '../secrets/sealing.js'

const BATCH = 50

/** Key rotation for receipts (a few megabytes each, so a few at a time): each sealed again under the current DATA_KEY. */
export async function resealReceipts (db: Database, sealer: Sealer): Promise<number> {
  let count = 0
  let after = '00000000-0000-0000-0000-000000000000'
  for (;;) {
    const rows = await db.select({ id: fundReceipts.id, sealed: fundReceipts.sealed }).from(fundReceipts)
      .where(gt(fundReceipts.id, after)).orderBy(asc(fundReceipts.id)).limit(BATCH)
    for (const row of rows.filter((r) => !sealer.isCurrent(r.sealed))) {
      await db.update(fundReceipts).set({ sealed: sealer.seal(sealer.open(row.sealed)) }).where(and(eq(fundReceipts.id, row.id), eq(fundReceipts.sealed,
        row.sealed)))
      count++
    }
    if (rows.length < BATCH) return count
    after = rows.at(-1)!.id
  }
}
