import { and, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Appeal } from '../appeals/service.js'
import { selectRaw, selectRows, type Database } from '../db/connection.js'
import { signatures as s } from '../db/schema.js'
import type { Keys } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'
import type { PersonalFields } from '../signatures/personal-fields.js'
import { adminFilterConditions, type AdminFilters } from '../signatures/admin-search.js'
import { storedFields, type Batch, type Piece, type SheetValue, type StoredField } from './format-batch.js'
import { collectYoung } from './collect.js'
import { createFormatPool } from './format-pool.js'

// The export formats what it can in PostgreSQL and what it must in the application. Every column but
// the personal ones (sealed under DATA_KEY, which the database never sees) is formatted by PostgreSQL:
// each run of them into one finished piece of the CSV line. The application opens the sealed fields
// and puts each line together, on worker threads (format-pool.ts). Rows come a batch at a time, in id
// order, one more batch in flight than there are workers, and the next is fetched only as the client
// takes the bytes: the export holds a few batches whatever its size.

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

export { csvCell, neutralise } from './format-batch.js'

// The CSV line as pieces: runs of columns PostgreSQL formats (each one finished piece of the line) and the
// personal fields between them.
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
// The stored personal fields each row brings along, for the application to open.
const stored: Record<StoredField, AnyPgColumn> = {
  sealed: s.sealed, legacyEmail: s.legacyEmail, name: s.name, city: s.city, organisation: s.organisation, role: s.role
}
// A CSV batch is a JSON array of arrays, built by PostgreSQL from a text array a row: the pieces, then the
// stored fields (format-batch.js reads them in that order). Measured on 200,000 rows, array_to_json of
// the rows' arrays took 384 ms where json_agg of an object a row took 727 ms (the names of its keys written
// again on every row, each value's type looked up again), and the text came out 28 % shorter.
const csvAggregates = Object.fromEntries(Object.entries(csvSeparators).map(([name, separator]) => [name, sql`array_to_json(array_agg(array[${sql.join([
  ...pieceCells.map((cells) => sql.join(cells, sql.raw(` || '${separator}' || `))),
  ...storedFields.map((field) => sql`${stored[field]}::text`)
], sql`, `)}] order by ${s.id}))`])) as Record<CsvSeparator, SQL>
// The NDJSON's and the XLSX's batches: an object a row, its columns' values (personal ones as nulls the
// application fills in) under `object`, beside the stored fields.
const jsonAggregate = sql`json_agg(json_build_object('object', json_build_object(${sql.join(columns.map((c) => c.kind === 'personal' ? sql`${c.name}::text, null` : sql`${c.name}::text, ${c.value}`), sql`, `)}),
  ${sql.join(storedFields.map((field) => sql`${field}::text, ${stored[field]}`), sql`, `)}) order by ${s.id})`

export type { SheetValue }

const decoder = new TextDecoder()
const textOf = (value: Uint8Array | string): string => typeof value === 'string' ? value : decoder.decode(value)

/** `workers`: how many threads open the sealed fields (0: the process itself). */
export function createExportsService (db: Database, options: { sealer: Sealer, keys: Keys, workers: number, batchSize?: number }) {
  const batchSize = options.batchSize ?? 5000
  // While the workers format a batch each, the main thread fetches the next.
  const parallel = options.workers + 1
  const pool = createFormatPool({
    size: options.workers, dataKeys: options.sealer.dataKeys,
    layout: { pieces, columns: columns.map((c) => ({ name: c.name, kind: c.kind })) }
  })

  /**
   * The signatures matching the filters, in id order, a batch at a time: the application holds a few
   * batches, never a million rows. Where each batch ends is found first with a cheap index-only query;
   * fetching (and formatting, by `format`) then runs for `parallel` batches at once.
   */
  async function * batches<T> (appeal: Appeal, filters: AdminFilters, aggregate: SQL, format: (batch: Batch) => Promise<T>): AsyncGenerator<T> {
    const where = and(...adminFilterConditions(appeal.id, filters, options.keys))
    // The rows there when the export starts: up to the highest id matching then, so that rows signed
    // while it runs (for minutes, at a million rows) do not make it longer than it was asked to be.
    const [{ last } = { last: null }] = await selectRows<{ last: number | null }>(db, sql`select max(${s.id})::float8 as last from ${s} where ${where}`)
    if (last === null) return
    const lastIdOfBatch = async (afterId: number): Promise<number> => {
      const [row] = await selectRows<{ id: number }>(db, sql`select ${s.id}::float8 as id from ${s}
        where ${where} and ${s.id} > ${afterId}::bigint and ${s.id} <= ${last}::bigint order by ${s.id} offset ${batchSize - 1} limit 1`)
      return row?.id ?? last
    }
    // A batch comes as one JSON text (an array of its rows), as the bytes PostgreSQL sent (selectRaw): the
    // main thread hands them to a worker as they are, neither decoding them into a string nor making
    // thousands of rows' objects here to be copied over and left for the collector (which let a million-row
    // export's memory grow by hundreds of MB).
    const fetched = async (afterId: number, upToId: number): Promise<{ size: number, formatted: T }> => {
      const [row] = await selectRaw(db, sql`
        select count(*)::int as size, ${aggregate}::text as batch
        from ${s} where ${where} and ${s.id} > ${afterId}::bigint and ${s.id} <= ${upToId}::bigint`)
      const [size, batch] = row ?? []
      return batch == null ? { size: 0, formatted: undefined as T } : { size: Number(textOf(size ?? '0')), formatted: await format(batch) }
    }
    const pending: Array<Promise<{ size: number, formatted: T }>> = []
    let afterId = 0
    while (afterId < last || pending.length > 0) {
      while (afterId < last && pending.length < parallel) {
        const upTo = await lastIdOfBatch(afterId)
        const batch = fetched(afterId, upTo)
        // Awaited in its turn below; until then a failure must not count as unhandled (it would end the process).
        batch.catch(() => {})
        pending.push(batch)
        afterId = upTo
      }
      const { size, formatted } = await pending.shift()!
      if (size > 0) yield formatted
      // What went through is garbage, most of it outside the heap: freed at once (collect.ts).
      collectYoung()
    }
  }

  return {
    async * csv (appeal: Appeal, filters: AdminFilters, separator: CsvSeparator = 'comma'): AsyncGenerator<Buffer> {
      const character = csvSeparators[separator]
      // The byte-order mark lets spreadsheet programs recognise UTF-8 (names in Greek, Arabic, Spanish).
      yield Buffer.from('\uFEFF' + sheetColumns.join(character) + '\r\n')
      yield * batches(appeal, filters, csvAggregates[separator], async (batch) => pool.csv(batch, character))
    },

    ndjson (appeal: Appeal, filters: AdminFilters): AsyncGenerator<Buffer> {
      return batches(appeal, filters, jsonAggregate, pool.ndjson)
    },

    /** The rows of the XLSX export (src/exports/xlsx.ts writes them), a batch at a time. */
    sheetRows (appeal: Appeal, filters: AdminFilters): AsyncGenerator<SheetValue[][]> {
      return batches(appeal, filters, jsonAggregate, pool.sheet)
    },

    /** How many worker threads are running. */
    get workers (): number { return pool.running },

    /** Ends the worker threads (on the app's close). */
    close: pool.close
  }
}

export type ExportsService = ReturnType<typeof createExportsService>
