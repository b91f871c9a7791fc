import { sql } from 'drizzle-orm'
import t from 'tap'
import { selectRows } from '../../src/db/connection.js'
import { csvCell } from '../../src/exports/service.js'
import { eachDatabase } from '../helpers/app.js'

// The export's text cells are written by solidaria_csv_cell (migrations/0001), and the sealed ones by csvCell
// (src/exports/service.ts) once opened: RFC 4180 quoting, and
// a leading apostrophe on text a spreadsheet would run as a formula.
const cases: Array<[string | null, string, string]> = [
  [null, '', 'null is an empty cell'],
  ['', '', 'empty text is an empty cell'],
  ['Ana Pérez', 'Ana Pérez', 'plain text as it is'],
  ['a b\u200Bc', 'a b\u200Bc', 'invisible characters untouched'],
  ['Ελληνικά العربية', 'Ελληνικά العربية', 'any script as it is'],
  ['Smith, John', '"Smith, John"', 'a comma is quoted'],
  ['say "hi"', '"say ""hi"""', 'quotes are doubled inside quotes'],
  ['"', '""""', 'a lone quote'],
  ['a;b', '"a;b"', 'a semicolon is quoted, so one line is right with either separator'],
  ['line\nbreak', '"line\nbreak"', 'a line feed is quoted'],
  ['line\r\nbreak', '"line\r\nbreak"', 'CRLF is quoted'],
  ['carriage\rreturn', '"carriage\rreturn"', 'a carriage return is quoted'],
  ["it's fine", "it's fine", 'an apostrophe needs no quoting'],
  ['=1+2', "'=1+2", 'starting with ='],
  ['+1', "'+1", 'starting with +'],
  ['-2', "'-2", 'text that looks like a negative number'],
  ['@SUM(A1)', "'@SUM(A1)", 'starting with @'],
  ['=', "'=", 'just ='],
  ['\tcmd', "'\tcmd", 'a leading tab'],
  ['\rcmd', '"\'\rcmd"', 'a leading carriage return: neutralised, then quoted'],
  ['=HYPERLINK("http://evil")', '"\'=HYPERLINK(""http://evil"")"', 'neutralised, then quoted'],
  ['=1,2', '"\'=1,2"', 'neutralised, then quoted for the comma'],
  ['a=b', 'a=b', 'only the first character matters'],
  [' =1', ' =1', 'a leading space is not a formula start']
]

eachDatabase(t, 'text cells are quoted and neutralised as RFC 4180 and OWASP ask', async (t, { app }) => {
  for (const [value, expected, why] of cases) {
    const [row] = await selectRows<{ cell: string }>(app.db, sql`select solidaria_csv_cell(${value}::text) as cell`)
    t.equal(row?.cell, expected, why)
  }
})

t.test('the application writes the personal cells (opened from their seal) exactly as the database writes the others', async (t) => {
  for (const [value, expected, why] of cases) t.equal(csvCell(value), expected, why)
})
