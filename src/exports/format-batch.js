import { openPersonalWith } from '../signatures/open-personal.js'

// A batch of the export's rows as the finished CSV or NDJSON text, or as the XLSX's rows: the work per
// row (opening the sealed fields, then the line), done by the export's worker threads
// (format-worker.js) or, with none, in the process itself. Plain JavaScript needing only Node's
// built-ins, so that a worker loads it as it is, from src/ under the tests and from dist/ in production.

/**
 * @typedef {'email' | 'name' | 'city' | 'organisation' | 'role'} PersonalName
 * @typedef {{ sql: string } | { personal: PersonalName }} Piece
 * @typedef {{ name: string, kind: 'text' | 'plain' | 'time' | 'personal' }} Column
 * @typedef {{ pieces: Piece[], columns: Column[] }} Layout
 * @typedef {import('../signatures/open-personal.js').StoredFields & { object?: Record<string, unknown>, [piece: string]: unknown }} BatchRow
 * @typedef {string | number | boolean | Date | null} SheetValue
 * @typedef {string | Uint8Array} Batch A batch's rows as one JSON text: a string, or its bytes in UTF-8 as PostgreSQL sent them.
 */

const decoder = new TextDecoder()

/**
 * The stored personal fields a row of a CSV batch ends with, in this order, after its pieces.
 * @typedef {'sealed' | 'legacyEmail' | 'name' | 'city' | 'organisation' | 'role'} StoredField
 * @type {readonly StoredField[]}
 */
export const storedFields = ['sealed', 'legacyEmail', 'name', 'city', 'organisation', 'role']

/**
 * Text a spreadsheet would run as a formula gets a leading apostrophe (as OWASP recommends).
 * @param {string} value
 * @returns {string}
 */
export function neutralise (value) {
  return /^[=+\-@\t\r]/.test(value) ? "'" + value : value
}

/**
 * A CSV cell as solidaria_csv_cell (migrations/0001, made to quote semicolons too by the webhooks
 * migration) writes it: RFC 4180 quoting, formulas neutralised. A cell with either separator is quoted,
 * so one line is right with both.
 * @param {string | null} value
 * @returns {string}
 */
export function csvCell (value) {
  if (value === null) return ''
  const safe = neutralise(value)
  return /[",;\n\r]/.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe
}

/**
 * @param {(sealed: string) => string} open
 * @param {Layout} layout
 */
export function createBatchFormatter (open, { pieces, columns }) {
  /**
   * @param {BatchRow} row
   * @returns {Record<string, unknown>}
   */
  const record = (row) => Object.assign(row.object ?? {}, openPersonalWith(open, row))
  /**
   * A batch's rows: one JSON text, an array of objects (exports/service.ts).
   * @param {Batch} batch
   * @returns {BatchRow[]}
   */
  const rowsOf = (batch) => JSON.parse(typeof batch === 'string' ? batch : decoder.decode(batch))
  // How many of a CSV row's values are pieces PostgreSQL wrote (the stored fields follow them).
  const sqlPieces = pieces.filter((piece) => 'sql' in piece).length
  return {
    /**
     * @param {Batch} batch
     * @param {string} separator
     * @returns {string}
     */
    csv (batch, separator) {
      let text = ''
      // A row is an array: the pieces PostgreSQL wrote, in order, then the stored fields (storedFields).
      for (const row of /** @type {Array<Array<string | null>>} */ (/** @type {unknown} */ (rowsOf(batch)))) {
        /** @type {Record<string, string | null>} */
        const kept = {}
        for (let i = 0; i < storedFields.length; i++) kept[/** @type {StoredField} */ (storedFields[i])] = row[sqlPieces + i] ?? null
        const fields = openPersonalWith(open, /** @type {import('../signatures/open-personal.js').StoredFields} */ (/** @type {unknown} */ (kept)))
        let line = ''
        let next = 0
        for (let i = 0; i < pieces.length; i++) {
          const piece = /** @type {Piece} */ (pieces[i])
          if (i > 0) line += separator
          line += 'sql' in piece ? row[next++] ?? '' : csvCell(fields[piece.personal])
        }
        text += line + '\r\n'
      }
      return text
    },

    /**
     * @param {Batch} batch
     * @returns {string}
     */
    ndjson (batch) {
      let text = ''
      for (const row of rowsOf(batch)) text += JSON.stringify(record(row)) + '\n'
      return text
    },

    /**
     * The XLSX export's rows: the NDJSON record's values, times as dates, text neutralised as in the CSV.
     * @param {Batch} batch
     * @returns {SheetValue[][]}
     */
    sheet (batch) {
      return rowsOf(batch).map((row) => {
        const values = record(row)
        return columns.map((column) => {
          const value = values[column.name] ?? null
          if (value === null) return null
          // To the second, as the CSV has it (and as a spreadsheet shows it).
          if (column.kind === 'time') return new Date(Math.floor(Date.parse(/** @type {string} */ (value)) / 1000) * 1000)
          if (typeof value === 'string') return neutralise(value)
          return /** @type {number | boolean} */ (value)
        })
      })
    }
  }
}
