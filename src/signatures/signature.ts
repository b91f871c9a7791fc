import type { signatures } from '../db/schema.js'

export type Signature = typeof signatures.$inferSelect
export type NewSignature = typeof signatures.$inferInsert
export type OrganisationType = NonNullable<Signature['organisationType']>
export type SignatureSource = Signature['source']

export interface SignatureInput {
  kind: 'individual' | 'organisation'
  name: string
  /** Required when signing; a paper signature may come without one (it is confirmed by its import). */
  email: string
  country: string
  city?: string
  organisation?: string
  role?: string
  organisationType?: OrganisationType
  members?: number
  public?: boolean
  contact?: boolean
  consentVersion?: string
  locale?: string
  /** The honeypot: people never see it, so it stays empty. */
  website?: string
}

export interface SigningContext {
  ip: string
  source: SignatureSource
  /** For a signature made in the signing widget: the origin of the page that framed it. */
  embedOrigin?: string
  /** The site language the signer reads (their mail is written in it); the appeal's original by default. */
  language?: string
  now?: Date
}
