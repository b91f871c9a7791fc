import { and, desc, eq, ilike, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import type { Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'
import { appError } from '../errors/app-error.js'
import { keyedHash, type Keys } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'
import { domainHash, normaliseEmail } from './email.js'
import { nameWordHashes } from './name-index.js'
import { reveal } from './personal-fields.js'
import type { Signature } from './signature.js'

export interface AdminFilters {
  q?: string
  /** Signatures from one client address (its keyed hash, as the organisers' view shows it). */
  ipHash?: string
  /** Signatures whose email is at this domain (found through its keyed hash). */
  emailDomain?: string
  notable?: boolean
  status?: Signature['status']
  kind?: Signature['kind']
  country?: string
  hidden?: boolean
  /** Only those who may be contacted: agreed, confirmed and not hidden (or, with false, only those who did not agree). */
  contact?: boolean
  from?: string
  to?: string
}

/**
 * The conditions of an organiser's filters. `q` finds names and organisations shown in clear, an email
 * address exactly (through its keyed hash: sealed fields cannot be searched inside), and paper signatures'
 * sealed names by whole words, through their blind index (signatures/name-index.ts).
 */
export function adminFilterConditions (appealId: string, f: AdminFilters, keys: Pick<Keys, 'emailHash' | 'emailDomainHash' | 'nameIndex'>): SQL[] {
  const conditions: SQL[] = [eq(signatures.appealId, appealId)]
  // The table shows an address's hash by its first characters: those are enough to name it.
  if (f.ipHash !== undefined) conditions.push(f.ipHash.length >= 43 ? eq(signatures.ipHash, f.ipHash) : sql`left(${signatures.ipHash}, ${f.ipHash.length}) = ${f.ipHash}`)
  if (f.emailDomain !== undefined) conditions.push(eq(signatures.emailDomainHash, domainHash(keys.emailDomainHash, f.emailDomain)))
  if (f.notable !== undefined) conditions.push(eq(signatures.notable, f.notable))
  if (f.status !== undefined) conditions.push(eq(signatures.status, f.status))
  if (f.kind !== undefined) conditions.push(eq(signatures.kind, f.kind))
  if (f.country !== undefined) conditions.push(eq(signatures.country, f.country))
  if (f.hidden !== undefined) conditions.push(f.hidden ? isNotNull(signatures.hiddenAt) : isNull(signatures.hiddenAt))
  // Those who may be written to: who agreed, confirmed their address, and are not spam.
  if (f.contact === true) conditions.push(eq(signatures.contact, true), eq(signatures.status, 'confirmed'), isNull(signatures.hiddenAt))
  if (f.contact === false) conditions.push(eq(signatures.contact, false))
  // Validated ISO 8601 text, cast by PostgreSQL: a Date parameter is not serialised alike by both drivers.
  if (f.from !== undefined) conditions.push(sql`${signatures.createdAt} >= ${f.from}::timestamptz`)
  if (f.to !== undefined) conditions.push(sql`${signatures.createdAt} < ${f.to}::timestamptz`)
  if (f.q?.includes('@') === true) {
    // An address goes to the database only as its keyed hash, never as text to match.
    conditions.push(eq(signatures.emailHash, keyedHash(keys.emailHash, normaliseEmail(f.q))))
  } else if (f.q !== undefined) {
    const pattern = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`
    const words = nameWordHashes(keys.nameIndex, f.q)
    const byWords = words.length === 0 ? [] : [sql`${signatures.nameWords} @> ${sql.raw('ARRAY[')}${sql.join(words.map((w) => sql`${w}`), sql`, `)}${sql.raw(']::text[]')}`]
    conditions.push(or(ilike(signatures.name, pattern), ilike(signatures.organisation, pattern), ...byWords) as SQL)
  }
  return conditions
}

/** One signature of the appeal, and no other appeal's. */
export const ofAppeal = (appeal: Appeal, id: number): SQL => and(eq(signatures.appealId, appeal.id), eq(signatures.id, id)) as SQL

/** What an appeal's organisers look up: its signatures with every field opened. */
export function createAdminSearch (db: Database, options: { keys: Keys, sealer: Sealer }) {
  return {
    /** Every field, email included, for the appeal's organisers; newest first, by id cursor. */
    async search (appeal: Appeal, filters: AdminFilters & { before?: number, limit: number }) {
      const conditions = adminFilterConditions(appeal.id, filters, options.keys)
      if (filters.before !== undefined) conditions.push(lt(signatures.id, filters.before))
      const rows = await db.select().from(signatures).where(and(...conditions)).orderBy(desc(signatures.id)).limit(filters.limit + 1)
      const page = rows.slice(0, filters.limit)
      return { items: page.map((row) => reveal(options.sealer, row)), nextBefore: rows.length > filters.limit ? page.at(-1)?.id ?? null : null }
    },

    /** One signature, every field opened, for its organisers. */
    async get (appeal: Appeal, id: number) {
      const [row] = await db.select().from(signatures).where(ofAppeal(appeal, id)).limit(1)
      if (row === undefined) throw appError('SIGNATURE_NOT_FOUND')
      return reveal(options.sealer, row)
    }
  }
}
