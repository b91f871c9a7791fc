import { and, asc, isNotNull, isNull, sql } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'
import type { Sealer } from '../secrets/sealing.js'
import { openPersonal } from './personal-fields.js'
import { domainHash } from './service.js'

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
