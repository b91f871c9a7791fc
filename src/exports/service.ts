import { and, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Appeal } from '../appeals/service.js'
import { selectRows, type Database } from '../db/connection.js'
import { signatures as s } from '../db/schema.js'
import type { Keys } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'
import { openPersonal, type PersonalFields } from '../signatures/personal-fields.js'
import { adminFilterConditions, type AdminFilters } from '../signatures/admin-search.js'

// The export formats what it can in PostgreSQL and what it must in the application. Every column but
// the personal ones (sealed under DATA_KEY, which the database never sees) is formatted by PostgreSQL:
// each run of them into one finished piece of the CSV line. The application opens the sealed fields
// and puts each line together. Rows come a batch at a time, in id order, two batches in flight.

const iso = (column: AnyPgColumn): SQL => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
// What spreadsheet programs read as a date and time (LibreOffice and Excel take ISO 8601's "T" and "Z" for
// text); in UTC, which the column's name says, since a cell has no time zone.
const spreadsheetTime = (column: AnyPgColumn): SQL => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')`

/** How a column is written: text (neutralised), a value of our own making, a time, or a sealed field. */
type ExportColumn =
  | { name: string, sheetName: string, kind: 'text' | 'plain', value: SQL, cell: SQL, personal?: undefined }
  | { name: string, sheetName: string, kind: 'time', value: SQL, cell: SQL, personal?: undefined }
  | { name: string, sheetName: string, kind: 'personal', personal: keyof PersonalFields }

const text = (name: string, column: AnyPgColumn): ExportColumn => ({ name, sheetName: name, kind: 'text', value: sql`${column}`, cell: sql`solidaria_csv_cell(${column})` })
// Values of our own making (numbers, enums, booleans, times) never need quoting or neutralising.
const plain = (name: string, value: SQL): ExportColumn => ({ name, sheetName: name, kind: 'plain', value, cell: sql`coalesce((${value})::text, '')` })
const time = (name: string, column: AnyPgColumn): ExportColumn =>
  ({ name, sheetName: `${name}Utc`, kind: 'time', value: iso(column), cell: sql`coalesce(${spreadsheetTime(column)}, '')` })
const personal = (name: keyof PersonalFields): ExportColumn => ({ name, sheetName: name, kind: 'personal', personal: name })

const columns: ExportColumn[] = [
  plain('id', sql`${s.id}`), plain('kind', sql`${s.kind}`), plain('status', sql`${s.status}`),
  plain('hidden', sql`${s.hiddenAt} is not null`), personal('name'), personal('email'), text('country', s.country),
  personal('city'), personal('organisation'), personal('role'), plain('organisationType', sql`${s.organisationType}`),
  plain('members', sql`${s.members}`), plain('public', sql`${s.public}`), plain('contact', sql`${s.contact}`),
  text('consentVersion', s.consentVersion), text('locale', s.locale), plain('source', sql`${s.source}`), text('embedOrigin', s.embedOrigin),
  time('createdAt', s.createdAt), time('confirmedAt', s.confirmedAt), time('erasedAt', s.erasedAt),
  time('anonymisedAt', s.anonymisedAt), plain('notable', sql`${s.notable}`), plain('eventId', sql`${s.eventId}`)
]

/** The NDJSON export's keys (times in ISO 8601). */
export const exportColumns = columns.map((c) => c.name)
/** The CSV's and the XLSX's headers: the same, with each time column named for its time zone (createdAtUtc). */
export const sheetColumns = columns.map((c) => c.sheetName)

/** The separators a CSV export can have: a comma (RFC 4180), or a semicolon for spreadsheets set to a comma-decimal language. */
export const csvSeparators = { comma: ',', semicolon: ';' } as const
export type CsvSeparator = keyof typeof csvSeparators

/** Text a spreadsheet would run as a formula gets a leading apostrophe (as OWASP recommends). */
export function neutralise (value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? "'" + value : value
}

/**
 * A CSV cell as solidaria_csv_cell (migrations/0001, made to quote semicolons too by the webhooks
 * migration) writes it: RFC 4180 quoting, formulas neutralised. A cell with either separator is quoted,
 * so one line is right with both.
 */
