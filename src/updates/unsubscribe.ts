import { timingSafeEqual } from 'node:crypto'
import { and, eq, isNull } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'
import { keyedHash, type Keys } from '../secrets/keys.js'

// The link in every mail with which a signer stops mail about that appeal (RFC 8058's one-click
// unsubscribe, and a visible link): signed with a key of its own, never stored. It withdraws the
// consent to be contacted; the signature still counts. Undoing gives the consent back.

export type UnsubscribeState = { state: 'subscribed' | 'unsubscribed', appealId: string } | { state: 'unknown' }

const PREFIX = '/unsubscribe/'
const TOKEN = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/

export function createUnsubscribeService (db: Database, keys: Keys) {
  const sign = (id: number): string => keyedHash(keys.unsubscribeLink, `unsubscribe:${id}`)

  const signatureOf = (token: string): number | undefined => {
    const match = TOKEN.exec(token)
    if (match === null) return undefined
    const id = Number(match[1])
    const expected = Buffer.from(sign(id))
    const given = Buffer.from(match[2] ?? '')
    return Number.isSafeInteger(id) && given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined
  }

  async function state (token: string): Promise<UnsubscribeState> {
    const id = signatureOf(token)
    if (id === undefined) return { state: 'unknown' }
    const [row] = await db.select({
      contact: signatures.contact, status: signatures.status, appealId: signatures.appealId, anonymisedAt: signatures.anonymisedAt
    })
      .from(signatures).where(eq(signatures.id, id)).limit(1)
    if (row === undefined || row.status === 'erased' || row.anonymisedAt !== null) return { state: 'unknown' }
    return { state: row.contact ? 'subscribed' : 'unsubscribed', appealId: row.appealId }
  }

  async function setContact (token: string, contact: boolean): Promise<{ link: UnsubscribeState, changed: boolean }> {
    const id = signatureOf(token)
    if (id === undefined) return { link: { state: 'unknown' }, changed: false }
    const changed = await db.update(signatures).set({ contact })
      .where(and(eq(signatures.id, id), eq(signatures.contact, !contact), isNull(signatures.anonymisedAt)))
      .returning({ id: signatures.id })
    return { link: await state(token), changed: changed.length > 0 }
  }

  return {
    /** The path of a signature's unsubscribe link. */
    path: (signatureId: number): string => `${PREFIX}${signatureId}.${sign(signatureId)}`,
    /** What the link leads to, changing nothing. */
    inspect: state,
    /** Withdraws the consent to be contacted about the appeal (a mail client's one-click POST, or the page's button). */
    unsubscribe: async (token: string) => setContact(token, false),
    /** Gives it back (the page's undo). */
    resubscribe: async (token: string) => setContact(token, true)
  }
}

export type UnsubscribeService = ReturnType<typeof createUnsubscribeService>
