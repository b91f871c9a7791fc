import { randomUUID } from 'node:crypto'
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { selectRows, type Database, type Executor } from '../db/connection.js'
import { mailOutbox, mailQuota, mailSuppressions, updates } from '../db/schema.js'
import type { Sealer } from '../secrets/sealing.js'

// Mail is queued in the database by the very statement that makes it necessary (a signature waiting
// for confirmation), so a signer who was answered always gets their mail, even if the process dies
// right after answering. Workers on any number of instances claim due mails with FOR UPDATE SKIP
// LOCKED and a lease: a claimed mail is nobody else's until it is sent, failed, or its lease runs out,
// and only the claim that holds it may record what became of it.

export type MailKind = typeof mailOutbox.$inferSelect['kind']

interface ClaimedRow {
  id: string | number, kind: MailKind, appeal_id: string
  signature_id: string | number | null, contribution_id: string | number | null, update_id: string | null
  language: string, sealed: string | null, attempts: number
}

export interface ClaimedMail {
  id: number
  kind: MailKind
  appealId: string
  /** The signature the mail is about; null for a mail about a contribution to the fund. */
  signatureId: number | null
  contributionId: number | null
  /** The update this mail carries (kind 'update'). */
  updateId: string | null
  language: string
  /** Sealed: opened when the mail is written, so that a value that cannot be opened fails this mail only. */
  sealed: string | null
  attempts: number
  claim: string
}

const MAX_ATTEMPTS = 10
// 30 s after the first failure, doubling up to six hours: ten attempts span about a day and a half.
const retryDelaySeconds = (attempts: number): number => Math.min(30 * 2 ** (attempts - 1), 6 * 3600)
// Finished mails are kept a week (what happened to a mail can be looked up), the daily counts two days.
const KEEP_DAYS = 7

