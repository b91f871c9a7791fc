import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { appeals, auditLog } from '../db/schema.js'

/** Everything the trail records. Each entry says who, when, from which address (a keyed hash), and about which appeal. */
export const auditActions = [
  'signin.success', 'signin.failure', 'signin.codeFailure', 'signout',
  'password.change', 'password.reset', 'twoFactor.enable', 'twoFactor.disable', 'twoFactor.recoveryCodes', 'session.end',
  'invitation.create', 'invitation.accept', 'member.role', 'member.remove', 'organiser.create', 'token.create', 'token.revoke',
  'signatures.view', 'signatures.export', 'signatures.erase', 'signatures.eraseByEmail', 'signatures.bulkHide', 'signatures.bulkHideUndo'
] as const
export type AuditAction = typeof auditActions[number]

/** Who did it, as the trail keeps it: an organiser (or nobody, for a failed sign-in), by which credential, from where. */
export interface AuditActor {
  id: string | null
  email: string | null
  via: 'session' | 'token' | null
  credentialId?: string
  ipHash: string | null
}

/**
 * What an entry may carry besides its action: ids, counts, filters, roles. Never a signer's name, email
 * or private field; an email filter is recorded as "by email" only.
 */
export type AuditDetails = Record<string, string | number | boolean | null | Record<string, string | number | boolean | null>>

export interface AuditQuery {
  /** The appeals whose trail is read; undefined: all of it (admins). */
  appealIds?: string[]
  action?: AuditAction
  before?: number
  limit: number
}

export function createAuditService (db: Database, options: { retentionDays: number }) {
  return {
    async record (actor: AuditActor, action: AuditAction, entry: { appealId?: string | null, details?: AuditDetails } = {}): Promise<void> {
      await db.insert(auditLog).values({
        actorId: actor.id,
        actorEmail: actor.email,
        via: actor.via,
        action,
        appealId: entry.appealId ?? null,
        details: { ...entry.details, ...(actor.credentialId !== undefined && actor.via === 'token' && { tokenId: actor.credentialId }) },
        ipHash: actor.ipHash
      })
    },

    /** Newest first, a page at a time (by id, as fast on the millionth entry as on the first). */
    async list (query: AuditQuery) {
      if (query.appealIds !== undefined && query.appealIds.length === 0) return { items: [], nextBefore: null }
      const conditions: SQL[] = []
      if (query.appealIds !== undefined) conditions.push(inArray(auditLog.appealId, query.appealIds))
      if (query.action !== undefined) conditions.push(eq(auditLog.action, query.action))
      if (query.before !== undefined) conditions.push(lt(auditLog.id, query.before))
      const rows = await db.select({
        id: auditLog.id, at: auditLog.at, actorId: auditLog.actorId, actorEmail: auditLog.actorEmail, via: auditLog.via,
        action: auditLog.action, appeal: appeals.slug, details: auditLog.details, ipHash: auditLog.ipHash
      }).from(auditLog).leftJoin(appeals, eq(appeals.id, auditLog.appealId))
        .where(and(...conditions)).orderBy(desc(auditLog.id)).limit(query.limit + 1)
      const items = rows.slice(0, query.limit)
      return { items, nextBefore: rows.length > query.limit ? items[items.length - 1]!.id : null }
    },

    /** Entries past AUDIT_RETENTION_DAYS are deleted (a daily job). */
    async deleteExpired (): Promise<number> {
      const deleted = await db.delete(auditLog).where(sql`${auditLog.at} < now() - make_interval(days => ${options.retentionDays})`).returning({ id: auditLog.id })
      return deleted.length
    }
  }
}

export type AuditService = ReturnType<typeof createAuditService>
