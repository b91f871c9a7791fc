import { timingSafeEqual } from 'node:crypto'
import { and, eq, inArray, isNull, ne, type SQL } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import type { Database, Executor } from '../db/connection.js'
import { confirmationTokens, signatures } from '../db/schema.js'
import { appError } from '../errors/app-error.js'
import type { Outbox } from '../mail/outbox.js'
import { keyedHash, type Keys } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'
import { reveal } from '../signatures/personal-fields.js'
import { normaliseEmail } from '../signatures/email.js'

// Erasure on request: by an organiser (one signature, or one person across all their appeals), or by
// the signer through the link in every mail. Every personal field goes and the signature stops counting;
// the row stays as a tombstone, so that ids and exports stay consistent. Its mails (queued or sent) are
// deleted, and its confirmation links stop working.

/** The columns an erased signature keeps empty. */
const erasedColumns = () => ({
  status: 'erased' as const,
  name: null, sealed: null, legacyEmail: null, emailHash: null, emailDomainHash: null, city: null, organisation: null, role: null,
  ipHash: null, locale: null, embedOrigin: null, eventId: null, notable: false, public: false, contact: false, erasedAt: new Date()
})

const REMOVAL_PREFIX = '/remove/'

export type RemovalState = { state: 'valid' | 'removed', appealId: string } | { state: 'unknown' }

export interface ErasureOptions {
  keys: Keys
  sealer: Sealer
  outbox: Outbox
  /** Told, in the erasing transaction, which signatures were erased (webhooks queue their delivery there). */
  onErased?: (tx: Executor, erased: Array<{ id: number, appealId: string }>) => Promise<void>
}

export function createErasureService (db: Database, options: ErasureOptions) {
  const { keys, sealer, outbox } = options

  async function eraseWhere (tx: Executor, condition: SQL): Promise<Array<{ id: number, appealId: string }>> {
    const rows = await tx.update(signatures).set(erasedColumns()).where(and(condition, ne(signatures.status, 'erased')))
      .returning({ id: signatures.id, appealId: signatures.appealId })
    const ids = rows.map((r) => r.id)
    if (ids.length > 0) {
      await tx.delete(confirmationTokens).where(inArray(confirmationTokens.signatureId, ids))
      await outbox.deleteFor(tx, ids)
      await options.onErased?.(tx, rows)
    }
    return rows
  }

  const signatureOf = (token: string): number | undefined => {
    const match = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/.exec(token)
    if (match === null) return undefined
    const id = Number(match[1])
    const expected = Buffer.from(keyedHash(keys.removalLink, `remove:${id}`))
    const given = Buffer.from(match[2] ?? '')
    return Number.isSafeInteger(id) && given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined
  }

  async function removalState (token: string): Promise<RemovalState> {
    const id = signatureOf(token)
    if (id === undefined) return { state: 'unknown' }
    const [row] = await db.select({ status: signatures.status, appealId: signatures.appealId, anonymisedAt: signatures.anonymisedAt })
      .from(signatures).where(eq(signatures.id, id)).limit(1)
    if (row === undefined) return { state: 'unknown' }
    return { state: row.status === 'erased' || row.anonymisedAt !== null ? 'removed' : 'valid', appealId: row.appealId }
  }

  return {
    /** An organiser erases one signature of their appeal. */
    async eraseOne (appeal: Appeal, id: number) {
      await db.transaction((tx) => eraseWhere(tx, and(eq(signatures.appealId, appeal.id), eq(signatures.id, id)) as SQL))
      const [row] = await db.select().from(signatures).where(and(eq(signatures.appealId, appeal.id), eq(signatures.id, id)))
      if (row === undefined) throw appError('SIGNATURE_NOT_FOUND')
      return reveal(sealer, row)
    },

    /**
     * Erases every signature of this email address on the given appeals (those the organiser manages);
     * says how many, and on which of the appeals (their addresses).
     */
    async eraseByEmail (appeals: Array<{ id: string, slug: string }>, email: string): Promise<{ erased: number, appeals: string[] }> {
      if (appeals.length === 0) return { erased: 0, appeals: [] }
      const emailHash = keyedHash(keys.emailHash, normaliseEmail(email))
      const rows = await db.transaction((tx) =>
        eraseWhere(tx, and(eq(signatures.emailHash, emailHash), inArray(signatures.appealId, appeals.map((a) => a.id))) as SQL))
      const slugOf = new Map(appeals.map((a) => [a.id, a.slug]))
      return { erased: rows.length, appeals: [...new Set(rows.map((r) => slugOf.get(r.appealId) ?? ''))].sort() }
    },

    /** The path of the link, in every mail, with which a signature's owner removes it: signed, never stored. */
    removalPath: (signatureId: number): string => `${REMOVAL_PREFIX}${signatureId}.${keyedHash(keys.removalLink, `remove:${signatureId}`)}`,

    /** What a removal link leads to, changing nothing (a mail scanner may open it). */
    inspectRemoval: removalState,

    /** Erases the signature behind a removal link; says whether this did it (or it was done before). */
    async removeByLink (token: string): Promise<{ link: RemovalState, removedNow: boolean }> {
      const id = signatureOf(token)
      const erased = id === undefined ? [] : await db.transaction((tx) => eraseWhere(tx, and(eq(signatures.id, id), isNull(signatures.anonymisedAt)) as SQL))
      const [removed] = erased
      return removed === undefined ? { link: await removalState(token), removedNow: false } : { link: { state: 'removed', appealId: removed.appealId }, removedNow: true }
    }
  }
}

export type ErasureService = ReturnType<typeof createErasureService>
