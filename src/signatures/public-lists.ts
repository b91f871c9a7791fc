import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import type { Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'
import { appError, invalidFields } from '../errors/app-error.js'

// A cursor over (created_at, id), newest first; opaque to clients. The time is kept to the microsecond,
// as PostgreSQL stores it: a JS Date would round it to the millisecond and skip rows on the way.
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

function encodeCursor (at: string, id: number): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url')
}

function decodeCursor (cursor: string): { at: string, id: number } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown]
    if (typeof at === 'string' && CURSOR_TIME.test(at) && !Number.isNaN(Date.parse(at)) &&
      typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return { at, id }
  } catch {}
  throw invalidFields({ cursor: { key: 'invalid' } })
}

/** Signatures that count and may be shown: confirmed and not hidden as spam. */
export const counted = (): SQL => and(eq(signatures.status, 'confirmed'), isNull(signatures.hiddenAt)) as SQL

/** What anyone may read of an appeal's signatures: the names and organisations that agreed to be shown. */
export function createPublicLists (db: Database) {
  return {
    /** Names of those who agreed to be shown, newest first. */
    async listPublic (appeal: Appeal, query: { country?: string, cursor?: string, limit: number }) {
      if (!appeal.showPublicList) throw appError('PUBLIC_LIST_DISABLED')
      const conditions = [eq(signatures.appealId, appeal.id), counted(), eq(signatures.public, true)]
      if (query.country !== undefined) conditions.push(eq(signatures.country, query.country))
      if (query.cursor !== undefined) {
        const c = decodeCursor(query.cursor)
        conditions.push(sql`(${signatures.createdAt}, ${signatures.id}) < (${c.at}::timestamptz, ${c.id}::bigint)`)
      }
      const rows = await db.select({
        id: signatures.id, kind: signatures.kind, name: signatures.name, country: signatures.country, city: signatures.city,
        organisation: signatures.organisation, role: signatures.role, createdAt: signatures.createdAt,
        at: sql<string>`to_char(${signatures.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
      }).from(signatures).where(and(...conditions))
        .orderBy(desc(signatures.createdAt), desc(signatures.id)).limit(query.limit + 1)
      const page = rows.slice(0, query.limit)
      const last = page.at(-1)
      return {
        items: page.map(({ id: _id, at: _at, ...rest }) => rest),
        nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last.at, last.id) : null
      }
    },

    /** Organisations that endorse the appeal and agreed to be listed, largest first. */
    async listOrganisations (appeal: Appeal, query: { limit: number, offset: number }) {
      return db.select({
        organisation: signatures.organisation, organisationType: signatures.organisationType,
        country: signatures.country, members: signatures.members, createdAt: signatures.createdAt
      }).from(signatures)
        .where(and(eq(signatures.appealId, appeal.id), eq(signatures.kind, 'organisation'), counted(), eq(signatures.public, true)))
        .orderBy(desc(signatures.members), desc(signatures.id)).limit(query.limit).offset(query.offset)
    }
  }
}
