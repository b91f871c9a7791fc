import { inArray, sql } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'

export interface StatusCounts { confirmed: number, pending: number, hidden: number, erased: number }

export function createStatusCounts (db: Database) {
  return {
    /**
     * How many signatures each appeal has, for its organisers: counted (confirmed and not hidden),
     * waiting for confirmation, hidden as spam, and erased.
     */
    async statusCounts (appealIds: string[]): Promise<Map<string, StatusCounts>> {
      const counts = new Map<string, StatusCounts>(appealIds.map((id) => [id, { confirmed: 0, pending: 0, hidden: 0, erased: 0 }]))
      if (appealIds.length === 0) return counts
      const rows = await db.select({
        appealId: signatures.appealId, status: signatures.status, hidden: sql<boolean>`${signatures.hiddenAt} is not null`, n: sql<number>`count(*)::int`
      }).from(signatures).where(inArray(signatures.appealId, appealIds))
        .groupBy(signatures.appealId, signatures.status, sql`${signatures.hiddenAt} is not null`)
      for (const row of rows) {
        const entry = counts.get(row.appealId)
        if (entry === undefined) continue
        const bucket = row.status === 'erased' ? 'erased' : row.hidden ? 'hidden' : row.status
        entry[bucket] += row.n
      }
      return counts
    }
  }
}