export function csvCell (value: string | null): string {
  if (value === null) return ''
  const safe = neutralise(value)
  return /[",;\n\r]/.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe
}

// The CSV line as pieces: runs of columns PostgreSQL formats (as `piece0`, `piece1`, ...) and the personal
// fields between them.
type Piece = { sql: string } | { personal: keyof PersonalFields }
const pieces: Piece[] = []
const pieceCells: SQL[][] = []
for (const column of columns) {
  const last = pieces.at(-1)
  if (column.kind === 'personal') {
    pieces.push({ personal: column.personal })
  } else if (last !== undefined && 'sql' in last) {
    pieceCells.at(-1)!.push(column.cell)
  } else {
    pieces.push({ sql: `piece${pieceCells.length}` })
    pieceCells.push([column.cell])
  }
}
const csvSelects = Object.fromEntries(Object.entries(csvSeparators).map(([name, separator]) => [name, sql.join(
  pieceCells.map((cells, i) => sql`${sql.join(cells, sql.raw(` || '${separator}' || `))} as ${sql.identifier(`piece${i}`)}`), sql`, `
)])) as Record<CsvSeparator, SQL>
// The JSON object with the personal fields in their places, as nulls the application fills in.
const jsonSelect = sql`json_build_object(${sql.join(columns.map((c) => c.kind === 'personal' ? sql`${c.name}::text, null` : sql`${c.name}::text, ${c.value}`), sql`, `)})::text as object`

interface BatchRow {
  sealed: string | null
  legacyEmail: string | null
  name: string | null
  city: string | null
  organisation: string | null
  role: string | null
  object?: string
  [piece: string]: string | null | undefined
}

/** A spreadsheet cell: text (neutralised), a number, a yes/no, a time, or empty. */
export type SheetValue = string | number | boolean | Date | null

export function createExportsService (db: Database, options: { sealer: Sealer, keys: Keys, batchSize?: number, parallel?: number }) {
  const batchSize = options.batchSize ?? 5000
  const parallel = options.parallel ?? 2
  const open = (row: BatchRow): PersonalFields => openPersonal(options.sealer, row)

  function csvLine (row: BatchRow, separator: string): string {
    const fields = open(row)
    let line = ''
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!
      if (i > 0) line += separator
      line += 'sql' in piece ? row[piece.sql] ?? '' : csvCell(fields[piece.personal])
    }
    return line
  }

  function record (row: BatchRow): Record<string, unknown> {
    return Object.assign(JSON.parse(row.object ?? '{}') as Record<string, unknown>, open(row))
  }

  /** A row of the XLSX export: the NDJSON record's values, times as dates, text neutralised as in the CSV. */
  function sheetRow (row: BatchRow): SheetValue[] {
    const values = record(row)
    return columns.map((column) => {
      const value = values[column.name] ?? null
      if (value === null) return null
      // To the second, as the CSV has it (and as a spreadsheet shows it).
      if (column.kind === 'time') return new Date(Math.floor(Date.parse(value as string) / 1000) * 1000)
      if (typeof value === 'string') return neutralise(value)
      return value as number | boolean
    })
  }

  /**
   * The signatures matching the filters, in id order, a batch at a time: the application holds a few
   * batches, never a million rows. Where each batch ends is found first with a cheap index-only query;
   * fetching (and formatting, by `format`) then runs for `parallel` batches at once.
   */
  async function * batches<T> (appeal: Appeal, filters: AdminFilters, select: SQL, format: (rows: BatchRow[]) => T): AsyncGenerator<T> {
    const where = and(...adminFilterConditions(appeal.id, filters, options.keys))
    const lastIdOfBatch = async (afterId: number): Promise<number | undefined> => {
      const [row] = await selectRows<{ id: number }>(db, sql`select ${s.id}::float8 as id from ${s}
        where ${where} and ${s.id} > ${afterId}::bigint order by ${s.id} offset ${batchSize - 1} limit 1`)
      return row?.id
    }
    const fetched = async (afterId: number, upToId: number | undefined): Promise<{ size: number, formatted: T }> => {
      const upTo = upToId === undefined ? sql`` : sql` and ${s.id} <= ${upToId}::bigint`
      const rows = await selectRows<BatchRow>(db, sql`
        select ${select}, ${s.sealed} as sealed, ${s.legacyEmail} as "legacyEmail", ${s.name} as name, ${s.city} as city,
          ${s.organisation} as organisation, ${s.role} as role
        from ${s} where ${where} and ${s.id} > ${afterId}::bigint${upTo} order by ${s.id}`)
      return { size: rows.length, formatted: format(rows) }
    }
    const pending: Array<Promise<{ size: number, formatted: T }>> = []
    let afterId: number | undefined = 0
    while (afterId !== undefined || pending.length > 0) {
      while (afterId !== undefined && pending.length < parallel) {
        const upTo: number | undefined = await lastIdOfBatch(afterId)
        const batch = fetched(afterId, upTo)
        // Awaited in its turn below; until then a failure must not count as unhandled (it would end the process).
        batch.catch(() => {})
        pending.push(batch)
        afterId = upTo
      }
      const { size, formatted } = await pending.shift()!
      if (size > 0) yield formatted
    }
  }

  return {
    async * csv (appeal: Appeal, filters: AdminFilters, separator: CsvSeparator = 'comma'): AsyncGenerator<string> {
      const character = csvSeparators[separator]
      // The byte-order mark lets spreadsheet programs recognise UTF-8 (names in Greek, Arabic, Spanish).
      yield '\uFEFF' + sheetColumns.join(character) + '\r\n'
      yield * batches(appeal, filters, csvSelects[separator], (rows) => {
        let text = ''
        for (const row of rows) text += csvLine(row, character) + '\r\n'
        return text
      })
    },

    ndjson (appeal: Appeal, filters: AdminFilters): AsyncGenerator<string> {
      return batches(appeal, filters, jsonSelect, (rows) => {
        let text = ''
        for (const row of rows) text += JSON.stringify(record(row)) + '\n'
        return text
      })
    },

    /** The rows of the XLSX export (src/exports/xlsx.ts writes them), a batch at a time. */
    sheetRows (appeal: Appeal, filters: AdminFilters): AsyncGenerator<SheetValue[][]> {
      return batches(appeal, filters, jsonSelect, (rows) => rows.map(sheetRow))
    }
  }
}

export type ExportsService = ReturnType<typeof createExportsService>
