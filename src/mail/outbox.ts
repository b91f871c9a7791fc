import { and, eq, gt, inArray, sql } from 'drizzle-orm'
import { selectRows, type Database, type Executor } from '../db/connection.js'
import { mailOutbox } from '../db/schema.js'
import type { Sealer } from '../secrets/sealing.js'

// Mail is queued in the database in the transaction that makes it necessary (a signature waiting for
// confirmation), so a signer who was answered always gets their mail, even if the process dies right
// after answering. Workers on any number of instances claim due mails with FOR UPDATE SKIP LOCKED and
// a lease: a claimed mail is nobody else's until it is sent, failed, or its lease runs out.

export type MailKind = typeof mailOutbox.$inferSelect['kind']

export interface QueuedMail {
  kind: MailKind
  appealId: string
  signatureId: number
  emailHash: string
  language: string
  /** What only this mail may know (a confirmation token), sealed until the mail is sent. */
  secret?: Record<string, string>
}

export interface ClaimedMail {
  id: number
  kind: MailKind
  appealId: string
  signatureId: number
  language: string
  secret: Record<string, string>
  attempts: number
}

const LEASE_SECONDS = 300
const MAX_ATTEMPTS = 10
// 30 s after the first failure, doubling up to six hours: ten attempts span about a day and a half.
const retryDelaySeconds = (attempts: number): number => Math.min(30 * 2 ** (attempts - 1), 6 * 3600)
// Sent mails are kept (without their secrets) for the daily cap, then deleted.
const KEEP_DAYS = 7

/** An error as it may be stored: no address (an SMTP error often quotes the recipient), bounded. */
export const storableError = (err: unknown): string =>
  String((err as Error)?.message ?? err).replace(/[^\s<>"']+@[^\s<>"']+/g, '[address]').slice(0, 500)

export function createOutbox (db: Database, options: { sealer: Sealer, maxPerDay: number }) {
  return {
    /**
     * Queues a mail in the caller's transaction, unless this address had `maxPerDay` mails about this
     * appeal in the last 24 hours (a signer is not to be flooded, whoever keeps signing in their name).
     * Returns whether it was queued.
     */
    async queue (tx: Executor, mail: QueuedMail): Promise<boolean> {
      // Two signings of one address at once must not both slip under the cap.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`mail-cap:${mail.appealId}:${mail.emailHash}`}, 0))`)
      const [recent] = await tx.select({ n: sql<number>`count(*)::int` }).from(mailOutbox)
        .where(and(eq(mailOutbox.appealId, mail.appealId), eq(mailOutbox.emailHash, mail.emailHash), gt(mailOutbox.createdAt, sql`now() - interval '1 day'`)))
      if ((recent?.n ?? 0) >= options.maxPerDay) return false
      await tx.insert(mailOutbox).values({
        kind: mail.kind,
        appealId: mail.appealId,
        signatureId: mail.signatureId,
        emailHash: mail.emailHash,
        language: mail.language,
        sealed: mail.secret === undefined ? null : options.sealer.seal(JSON.stringify(mail.secret))
      })
      return true
    },

    /** Claims up to `limit` due mails for this worker, for the length of a lease. */
    async claim (limit: number): Promise<ClaimedMail[]> {
      const rows = await selectRows<{ id: string | number, kind: MailKind, appeal_id: string, signature_id: string | number, language: string, sealed: string | null, attempts: number }>(db, sql`
        update ${mailOutbox} set locked_until = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = attempts + 1
        where id in (
          select id from ${mailOutbox}
          where status = 'queued' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
          order by next_attempt_at, id limit ${limit}
          for update skip locked)
        returning id, kind, appeal_id, signature_id, language, sealed, attempts`)
      return rows.map((r) => ({
        id: Number(r.id),
        kind: r.kind,
        appealId: r.appeal_id,
        signatureId: Number(r.signature_id),
        language: r.language,
        secret: r.sealed === null ? {} : JSON.parse(options.sealer.open(r.sealed)) as Record<string, string>,
        attempts: r.attempts
      }))
    },

    async markSent (id: number): Promise<void> {
      await db.update(mailOutbox).set({ status: 'sent', sentAt: sql`now()`, sealed: null, lockedUntil: null, lastError: null }).where(eq(mailOutbox.id, id))
    },

    /** A mail with no one left to send it to (the signature was erased, or confirmed meanwhile). */
    async cancel (id: number, reason: string): Promise<void> {
      await db.update(mailOutbox).set({ status: 'cancelled', sealed: null, lockedUntil: null, lastError: reason }).where(eq(mailOutbox.id, id))
    },

    /** A failed attempt: tried again later, with a growing delay, until it is given up. Returns whether it will be. */
    async markFailed (mail: ClaimedMail, err: unknown): Promise<boolean> {
      const retry = mail.attempts < MAX_ATTEMPTS
      await db.update(mailOutbox).set(retry
        ? { nextAttemptAt: sql`now() + make_interval(secs => ${retryDelaySeconds(mail.attempts)})`, lockedUntil: null, lastError: storableError(err) }
        : { status: 'failed', sealed: null, lockedUntil: null, lastError: storableError(err) })
        .where(eq(mailOutbox.id, mail.id))
      return retry
    },

    /** Cancels the mails still waiting for these signatures (erased: nobody is to be written to). */
    async cancelFor (tx: Executor, signatureIds: number[]): Promise<void> {
      if (signatureIds.length === 0) return
      await tx.update(mailOutbox).set({ status: 'cancelled', sealed: null, lockedUntil: null, lastError: 'erased' })
        .where(and(inArray(mailOutbox.signatureId, signatureIds), eq(mailOutbox.status, 'queued')))
    },

    /** Deletes mails finished more than a week ago. Returns how many. */
    async cleanUp (): Promise<number> {
      const deleted = await db.delete(mailOutbox)
        .where(and(sql`${mailOutbox.status} <> 'queued'`, sql`${mailOutbox.createdAt} < now() - make_interval(days => ${KEEP_DAYS})`))
        .returning({ id: mailOutbox.id })
      return deleted.length
    }
  }
}

export type Outbox = ReturnType<typeof createOutbox>