/** An error as it may be stored or logged: no address (an SMTP error often quotes the recipient), bounded. */
export const storableError = (err: unknown): string =>
  String((err as Error)?.message ?? err).replace(/[^\s<>"']+@[^\s<>"']+/g, '[address]').slice(0, 500)

export function createOutbox (db: Database, options: { sealer: Sealer, maxPerDay: number, leaseSeconds: number }) {
  return {
    /** Seals what only the mail may know (a confirmation token), to be queued with it. */
    seal: (secret: Record<string, string>): string => options.sealer.seal(JSON.stringify(secret)),
    open: (sealed: string): Record<string, string> => JSON.parse(options.sealer.open(sealed)) as Record<string, string>,

    /**
     * The CTEs, for the statement that makes mails necessary, that queue the mails described by the CTE
     * named `recipient` (signature_id, kind, sealed, and who each is to: appeal_id, email_hash, language;
     * at most one row per address and appeal), except to an address that had `maxPerDay` mails about the
     * appeal today: `quota` counts them, atomically, and `queued` returns (signature_id, kind) of what was
     * queued. A signer is not to be flooded, whoever signs in their name.
     */
    queueing (recipient: string): SQL {
      const from = sql.identifier(recipient)
      return sql`quota as (
        insert into ${mailQuota} (appeal_id, email_hash, day, mails)
        select appeal_id, email_hash, current_date, 1 from ${from} order by appeal_id, email_hash
        on conflict (appeal_id, email_hash, day) do update set mails = ${mailQuota}.mails + 1 where ${mailQuota}.mails < ${options.maxPerDay}
        returning appeal_id, email_hash),
      queued as (
        insert into ${mailOutbox} (kind, appeal_id, signature_id, language, sealed)
        select r.kind, r.appeal_id, r.signature_id, r.language, r.sealed from ${from} r
        where exists (select 1 from quota q where q.appeal_id = r.appeal_id and q.email_hash = r.email_hash)
        returning signature_id, kind)`
    },

    /**
     * Claims up to `limit` due mails for one worker, for the length of a lease: mail about a signing
     * first, then the mail of updates being sent (not of paused ones). An update's mail whose lease ran
     * out with nothing recorded is never claimed again (see `giveUpInterrupted`): it may have gone out.
     */
    async claim (limit: number): Promise<ClaimedMail[]> {
      const claim = randomUUID()
      const taking = sql`claimed_by = ${claim}::uuid, locked_until = now() + make_interval(secs => ${options.leaseSeconds}), attempts = attempts + 1`
      const columns = sql`id, kind, appeal_id, signature_id, contribution_id, update_id, language, sealed, attempts`
      const ofUpdate = (update: SQL) => sql`status = 'queued' and update_id = ${update} and next_attempt_at <= now() and locked_until is null`
      // One statement for the usual case: the signings' mails, and as many more as fit of the update queued first.
      const rows = await selectRows<ClaimedRow>(db, sql`
        with signing as (
          update ${mailOutbox} set ${taking}
          where id in (select id from ${mailOutbox} where status = 'queued' and update_id is null and next_attempt_at <= now() and (locked_until is null or locked_until < now())
            order by next_attempt_at, id limit ${limit} for update skip locked)
          returning ${columns}),
        first_update as (select ${updates.id} from ${updates} where ${updates.status} = 'sending' order by ${updates.queuedAt} limit 1),
        of_first_update as (
          update ${mailOutbox} set ${taking}
          where id in (select id from ${mailOutbox} where ${ofUpdate(sql`(select id from first_update)`)}
            order by next_attempt_at, id limit (select ${limit} - count(*) from signing) for update skip locked)
          returning ${columns})
        select * from signing union all select * from of_first_update`)
      if (rows.length < limit) {
        // The first update had no more mail due (its last ones are being retried, or claimed): the ones queued after it.
        const others = await db.select({ id: updates.id }).from(updates).where(eq(updates.status, 'sending')).orderBy(updates.queuedAt).offset(1)
        for (const update of others) {
          if (rows.length >= limit) break
          rows.push(...await selectRows<ClaimedRow>(db, sql`
            update ${mailOutbox} set ${taking}
            where id in (select id from ${mailOutbox} where ${ofUpdate(sql`${update.id}::uuid`)}
              and exists (select 1 from ${updates} where ${updates.id} = ${update.id}::uuid and ${updates.status} = 'sending')
              order by next_attempt_at, id limit ${limit - rows.length} for update skip locked)
            returning ${columns}`))
        }
      }
      return rows.map((r) => ({
        id: Number(r.id), kind: r.kind, appealId: r.appeal_id, signatureId: r.signature_id === null ? null : Number(r.signature_id),
        contributionId: r.contribution_id === null ? null : Number(r.contribution_id), updateId: r.update_id,
        language: r.language, sealed: r.sealed, attempts: r.attempts, claim
      }))
    },

    /** Records mails as sent, those this claim still holds: one statement for a whole batch. */
    async markSent (mails: ClaimedMail[]): Promise<void> {
      const [first] = mails
      if (first === undefined) return
      await db.update(mailOutbox).set({ status: 'sent', sentAt: sql`now()`, sealed: null, lockedUntil: null, lastError: null })
        .where(and(inArray(mailOutbox.id, mails.map((m) => m.id)), eq(mailOutbox.claimedBy, first.claim)))
    },

    /** A mail the server refused for good: given up at once, and its address never written to again. */
    async markRefused (mail: ClaimedMail, emailHash: string | null, err: unknown): Promise<void> {
      if (emailHash !== null) await db.insert(mailSuppressions).values({ emailHash, reason: storableError(err) }).onConflictDoNothing()
      await db.update(mailOutbox).set({ status: 'failed', sealed: null, lockedUntil: null, lastError: storableError(err) })
        .where(and(eq(mailOutbox.id, mail.id), eq(mailOutbox.claimedBy, mail.claim)))
    },

    /**
     * Update mails whose worker stopped (a crash, a kill) between claiming and recording them: perhaps
     * sent, perhaps not. An update is never to reach anyone twice, so they are given up, not sent again;
     * a signer's confirmation mail, which may safely arrive twice, is simply claimed again.
     */
    async giveUpInterrupted (): Promise<number> {
      const given = await db.update(mailOutbox).set({ status: 'failed', sealed: null, lastError: 'interrupted while being sent; not sent again in case it went out' })
        .where(and(sql`${mailOutbox.status} = 'queued' and ${mailOutbox.updateId} is not null`, sql`${mailOutbox.lockedUntil} < now()`))
        .returning({ id: mailOutbox.id })
      return given.length
    },

    /** Marks the updates being sent whose every mail is queued (they have their count) and done as sent. */
    async finishUpdates (): Promise<void> {
      await db.update(updates).set({ status: 'sent', finishedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(eq(updates.status, 'sending'), sql`${updates.recipients} is not null`,
          sql`not exists (select 1 from ${mailOutbox} where ${mailOutbox.updateId} = ${updates.id} and ${mailOutbox.status} = 'queued')`))
    },

    /** A mail with no one left to send it to (the signature was erased, or confirmed meanwhile). */
    async cancel (mail: ClaimedMail, reason: string): Promise<void> {
      await db.update(mailOutbox).set({ status: 'cancelled', sealed: null, lockedUntil: null, lastError: reason })
        .where(and(eq(mailOutbox.id, mail.id), eq(mailOutbox.claimedBy, mail.claim)))
    },

    /** A failed attempt: tried again later, with a growing delay, until it is given up. Returns whether it will be. */
    async markFailed (mail: ClaimedMail, err: unknown): Promise<boolean> {
      const retry = mail.attempts < MAX_ATTEMPTS
      await db.update(mailOutbox).set(retry
        ? { nextAttemptAt: sql`now() + make_interval(secs => ${retryDelaySeconds(mail.attempts)})`, lockedUntil: null, lastError: storableError(err) }
        : { status: 'failed', sealed: null, lockedUntil: null, lastError: storableError(err) })
        .where(and(eq(mailOutbox.id, mail.id), eq(mailOutbox.claimedBy, mail.claim)))
      return retry
    },

    /** Deletes every mail of these signatures (erased: nobody is to be written to, and nothing kept of them). */
    async deleteFor (tx: Executor, signatureIds: number[]): Promise<void> {
      if (signatureIds.length === 0) return
      await tx.delete(mailOutbox).where(inArray(mailOutbox.signatureId, signatureIds))
    },

    /** Deletes mails finished more than a week ago and daily counts of past days. Returns how many mails. */
    async cleanUp (): Promise<number> {
      const deleted = await db.delete(mailOutbox)
        .where(and(sql`${mailOutbox.status} <> 'queued'`, sql`${mailOutbox.createdAt} < now() - make_interval(days => ${KEEP_DAYS})`))
        .returning({ id: mailOutbox.id })
      await db.delete(mailQuota).where(sql`${mailQuota.day} < current_date - 1`)
      return deleted.length
    }
  }
}

export type Outbox = ReturnType<typeof createOutbox>
