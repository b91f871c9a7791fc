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
   * The statement that records signatures waiting for confirmation (an insert does nothing on a
   * duplicate) together with their mails and links, all at once: a new link for a new or still
   * unconfirmed signature, an "already signed" note for a confirmed one, nothing past the daily cap of
   * mails for the address. One prepared statement for a whole group of signers (signatures/signing.ts):
   * one round trip and one commit on the signing hot path.
   */
  const pendingStatement: PendingSignatureStatement = {
    columns: { token_hash: 'text', sealed_token: 'text' },
    // A signer's row in `input` finds the signature it made, or (a duplicate) the one made before; what the
    // statement's own insert wrote is not yet visible to its other parts, hence the two joins.
    build: (insert) => sql`new_signature as (${insert}),
      target as (
        select i.appeal_id, i.email_hash, i.language, i.token_hash, i.sealed_token, n.id as new_id, s.id as old_id, s.status::text as old_status
        from input i
        left join new_signature n on n.appeal_id = i.appeal_id and n.email_hash = i.email_hash
        left join ${signatures} s on n.id is null and s.appeal_id = i.appeal_id and s.email_hash = i.email_hash),
      recipient as (
        select coalesce(new_id, old_id) as signature_id,
          (case when old_status = 'confirmed' then 'already_signed' else 'confirm' end)::mail_kind as kind,
          case when old_status = 'confirmed' then null else sealed_token end as sealed,
          appeal_id, email_hash, language, token_hash
        from target where coalesce(new_id, old_id) is not null),
      ${outbox.queueing('recipient')},
      link as (
        insert into ${confirmationTokens} (token_hash, signature_id, expires_at)
        select r.token_hash, q.signature_id, now() + make_interval(days => ${ttlDays}) from queued q join recipient r on r.signature_id = q.signature_id
        where q.kind = 'confirm'
        returning 1)
      select id, appeal_id, email_hash from new_signature`,
    values: () => {
      const token = newToken()
      return { token_hash: hashToken(token), sealed_token: outbox.seal({ token }) }
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
