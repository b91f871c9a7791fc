import { randomUUID } from 'node:crypto'
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import type { Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'
import { appError, invalidFields } from '../errors/app-error.js'
import type { Keys } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'
import { adminFilterConditions, ofAppeal } from './admin-search.js'
import { reveal } from './personal-fields.js'
import type { NewSignature } from './signature.js'

/** What a bulk hiding takes: one address or one email domain, within an optional time window. */
export interface BulkCriteria { ipHash?: string, emailDomain?: string, from?: string, to?: string }

/** What organisers change about signatures: spam hidden (one at a time or in bulk) and notable names marked. */
export function createModeration (db: Database, options: { keys: Keys, sealer: Sealer }) {
  /** Changes one signature of the appeal and returns it as its organisers see it (404 if it is not the appeal's). */
  async function changeOne (appeal: Appeal, id: number, set: Partial<Record<keyof NewSignature, unknown>>) {
    const [row] = await db.update(signatures).set(set as Partial<NewSignature>).where(ofAppeal(appeal, id)).returning()
    if (row === undefined) throw appError('SIGNATURE_NOT_FOUND')
    return reveal(options.sealer, row)
  }

  return {
    /** Hides a spam signature (it stops counting and showing) or, with hidden=false, brings it back. */
    setHidden: async (appeal: Appeal, id: number, hidden: boolean) =>
      changeOne(appeal, id, { hiddenAt: hidden ? sql`coalesce(${signatures.hiddenAt}, now())` : null, ...(!hidden && { hiddenBatch: null }) }),

    /** Marks a signature as notable (a known trade unionist, a public figure), or not. */
    setNotable: async (appeal: Appeal, id: number, notable: boolean) => changeOne(appeal, id, { notable }),

    /**
     * Hides as spam, at once, the visible signatures from one client address or one email domain
     * within a time window (a wave of automated or forged signing), or with `dryRun` only counts them.
     * Everything hidden together carries one batch id, so one undo brings back exactly those.
     */
    async bulkHide (appeal: Appeal, criteria: BulkCriteria, dryRun: boolean): Promise<{ count: number, batch: string | null }> {
      if (criteria.ipHash === undefined && criteria.emailDomain === undefined) throw invalidFields({ ipHash: { key: 'bulkCriterion' }, emailDomain: { key: 'bulkCriterion' } })
      // A short code would match many addresses; a time that is not one would reach the database.
      if (criteria.ipHash !== undefined && !/^[A-Za-z0-9_-]{8,64}$/.test(criteria.ipHash)) throw invalidFields({ ipHash: { key: 'format' } })
      for (const field of ['from', 'to'] as const) {
        const value = criteria[field]
        if (value !== undefined && Number.isNaN(Date.parse(value))) throw invalidFields({ [field]: { key: 'date' } })
      }
      const where = and(...adminFilterConditions(appeal.id, criteria, options.keys), isNull(signatures.hiddenAt), sql`${signatures.status} <> 'erased'`)
      if (dryRun) {
        const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(signatures).where(where)
        return { count: row?.n ?? 0, batch: null }
      }
      const batch = randomUUID()
      const hidden = await db.update(signatures).set({ hiddenAt: sql`now()`, hiddenBatch: batch }).where(where).returning({ id: signatures.id })
      return { count: hidden.length, batch: hidden.length === 0 ? null : batch }
    },

    /** Brings back what one bulk hiding hid (and nothing hidden otherwise). */
    async undoBulkHide (appeal: Appeal, batch: string): Promise<number> {
      const shown = await db.update(signatures).set({ hiddenAt: null, hiddenBatch: null })
        .where(and(eq(signatures.appealId, appeal.id), eq(signatures.hiddenBatch, batch))).returning({ id: signatures.id })
      return shown.length
    }
  }
}
