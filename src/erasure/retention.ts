import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import { selectRows, type Database } from '../db/connection.js'
import { dueAppeals } from '../appeals/retention.js'
import { signatures } from '../db/schema.js'

// Each appeal keeps its signers' personal data for `retention_months` after it closed (12 by default).
// After that, every personal field is emptied and only country, kind, members and times remain: the
// signatures still count, so the appeal's counts and map stay as they were. Signatures never confirmed
// are deleted. A daily job runs this (jobs/), and `npm run cli -- retention run` runs it at once.

const BATCH = 5000

export interface RetentionRun { appeals: number, anonymised: number, deletedPending: number }

export async function applyRetention (db: Database, now = new Date()): Promise<RetentionRun> {
  const due = await dueAppeals(db, now)
  const run: RetentionRun = { appeals: due.length, anonymised: 0, deletedPending: 0 }
  if (due.length === 0) return run
  const pending = await db.delete(signatures).where(and(inArray(signatures.appealId, due), eq(signatures.status, 'pending'))).returning({ id: signatures.id })
  run.deletedPending = pending.length
  // In batches, so that no single statement holds a million rows locked.
  for (;;) {
    const batch = await selectRows<{ id: string }>(db, sql`
      update ${signatures} set name = null, sealed = null, email = null, email_hash = null, email_domain_hash = null, city = null,
        organisation = null, role = null, ip_hash = null, locale = null, embed_origin = null, event_id = null, notable = false,
        public = false, contact = false, anonymised_at = ${now.toISOString()}::timestamptz
      where id in (select id from ${signatures} where ${and(inArray(signatures.appealId, due), isNull(signatures.anonymisedAt), eq(signatures.status, 'confirmed'))} limit ${BATCH})
      returning id`)
    run.anonymised += batch.length
    if (batch.length < BATCH) return run
  }
}
