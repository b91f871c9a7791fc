import { sql } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { appeals } from '../db/schema.js'

/** The appeals whose retention period has run out: closed (or past their closing date) long enough. */
export async function dueAppeals (db: Database, now: Date): Promise<string[]> {
  const at = now.toISOString()
  const rows = await db.select({ id: appeals.id }).from(appeals).where(sql`coalesce(${appeals.closedAt},
    case when ${appeals.closesAt} <= ${at}::timestamptz then ${appeals.closesAt} end) + make_interval(months => ${appeals.retentionMonths}) <= ${at}::timestamptz`)
  return rows.map((r) => r.id)
}
