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

type ExportColumn =
  | { name: string, personal?: undefined, value: SQL, cell: SQL }
  | { name: string, personal: keyof PersonalFields }

const text = (name: string, column: AnyPgColumn): ExportColumn => ({ name, value: sql`${column}`, cell: sql`solidaria_csv_cell(${column})` })
// Values of our own making (numbers, enums, booleans, times) never need quoting or neutralising.
const plain = (name: string, value: SQL): ExportColumn => ({ name, value, cell: sql`coalesce((${value})::text, '')` })
const personal = (name: keyof PersonalFields): ExportColumn => ({ name, personal: name })

const columns: ExportColumn[] = [
  plain('id', sql`${s.id}`), plain('kind', sql`${s.kind}`), plain('status', sql`${s.status}`),
  plain('hidden', sql`${s.hiddenAt} is not null`), personal('name'), personal('email'), text('country', s.country),
  personal('city'), personal('organisation'), personal('role'), plain('organisationType', sql`${s.organisationType}`),
  plain('members', sql`${s.members}`), plain('public', sql`${s.public}`), plain('contact', sql`${s.contact}`),
  text('consentVersion', s.consentVersion), text('locale', s.locale), plain('source', sql`${s.source}`), text('embedOrigin', s.embedOrigin),
  plain('createdAt', iso(s.createdAt)), plain('confirmedAt', iso(s.confirmedAt)), plain('erasedAt', iso(s.erasedAt)),
  plain('anonymisedAt', iso(s.anonymisedAt)), plain('notable', sql`${s.notable}`), plain('eventId', sql`${s.eventId}`)
]

export const exportColumns = columns.map((c) => c.name)

/** A CSV cell as solidaria_csv_cell (migrations/0001) writes it: RFC 4180 quoting, formulas neutralised. */
export function csvCell (value: string | null): string {
  if (value === null) return ''
  const safe = /^[=+\-@\t\r]/.test(value) ? "'" + value : value
  return /[",\n\r]/.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe
}

// The CSV line as pieces: runs of columns PostgreSQL formats (as `piece0`, `piece1`, ...) and the personal
// fields between them.
type Piece = { sql: string } | { personal: keyof PersonalFields }
const pieces: Piece[] = []
const pieceSql: SQL[] = []
for (const column of columns) {
  const last = pieces.at(-1)
  if (column.personal !== undefined) {
    pieces.push({ personal: column.personal })
  } else if (last !== undefined && 'sql' in last) {
    pieceSql[pieceSql.length - 1] = sql`${pieceSql.at(-1)} || ',' || ${column.cell}`
  } else {
    pieces.push({ sql: `piece${pieceSql.length}` })
    pieceSql.push(column.cell)
  }
}
const csvSelect = sql.join(pieceSql.map((piece, i) => sql`${piece} as ${sql.identifier(`piece${i}`)}`), sql`, `)
// The JSON object with the personal fields in their places, as nulls the application fills in.
const jsonSelect = sql`json_build_object(${sql.join(columns.map((c) => c.personal !== undefined ? sql`${c.name}::text, null` : sql`${c.name}::text, ${c.value}`), sql`, `)})::text as object`

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

export function createExportsService (db: Database, options: { sealer: Sealer, keys: Keys, batchSize?: number, parallel?: number }) {
  const batchSize = options.batchSize ?? 5000
  const parallel = options.parallel ?? 2
  const open = (row: BatchRow): PersonalFields => openPersonal(options.sealer, row)

  const formatLine = {
    csv (row: BatchRow): string {
      const fields = open(row)
      let line = ''
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i]!
        if (i > 0) line += ','
        line += 'sql' in piece ? row[piece.sql] ?? '' : csvCell(fields[piece.personal])
      }
      return line
    },
    ndjson (row: BatchRow): string {
      return JSON.stringify(Object.assign(JSON.parse(row.object ?? '{}') as Record<string, unknown>, open(row)))
    }
  }

  /**
   * The formatted lines of the signatures matching the filters, in id order, a batch at a time: the
   * application holds a few batches, never a million rows. Where each batch ends is found first with a
   * cheap index-only query; fetching and formatting then runs for `parallel` batches at once.
   */
  async function * batches (appeal: Appeal, filters: AdminFilters, format: keyof typeof formatLine): AsyncGenerator<string> {
    const where = and(...adminFilterConditions(appeal.id, filters, options.keys))
    const newline = format === 'csv' ? '\r\n' : '\n'
    const select = format === 'csv' ? csvSelect : jsonSelect
    const lastIdOfBatch = async (afterId: number): Promise<number | undefined> => {
      const [row] = await selectRows<{ id: number }>(db, sql`select ${s.id}::float8 as id from ${s}
        where ${where} and ${s.id} > ${afterId}::bigint order by ${s.id} offset ${batchSize - 1} limit 1`)
      return row?.id
    }
    const formatted = async (afterId: number, upToId: number | undefined): Promise<string> => {
      const upTo = upToId === undefined ? sql`` : sql` and ${s.id} <= ${upToId}::bigint`
      const rows = await selectRows<BatchRow>(db, sql`
        select ${select}, ${s.sealed} as sealed, ${s.legacyEmail} as "legacyEmail", ${s.name} as name, ${s.city} as city,
          ${s.organisation} as organisation, ${s.role} as role
        from ${s} where ${where} and ${s.id} > ${afterId}::bigint${upTo} order by ${s.id}`)
      let text = ''
      for (const row of rows) text += formatLine[format](row) + newline
      return text
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
