import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm'
import type { Database, Executor } from '../db/connection.js'
import { confirmationTokens, signatures } from '../db/schema.js'
import type { Outbox } from '../mail/outbox.js'
import { hashToken, newToken } from '../secrets/tokens.js'
import type { PendingSignatureStatement } from '../signatures/signing.js'

// Double opt-in: a signature on an appeal that requires confirmation counts once its owner follows the
// link mailed to them and presses the button on that page. Following the link changes nothing (mail
// scanners open links before people do); only the page's POST confirms. A link's token is 256 random
// bits, stored only as its hash, valid CONFIRMATION_TTL_DAYS, and works once.

/** What a confirmation link leads to. */
export type LinkState =
  | { state: 'valid' | 'confirmed' | 'expired', appealId: string }
  | { state: 'unknown' }

const DAY_MS = 86_400_000
// Used and expired tokens are kept a while, so a second click says "already confirmed" or "expired".
const KEEP_SPENT_TOKENS_DAYS = 30

/**
 * Deletes signatures never confirmed whose links have all expired, and tokens long spent (the hourly
 * job, and `cli retention run`). Returns how many signatures were deleted.
 */
export async function deleteExpiredSignatures (db: Database, ttlDays: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - ttlDays * DAY_MS)
  const deleted = await db.delete(signatures).where(and(
    eq(signatures.status, 'pending'),
    lt(signatures.createdAt, cutoff),
    // Only signatures that were sent links: one made before links existed waits for its organisers.
    sql`exists (select 1 from ${confirmationTokens} where ${confirmationTokens.signatureId} = ${signatures.id})`,
    sql`not exists (select 1 from ${confirmationTokens} where ${confirmationTokens.signatureId} = ${signatures.id} and ${confirmationTokens.expiresAt} > ${now.toISOString()}::timestamptz)`
  )).returning({ id: signatures.id })
  await db.delete(confirmationTokens).where(lt(confirmationTokens.expiresAt, new Date(now.getTime() - KEEP_SPENT_TOKENS_DAYS * DAY_MS)))
  return deleted.length
}

export interface ConfirmationOptions {
  outbox: Outbox
  ttlDays: number
  /** Told, in the confirming transaction, of a signature that now counts (webhooks queue their delivery there). */
  onConfirmed?: (tx: Executor, appealId: string, signatureId: number) => Promise<void>
}

export function createConfirmationService (db: Database, options: ConfirmationOptions) {
  const { outbox, ttlDays } = options

  async function lookUp (token: string, executor: Executor = db) {
    const [row] = await executor.select({
      usedAt: confirmationTokens.usedAt, expiresAt: confirmationTokens.expiresAt, signatureId: confirmationTokens.signatureId,
      status: signatures.status, appealId: signatures.appealId
    }).from(confirmationTokens).innerJoin(signatures, eq(signatures.id, confirmationTokens.signatureId))
      .where(eq(confirmationTokens.tokenHash, hashToken(token))).limit(1)
    return row
  }

  function stateOf (row: NonNullable<Awaited<ReturnType<typeof lookUp>>>, now: Date): LinkState {
    if (row.status === 'erased') return { state: 'unknown' }
    if (row.status === 'confirmed') return { state: 'confirmed', appealId: row.appealId }
    if (row.usedAt !== null || row.expiresAt <= now) return { state: 'expired', appealId: row.appealId }
    return { state: 'valid', appealId: row.appealId }
  }

  /**
   * The statement that records a signature waiting for confirmation (its insert does nothing on a
   * duplicate) together with its mail and link, all at once: a new link for a new or still unconfirmed
   * signature, an "already signed" note for a confirmed one, nothing past the daily cap of mails for the
   * address. One prepared statement: one round trip and one commit on the signing hot path.
   */
  const pendingStatement: PendingSignatureStatement = {
    build: (insert) => {
      const [appealId, emailHash] = [sql.placeholder('appealId'), sql.placeholder('emailHash')]
      return sql`with new_signature as (${insert}),
      target as (
        select id, 'new' as state from new_signature
        union all
        select ${signatures.id}, ${signatures.status}::text from ${signatures}
        where ${signatures.appealId} = ${appealId}::uuid and ${signatures.emailHash} = ${emailHash} and not exists (select 1 from new_signature)),
      recipient as (
        select id as signature_id,
          (case when state = 'confirmed' then 'already_signed' else 'confirm' end)::mail_kind as kind,
          case when state = 'confirmed' then null else ${sql.placeholder('sealedToken')}::text end as sealed
        from target limit 1),
      ${outbox.queueing('recipient', { appealId, emailHash, language: sql.placeholder('language') })},
      link as (
        insert into ${confirmationTokens} (token_hash, signature_id, expires_at)
        select ${sql.placeholder('tokenHash')}::text, signature_id, now() + make_interval(days => ${ttlDays}) from queued where kind = 'confirm'
        returning 1)
      select (select count(*) from new_signature)::int as created`
    },
    values: () => {
      const token = newToken()
      return { tokenHash: hashToken(token), sealedToken: outbox.seal({ token }) }
    }
  }

  return {
    pendingStatement,

    /** What a link leads to, changing nothing: this is what a GET (or a mail scanner) gets. */
    async inspect (token: string, now = new Date()): Promise<LinkState> {
      const row = await lookUp(token)
      return row === undefined ? { state: 'unknown' } : stateOf(row, now)
    },

    /** Confirms the signature behind a valid link; the link is spent. Any other link changes nothing. */
    async confirm (token: string, now = new Date()): Promise<LinkState> {
      return db.transaction(async (tx) => {
        const [spent] = await tx.update(confirmationTokens).set({ usedAt: now })
          .where(and(eq(confirmationTokens.tokenHash, hashToken(token)), isNull(confirmationTokens.usedAt), gt(confirmationTokens.expiresAt, now)))
          .returning({ signatureId: confirmationTokens.signatureId })
        if (spent === undefined) {
          const row = await lookUp(token, tx)
          return row === undefined ? { state: 'unknown' } : stateOf(row, now)
        }
        const [confirmed] = await tx.update(signatures).set({ status: 'confirmed', confirmedAt: now })
          .where(and(eq(signatures.id, spent.signatureId), eq(signatures.status, 'pending')))
          .returning({ appealId: signatures.appealId })
        if (confirmed !== undefined) {
          await options.onConfirmed?.(tx, confirmed.appealId, spent.signatureId)
          return { state: 'valid', appealId: confirmed.appealId }
        }
        // Confirmed meanwhile through another of its links, or erased.
        const [current] = await tx.select({ status: signatures.status, appealId: signatures.appealId })
          .from(signatures).where(eq(signatures.id, spent.signatureId))
        return current === undefined || current.status === 'erased' ? { state: 'unknown' } : { state: 'confirmed', appealId: current.appealId }
      })
    },

    /** See deleteExpiredSignatures. */
    deleteExpired: async (now = new Date()): Promise<number> => deleteExpiredSignatures(db, ttlDays, now)
  }
}

export type ConfirmationService = ReturnType<typeof createConfirmationService>
