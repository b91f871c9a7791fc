import { and, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Appeal } from '../appeals/service.js'
import { selectRows, type Database } from '../db/connection.js'
import { signatures as s } from '../db/schema.js'
import { adminFilterConditions, type AdminFilters } from '../signatures/service.js'

// Each exported row is formatted by PostgreSQL into one finished line (a CSV line, or a JSON object for
// NDJSON), and each batch of lines into one text, so the application handles a few strings however many
// rows there are. The same SQL runs on both drivers.

const iso = (column: AnyPgColumn): SQL => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

interface ExportColumn {
  name: string
  /** The value as JSON would carry it (numbers, booleans, strings or null). */
  value: SQL
  /** The CSV cell: person-written text through solidaria_csv_cell (quoting, formula neutralising). */
  cell: SQL
}

const text = (name: string, column: AnyPgColumn): ExportColumn => ({ name, value: sql`${column}`, cell: sql`solidaria_csv_cell(${column})` })
// Values of our own making (numbers, enums, booleans, times) never need quoting or neutralising.
const plain = (name: string, value: SQL): ExportColumn => ({ name, value, cell: sql`coalesce((${value})::text, '')` })

const columns: ExportColumn[] = [
  plain('id', sql`${s.id}`), plain('kind', sql`${s.kind}`), plain('status', sql`${s.status}`),
  plain('hidden', sql`${s.hiddenAt} is not null`), text('name', s.name), text('email', s.email), text('country', s.country),
  text('city', s.city), text('organisation', s.organisation), text('role', s.role), plain('organisationType', sql`${s.organisationType}`),
  plain('members', sql`${s.members}`), plain('public', sql`${s.public}`), plain('contact', sql`${s.contact}`),
  text('consentVersion', s.consentVersion), text('locale', s.locale), plain('source', sql`${s.source}`), text('embedOrigin', s.embedOrigin),
  plain('createdAt', iso(s.createdAt)), plain('confirmedAt', iso(s.confirmedAt)), plain('erasedAt', iso(s.erasedAt))
]

export const exportColumns = columns.map((c) => c.name)

const lines = {
  csv: sql.join(columns.map((c) => c.cell), sql` || ',' || `),
  ndjson: sql`json_build_object(${sql.join(columns.map((c) => sql`${c.name}::text, ${c.value}`), sql`, `)})::text`
}

export function createExportsService (db: Database, options: { batchSize?: number, parallel?: number } = {}) {
  const batchSize = options.batchSize ?? 5000
  const parallel = options.parallel ?? 2

  /**
   * The formatted lines of the signatures matching the filters, in id order, a batch at a time, each
   * batch joined into one text by the database: the application holds a few strings, never a million
   * rows. Where each batch ends is found first with a cheap index-only query; the formatting, which is
   * the costly part, then runs for `parallel` batches at once (PostgreSQL gives each its own core).
   */
  async function * batches (appeal: Appeal, filters: AdminFilters, format: keyof typeof lines): AsyncGenerator<string> {
    const where = and(...adminFilterConditions(appeal.id, filters))
    const newline = format === 'csv' ? '\r\n' : '\n'
    const lastIdOfBatch = async (afterId: number): Promise<number | undefined> => {
      const [row] = await selectRows<{ id: number }>(db, sql`select ${s.id}::float8 as id from ${s}
        where ${where} and ${s.id} > ${afterId}::bigint order by ${s.id} offset ${batchSize - 1} limit 1`)
      return row?.id
    }
    const formatted = async (afterId: number, upToId: number | undefined): Promise<string> => {
      const upTo = upToId === undefined ? sql`` : sql` and ${s.id} <= ${upToId}::bigint`
      const [batch] = await selectRows<{ text: string | null }>(db, sql`
        select string_agg(line, ${newline} order by id) as text
        from (select ${s.id} as id, ${lines[format]} as line from ${s} where ${where} and ${s.id} > ${afterId}::bigint${upTo}) as batch`)
      return batch?.text == null ? '' : batch.text + newline
    }
    const pending: Array<Promise<string>> = []
    let afterId: number | undefined = 0
    while (afterId !== undefined || pending.length > 0) {
      while (afterId !== undefined && pending.length < parallel) {
        const upTo: number | undefined = await lastIdOfBatch(afterId)
        const batch = formatted(afterId, upTo)
        // Awaited in its turn below; until then a failure must not count as unhandled (it would end the process).
        batch.catch(() => {})
        pending.push(batch)
        afterId = upTo
      }
      const text = await pending.shift()!
      if (text !== '') yield text
    }
  }

  return {
    async * csv (appeal: Appeal, filters: AdminFilters): AsyncGenerator<string> {
      // The byte-order mark lets spreadsheet programs recognise UTF-8 (names in Greek, Arabic, Spanish).
      yield '\uFEFF' + exportColumns.join(',') + '\r\n'
      yield * batches(appeal, filters, 'csv')
    },

    ndjson (appeal: Appeal, filters: AdminFilters): AsyncGenerator<string> {
      return batches(appeal, filters, 'ndjson')
    }
  }
}

export type ExportsService = ReturnType<typeof createExportsService>
