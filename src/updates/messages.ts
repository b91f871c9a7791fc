import { and, eq, sql } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import type { Database } from '../db/connection.js'
import { appealMessages, appeals } from '../db/schema.js'

// The texts organisers may write in place of the defaults, per appeal and language: the thank-you
// page's "what happens next" and the paragraph that opens the confirmation mail. Where the reader's
// language has none, the organisers' text in the appeal's original language; where that has none
// either, the default (from locales/).

export interface AppealMessages { thanksNext: string | null, confirmNote: string | null }
export type MessageName = keyof AppealMessages
export interface ChosenMessage { text: string, language: string }

// Confirmation mails go out at the pace of signing: the texts are read at most this often per appeal.
const CACHE_MS = 5000

export function createMessagesService (db: Database) {
  const cache = new Map<string, { at: number, original: string, rows: Record<string, AppealMessages> }>()

  async function load (appealId: string) {
    const hit = cache.get(appealId)
    if (hit !== undefined && Date.now() - hit.at < CACHE_MS) return hit
    const [appeal] = await db.select({ originalLanguage: appeals.originalLanguage }).from(appeals).where(eq(appeals.id, appealId))
    const rows = await db.select().from(appealMessages).where(eq(appealMessages.appealId, appealId))
    const entry = { at: Date.now(), original: appeal?.originalLanguage ?? 'en', rows: Object.fromEntries(rows.map((r) => [r.language, { thanksNext: r.thanksNext, confirmNote: r.confirmNote }])) }
    if (cache.size > 1000) cache.clear()
    cache.set(appealId, entry)
    return entry
  }

  /** The one place that chooses which organisers' text a reader gets: theirs, else the original's, else none (the default). */
  async function choose (appealId: string, name: MessageName, language: string): Promise<ChosenMessage | undefined> {
    const { original, rows } = await load(appealId)
    for (const candidate of [language, original]) {
      const text = rows[candidate]?.[name]
      if (text != null && text !== '') return { text, language: candidate }
    }
    return undefined
  }

  return {
    choose,
    /** Every language's texts of an appeal, as organisers wrote them. */
    async all (appeal: Appeal): Promise<Record<string, AppealMessages>> {
      return (await load(appeal.id)).rows
    },
    /** Writes one language's texts (null or empty: back to the default). */
    async set (appeal: Appeal, language: string, input: AppealMessages): Promise<AppealMessages> {
      const values = { thanksNext: input.thanksNext === '' ? null : input.thanksNext, confirmNote: input.confirmNote === '' ? null : input.confirmNote }
      await db.insert(appealMessages).values({ appealId: appeal.id, language, ...values })
        .onConflictDoUpdate({ target: [appealMessages.appealId, appealMessages.language], set: { ...values, updatedAt: sql`now()` } })
      if (values.thanksNext === null && values.confirmNote === null) {
        await db.delete(appealMessages).where(and(eq(appealMessages.appealId, appeal.id), eq(appealMessages.language, language)))
      }
      cache.delete(appeal.id)
      return values
    }
  }
}

export type MessagesService = ReturnType<typeof createMessagesService>
