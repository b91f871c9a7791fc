import { and, asc, isNotNull, isNull, sql } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'
import type { Sealer } from '../secrets/sealing.js'
import { domainHash } from './email.js'
import { openPersonal, sealPersonal } from './personal-fields.js'

const BATCH = 1000

/**
 * Fills in the keyed hash of the email domain of signatures made before it was recorded (it lets
 * organisers hide spam from one domain). Runs at start; a partial index makes it free once done.
 * Returns how many it filled.
 */
export async function fillEmailDomains (db: Database, sealer: Sealer, key: Buffer): Promise<number> {
  let count = 0
  for (;;) {
    const rows = await db
      .select({
        id: signatures.id, sealed: signatures.sealed, legacyEmail: signatures.legacyEmail,
        name: signatures.name, city: signatures.city, organisation: signatures.organisation, role: signatures.role
      })
      .from(signatures).where(and(isNull(signatures.emailDomainHash), isNotNull(signatures.sealed))).orderBy(asc(signatures.id)).limit(BATCH)
    if (rows.length === 0) return count
    const values = sql.join(rows.map((row) => sql`(${row.id}::bigint, ${domainHash(key, openPersonal(sealer, row).email ?? '')}::text)`), sql`, `)
    await db.execute(sql`update ${signatures} set email_domain_hash = v.hash from (values ${values}) as v(id, hash)
      where ${signatures.id} = v.id and ${signatures.sealed} is not null`)
    count += rows.length
  }
}

/**
 * Seals what was stored in clear before sealing existed. Runs at every start, so an upgraded database
 * holds no address in clear. Returns how many signatures it sealed.
 */
export async function sealLegacySignatures (db: Database, sealer: Sealer): Promise<number> {
  let count = 0
  for (;;) {
    const rows = await db.select().from(signatures).where(isNotNull(signatures.legacyEmail)).orderBy(asc(signatures.id)).limit(BATCH)
    if (rows.length === 0) return count
    const values = sql.join(rows.map((row) => {
      const p = sealPersonal(sealer, { email: row.legacyEmail!, name: row.name, city: row.city, organisation: row.organisation, role: row.role }, row.public)
      return sql`(${row.id}::bigint, ${p.sealed}::text, ${p.name}::text, ${p.city}::text, ${p.organisation}::text, ${p.role}::text)`
    }), sql`, `)
    await db.execute(sql`update ${signatures} set sealed = v.sealed, name = v.name, city = v.city, organisation = v.organisation, role = v.role, email = null
      from (values ${values}) as v(id, sealed, name, city, organisation, role) where ${signatures.id} = v.id and ${signatures.legacyEmail} is not null`)
    count += rows.length
  }
}
