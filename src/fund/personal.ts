import type { contributions } from '../db/schema.js'
import type { Sealer } from '../secrets/sealing.js'

// A contribution's email and transfer reference are always sealed (secrets/sealing.ts), as a signature's
// email is; the name is kept in clear only when the supporter chose to be shown, since the account
// publishes it, and is sealed with the rest otherwise.

export interface ContributorFields { email: string | null, reference: string | null, name: string | null }

interface SealedJson { e?: string, r?: string, n?: string }

/** The columns a contribution's personal fields are stored in. */
export function sealContributor (sealer: Sealer, fields: ContributorFields, shownPublicly: boolean): { publicName: string | null, sealed: string | null } {
  const hidden: SealedJson = {}
  if (fields.email !== null) hidden.e = fields.email
  if (fields.reference !== null) hidden.r = fields.reference
  if (!shownPublicly && fields.name !== null) hidden.n = fields.name
  return {
    publicName: shownPublicly ? fields.name : null,
    sealed: Object.keys(hidden).length === 0 ? null : sealer.seal(JSON.stringify(hidden))
  }
}

/** A stored contribution's personal fields, opened: for its organisers and its supporter's mail. */
export function openContributor (sealer: Sealer, row: Pick<typeof contributions.$inferSelect, 'publicName' | 'sealed'>): ContributorFields {
  const hidden: SealedJson = row.sealed === null ? {} : JSON.parse(sealer.open(row.sealed)) as SealedJson
  return { email: hidden.e ?? null, reference: hidden.r ?? null, name: row.publicName ?? hidden.n ?? null }
}

/** A receipt's bytes sealed as text (base64 inside the sealed value), and opened again. */
export const sealBytes = (sealer: Sealer, bytes: Buffer): string => sealer.seal(bytes.toString('base64'))
export const openBytes = (sealer: Sealer, sealed: string): Buffer => Buffer.from(sealer.open(sealed), 'base64')
