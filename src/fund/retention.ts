import { and, inArray, isNull } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { contributions, fundReceipts, mailOutbox } from '../db/schema.js'
import { dueAppeals } from '../appeals/retention.js'

// The fund keeps its supporters' details as long as the appeal keeps its signers' (retention_months
// after closing): then who gave, their receipts and messages go, and amounts, currencies, dates and
// countries stay, so that the account still adds up. Spending is the fund's own and is kept.

export async function applyFundRetention (db: Database, now = new Date()): Promise<{ anonymised: number }> {
  const due = await dueAppeals(db, now)
  if (due.length === 0) return { anonymised: 0 }
  return db.transaction(async (tx) => {
    await tx.delete(fundReceipts).where(and(inArray(fundReceipts.appealId, due), isNull(fundReceipts.spendingId)))
    const rows = await tx.update(contributions)
      .set({ publicName: null, message: null, sealed: null, emailHash: null, ipHash: null, locale: null, anonymisedAt: now })
      .where(and(inArray(contributions.appealId, due), isNull(contributions.anonymisedAt))).returning({ id: contributions.id })
    if (rows.length > 0) await tx.delete(mailOutbox).where(inArray(mailOutbox.contributionId, rows.map((r) => r.id)))
    return { anonymised: rows.length }
  })
}
