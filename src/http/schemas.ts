import { createRequire } from 'node:module'
import { Type, type TSchema } from 'typebox'
import { languages } from '../i18n/index.js'

// i18n-iso-countries' ISO 3166-1 table; its main entry would also load every language's country names
// (11 MB we do not use: Intl.DisplayNames names countries).
const isoTable = createRequire(import.meta.url)('i18n-iso-countries/codes.json') as Array<[string, string, string, string]>

/** ISO 3166-1 alpha-2 codes, the only countries a signature or event may name. */
export const countryCodes = isoTable.map(([alpha2]) => alpha2).sort()

// `enum` rather than a union of literals: one keyword to check instead of 250 alternatives to try.
export const Country = Type.Unsafe<string>({ type: 'string', enum: countryCodes, description: 'ISO 3166-1 alpha-2 code' })
export const CountryString = Type.String({ minLength: 2, maxLength: 2 })
export const Email = Type.String({ format: 'email', maxLength: 254 })
export const Slug = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', minLength: 2, maxLength: 80 })
/** A language the site is translated into. */
export const SiteLanguage = Type.Unsafe<string>({ type: 'string', enum: languages })
/** Any BCP 47-looking tag (a signer's locale may be one we do not translate into yet). */
export const LanguageTag = Type.String({ pattern: '^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$', maxLength: 35 })
export const Url = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 })
/** A web origin: scheme, host and port, without a path ("https://union.example.org"). */
export const WebOrigin = Type.String({ pattern: '^https?://([A-Za-z0-9-]+\\.)*[A-Za-z0-9-]+(:[0-9]{1,5})?$', maxLength: 300 })
export const Timestamp = Type.String({ format: 'date-time' })
/** A time in a response: the handler gives a Date, the serialiser writes ISO 8601. */
export const TimestampOut = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' })
export const Line = (maxLength: number, minLength = 1, description?: string) =>
  Type.String({ minLength, maxLength, ...(description !== undefined && { description }) })

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Record(Type.String(), Type.String())
  })
}, { description: 'Every error: a stable code, a translated message and a message per invalid field' })

/** Response schemas for the usual error statuses, merged with a route's success responses. */
export function withErrors<T extends Record<number, TSchema>> (success: T, ...statuses: number[]): T & Record<number, TSchema> {
  const all: Record<number, TSchema> = { ...success }
  for (const status of [400, 429, 500, ...statuses]) all[status] = ErrorResponse
  return all as T & Record<number, TSchema>
}

// Path parameters are checked against what they really are before any handler runs, so that nothing
// else (a NUL, which PostgreSQL refuses, or an id Ajv would coerce from "0x1f") reaches the database.
export const SlugParams = Type.Object({ slug: Slug })
/** A signature's id: plain decimal (see validation.ts for what Ajv would otherwise coerce). */
export const SignatureId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
export const Uuid = Type.String({ format: 'uuid' })
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
