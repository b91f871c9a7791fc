import { and, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Appeal } from '../appeals/service.js'
import { selectRows, type Database } from '../db/connection.js'
import { signatures as s } from '../db/schema.js'
import { adminFilterConditions, type AdminFilters } from '../signatures/service.js'
import { csvRow } from './csv.js'

const iso = (column: AnyPgColumn): SQL => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

// The exported columns, in order; the CSV header uses these names. Times are formatted by PostgreSQL so
// that a million rows do not become three million Date objects; the id is read as a JS number.
const columns: Array<[string, SQL]> = [
  ['id', sql`${s.id}::float8`], ['kind', sql`${s.kind}`], ['status', sql`${s.status}`], ['hidden', sql`${s.hiddenAt} is not null`],
  ['name', sql`${s.name}`], ['email', sql`${s.email}`], ['country', sql`${s.country}`], ['city', sql`${s.city}`],
  ['organisation', sql`${s.organisation}`], ['role', sql`${s.role}`], ['organisationType', sql`${s.organisationType}`],
  ['members', sql`${s.members}`], ['public', sql`${s.public}`], ['contact', sql`${s.contact}`],
  ['consentVersion', sql`${s.consentVersion}`], ['locale', sql`${s.locale}`], ['source', sql`${s.source}`],
  ['createdAt', iso(s.createdAt)], ['confirmedAt', iso(s.confirmedAt)], ['erasedAt', iso(s.erasedAt)]
]
export const exportColumns = columns.map(([name]) => name)
const selection = sql.join(columns.map(([name, expr]) => sql`${expr} as ${sql.identifier(name)}`), sql`, `)

type ExportRow = Record<string, unknown> & { id: number }

export function createExportsService (db: Database, options: { batchSize?: number } = {}) {
  const batchSize = options.batchSize ?? 5000

  /**
   * The signatures matching the filters in id order, a batch at a time (keyset pagination on the primary
   * key): memory stays flat however many rows there are, on either driver. The next batch is fetched
   * while the current one is being written.
   */
  async function * batches (appeal: Appeal, filters: AdminFilters): AsyncGenerator<ExportRow[]> {
    const where = and(...adminFilterConditions(appeal.id, filters))
    const fetch = (afterId: number): Promise<ExportRow[]> => selectRows<ExportRow>(db,
      sql`select ${selection} from ${s} where ${where} and ${s.id} > ${afterId}::bigint order by ${s.id} limit ${batchSize}`)
    let next = fetch(0)
    for (;;) {
      const rows = await next
      if (rows.length === 0) return
      next = rows.length < batchSize ? Promise.resolve([]) : fetch(rows[rows.length - 1]!.id)
      yield rows
    }
  }

  return {
    async * csv (appeal: Appeal, filters: AdminFilters): AsyncGenerator<string> {
      // The byte-order mark lets spreadsheet programs recognise UTF-8 (names in Greek, Arabic, Spanish).
      yield '\uFEFF' + csvRow(exportColumns)
      for await (const rows of batches(appeal, filters)) {
        let chunk = ''
        for (const row of rows) chunk += csvRow(Object.values(row))
        yield chunk
      }
    },

    async * ndjson (appeal: Appeal, filters: AdminFilters): AsyncGenerator<string> {
      for await (const rows of batches(appeal, filters)) {
        let chunk = ''
        for (const row of rows) chunk += JSON.stringify(row) + '\n'
        yield chunk
      }
    }
  }
}

export type ExportsService = ReturnType<typeof createExportsService>
