import { Type } from 'typebox'
import { Country, CountryString, Email, LanguageTag, Line, Nullable, Timestamp, TimestampOut } from '../http/schemas.js'

export const organisationTypes = ['trade_union', 'political_party', 'ngo', 'community_group', 'other'] as const
export const OrganisationType = Type.Union(organisationTypes.map((t) => Type.Literal(t)))
export const Kind = Type.Union([Type.Literal('individual'), Type.Literal('organisation')])
export const Status = Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('erased')])

export const SignatureInput = Type.Object({
  kind: Kind,
  name: Line(200),
  email: Email,
  country: Country,
  city: Type.Optional(Line(120)),
  organisation: Type.Optional(Line(200)),
  role: Type.Optional(Line(120)),
  organisationType: Type.Optional(OrganisationType),
  members: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
  public: Type.Optional(Type.Boolean()),
  contact: Type.Optional(Type.Boolean()),
  consentVersion: Type.Optional(Line(40)),
  locale: Type.Optional(LanguageTag),
  website: Type.Optional(Type.String({ maxLength: 2000, description: 'Honeypot: must stay empty' }))
}, { additionalProperties: false })

export const SignedResponse = Type.Object({
  status: Type.Union([Type.Literal('confirmed'), Type.Literal('pending'), Type.Literal('erased')], {
    description: 'pending: the signature counts once its owner follows the link in the confirmation email'
  })
})

export const PublicSignature = Type.Object({
  kind: Kind,
  name: Nullable(Type.String()),
  country: Type.String(),
  city: Nullable(Type.String()),
  organisation: Nullable(Type.String()),
  role: Nullable(Type.String()),
  createdAt: TimestampOut
})

export const PublicListQuery = Type.Object({
  country: Type.Optional(CountryString),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 })
}, { additionalProperties: false })

export const Organisation = Type.Object({
  organisation: Nullable(Type.String()),
  organisationType: Nullable(OrganisationType),
  country: Type.String(),
  members: Nullable(Type.Integer()),
  createdAt: TimestampOut
})

export const AdminSignature = Type.Object({
  id: Type.Integer(),
  kind: Kind,
  status: Status,
  hiddenAt: Nullable(TimestampOut),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  country: Type.String(),
  city: Nullable(Type.String()),
  organisation: Nullable(Type.String()),
  role: Nullable(Type.String()),
  organisationType: Nullable(OrganisationType),
  members: Nullable(Type.Integer()),
  public: Type.Boolean(),
  contact: Type.Boolean(),
  consentVersion: Type.String(),
  locale: Nullable(Type.String()),
  source: Type.String(),
  embedOrigin: Nullable(Type.String()),
  ipHash: Nullable(Type.String()),
  createdAt: TimestampOut,
  confirmedAt: Nullable(TimestampOut),
  erasedAt: Nullable(TimestampOut),
  anonymisedAt: Nullable(TimestampOut),
  notable: Type.Boolean(),
  eventId: Nullable(Type.String())
})

/** An address's keyed hash, or at least its first 8 characters (as the organisers' table shows it). */
const IpHashCode = Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })

export const BulkHideInput = Type.Object({
  ipHash: Type.Optional(IpHashCode),
  emailDomain: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[^@\\s]+$' })),
  from: Type.Optional(Timestamp),
  to: Type.Optional(Timestamp),
  dryRun: Type.Optional(Type.Boolean({ description: 'Only count what would be hidden' }))
}, { additionalProperties: false })

export const AdminFiltersQuery = {
  q: Type.Optional(Line(200, 1, 'Part of a public name or organisation, or a whole email address')),
  status: Type.Optional(Status),
  kind: Type.Optional(Kind),
  country: Type.Optional(CountryString),
  hidden: Type.Optional(Type.Boolean()),
  notable: Type.Optional(Type.Boolean()),
  ipHash: Type.Optional(Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Signatures from one client address: its ipHash as this API shows it, or its first 8 or more characters' })),
  emailDomain: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[^@\\s]+$', description: 'Signatures whose email is at this domain' })),
  contact: Type.Optional(Type.Boolean({ description: 'true: only those who may be contacted (agreed, confirmed, not hidden); false: those who did not agree' })),
  from: Type.Optional(Timestamp),
  to: Type.Optional(Timestamp)
}
