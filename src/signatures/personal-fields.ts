import type { signatures } from '../db/schema.js'
import type { Sealer } from '../secrets/sealing.js'
import { openPersonalWith } from './open-personal.js'

// A signature's email is always sealed (secrets/sealing.ts); a paper signature may have none. Its name, city, organisation and role are
// kept in clear only when the signer chose to be shown publicly, since the public list shows them;
// otherwise they are sealed with the email and their columns stay empty.

/** The fields that say who signed. */
export interface PersonalFields {
  email: string | null
  name: string | null
  city: string | null
  organisation: string | null
  role: string | null
}

/** The short keys of the sealed JSON, so that a million sealed values stay small. */
interface SealedJson { e?: string, n?: string, c?: string, o?: string, r?: string }

type StoredPersonal = Pick<typeof signatures.$inferSelect, 'name' | 'city' | 'organisation' | 'role' | 'sealed' | 'legacyEmail'>

/** The columns a signature's personal fields are stored in. */
export function sealPersonal (sealer: Sealer, fields: PersonalFields, shownPublicly: boolean) {
  const hidden: SealedJson = fields.email === null ? {} : { e: fields.email }
  if (!shownPublicly) {
    if (fields.name !== null) hidden.n = fields.name
    if (fields.city !== null) hidden.c = fields.city
    if (fields.organisation !== null) hidden.o = fields.organisation
    if (fields.role !== null) hidden.r = fields.role
  }
  const clear = shownPublicly ? fields : { name: null, city: null, organisation: null, role: null }
  return { name: clear.name, city: clear.city, organisation: clear.organisation, role: clear.role, sealed: sealer.seal(JSON.stringify(hidden)) }
}

/** A stored signature's personal fields, opened: for its owner's mail and its organisers' views and exports. */
export function openPersonal (sealer: Sealer, row: StoredPersonal): PersonalFields {
  return openPersonalWith(sealer.open, row)
}

/** A signature as its organisers see it: personal fields opened, the sealed form left out. */
export function reveal<T extends StoredPersonal> (sealer: Sealer, row: T): Omit<T, 'sealed' | 'legacyEmail'> & PersonalFields {
  const { sealed: _sealed, legacyEmail: _legacy, ...rest } = row
  return { ...rest, ...openPersonal(sealer, row) }
}
