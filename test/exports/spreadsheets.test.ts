import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { eq } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import t from 'tap'
import { signatures } from '../../src/db/schema.js'
import { build } from '../helpers/app.js'
import { appeal, idOf, organiser, person, sign } from '../helpers/fixtures.js'

// What spreadsheet programs make of the exports: the XLSX read back with exceljs, and both the CSV and
// the XLSX converted by LibreOffice (Debian's libreoffice-calc-nogui), whose dates must come back as dates.

const run = promisify(execFile)
const SOFFICE = process.env.SOFFICE_PATH ?? '/usr/bin/soffice'
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

const people = [
  { name: 'Ana Pérez', email: 'ana@example.org', at: '2026-01-01T20:30:57.982Z' },
  { name: 'Νίκος Παπαδόπουλος', email: 'nikos@example.org', at: '2026-02-01T00:00:00.000Z' },
  { name: 'ليلى حداد', email: 'layla@example.org', at: '2026-03-15T08:05:09.000Z' },
  { name: '=HYPERLINK("http://evil")', email: 'evil@example.org', at: '2026-04-30T23:59:59.000Z' },
  { name: 'Smith; "Red" John, Jr', email: 'smith@example.org', at: '2026-05-01T12:00:00.000Z' }
]
const sheetTime = (at: string): string => at.slice(0, 19)

/** The cells of each row of a flat ODS (LibreOffice's XML) document: a date cell as its date-value, others as their text. */
function fodsRows (xml: string): string[][] {
  const rows: string[][] = []
  for (const row of xml.split('<table:table-row').slice(1)) {
    const cells: string[] = []
    for (const match of row.matchAll(/<table:table-cell([^>]*?)(?:\/>|>(.*?)<\/table:table-cell>)/gs)) {
      const attributes = match[1] ?? ''
      const repeated = Number(/table:number-columns-repeated="(\d+)"/.exec(attributes)?.[1] ?? 1)
      const date = /office:value-type="date"[^>]*office:date-value="([^"]+)"/.exec(attributes)?.[1]
      const text = [...(match[2] ?? '').matchAll(/<text:p>(.*?)<\/text:p>/gs)].map((p) => p[1]).join('\n')
      // A time at midnight is written as its date alone.
      const value = date !== undefined ? `date:${date.includes('T') ? date : `${date}T00:00:00`}` : text.replace(/&quot;/g, '"').replace(/&apos;/g, '\'').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
      for (let i = 0; i < Math.min(repeated, 50); i++) cells.push(value)
    }
    if (cells.some((cell) => cell !== '')) rows.push(cells)
  }
  return rows
}

t.test('exports open in spreadsheets: times as dates, every script, formulas neutralised, the filters kept', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (const who of people) {
    const country = who.email === 'smith@example.org' ? 'GB' : 'VE'
    t.equal((await sign(app, slug, person({ name: who.name, email: who.email, country }))).statusCode, 201)
  }
  for (const who of people) {
    const at = new Date(who.at)
    await app.db.update(signatures).set({ createdAt: at, confirmedAt: at }).where(eq(signatures.id, await idOf(app, who.email)))
  }
  const fetch = async (path: string) => app.inject({ url: `/api/admin/appeals/${slug}/${path}`, headers: owner.auth })

  const csv = await fetch('export.csv')
  t.equal(csv.statusCode, 200)
  const csvLines = csv.body.replace(/^\uFEFF/, '').split('\r\n')
  t.match(csvLines[0], /,createdAtUtc,confirmedAtUtc,erasedAtUtc,anonymisedAtUtc,/, 'the time columns say their zone')
  t.match(csvLines[1], /,2026-01-01 20:30:57,2026-01-01 20:30:57,,,/, 'times as YYYY-MM-DD HH:MM:SS')
  const semicolon = await fetch('export.csv?separator=semicolon')
  t.equal(semicolon.statusCode, 200)
  const semicolonLines = semicolon.body.replace(/^\uFEFF/, '').split('\r\n')
  t.equal(semicolonLines[0], csvLines[0]?.replace(/,/g, ';'), 'the same header with semicolons')
  t.ok(semicolonLines.some((line) => line.includes(';"Smith; ""Red"" John, Jr";')), 'a cell holding a separator is quoted')
  t.equal((await fetch('export.csv?separator=tab')).statusCode, 400)

  const xlsx = await fetch('export.xlsx')
  t.equal(xlsx.statusCode, 200)
  t.equal(xlsx.headers['content-type'], XLSX)
  t.match(String(xlsx.headers['content-disposition']), new RegExp(`filename="${slug}-signatures-\\d{4}-\\d{2}-\\d{2}\\.xlsx"`))
  t.notOk(xlsx.headers['content-encoding'], 'a zip is not compressed again')
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
  const sheet = workbook.getWorksheet('signatures')!
  const header = (sheet.getRow(1).values as unknown[]).slice(1)
  t.same(header, csvLines[0]?.split(','), 'the CSV\'s columns')
  const column = (name: string): number => header.indexOf(name) + 1
  t.equal(sheet.rowCount, 1 + people.length)
  for (const [i, who] of people.entries()) {
    const row = sheet.getRow(i + 2)
    const expected = who.name.startsWith('=') ? `'${who.name}` : who.name
    t.equal(row.getCell(column('name')).value, expected, `${who.email}: the name, neutralised where it is a formula`)
    t.equal(row.getCell(column('email')).value, who.email)
    const created = row.getCell(column('createdAtUtc')).value
    t.ok(created instanceof Date, 'a time is a date cell')
    t.equal((created as Date).toISOString().slice(0, 19), sheetTime(who.at), 'in UTC, to the second')
    t.equal(row.getCell(column('createdAtUtc')).numFmt, 'yyyy-mm-dd hh:mm:ss')
    t.equal(row.getCell(column('public')).value, true, 'yes/no as a boolean')
    t.equal(row.getCell(column('erasedAtUtc')).value, null, 'nothing as an empty cell')
  }
  const filtered = new ExcelJS.Workbook()
  await filtered.xlsx.load((await fetch('export.xlsx?country=GB')).rawPayload as unknown as ArrayBuffer)
  t.equal(filtered.getWorksheet('signatures')!.rowCount, 2, 'the filters apply')
  t.equal(filtered.getWorksheet('signatures')!.getRow(2).getCell(column('email')).value, 'smith@example.org')
  const stranger = await app.inject({ url: `/api/admin/appeals/${slug}/export.xlsx`, headers: (await organiser(app)).auth })
  t.equal(stranger.statusCode, 404, 'another organiser gets nothing')

  t.test('LibreOffice reads the dates of the CSV and the XLSX as dates', async (t) => {
    if (!existsSync(SOFFICE)) {
      const reason = `LibreOffice is not at ${SOFFICE}: apt-get install -y libreoffice-calc-nogui (or set SOFFICE_PATH)`
      if (process.env.REQUIRE_BROWSER === '1') throw new Error(`${reason}; REQUIRE_BROWSER=1 makes that a failure`)
      t.plan(0, reason)
      return
    }
    const dir = t.testdir()
    writeFileSync(join(dir, 'comma.csv'), csv.rawPayload)
    writeFileSync(join(dir, 'sheet.xlsx'), xlsx.rawPayload)
    const convert = async (files: string[], filter?: string): Promise<void> => {
      await run(SOFFICE, [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', ...(filter === undefined ? [] : [`--infilter=${filter}`]),
        '--convert-to', 'fods', '--outdir', join(dir, 'out'), ...files.map((file) => join(dir, file))], { timeout: 60_000 })
    }
    // The CSV import's options: separator, quote, UTF-8, from line 1, default cell formats, English, quoted
    // cells not forced to text, special numbers (dates) detected: what the import dialogue offers by default.
    await convert(['comma.csv'], 'CSV:44,34,76,1,,1033,false,true')
    await convert(['sheet.xlsx'])
    for (const file of ['comma', 'sheet']) {
      const [head, ...rows] = fodsRows(readFileSync(join(dir, 'out', `${file}.fods`), 'utf8'))
      const created = head?.indexOf('createdAtUtc') ?? -1
      const name = head?.indexOf('name') ?? -1
      t.ok(created >= 0, `${file}: the createdAtUtc column`)
      t.equal(rows.length, people.length, `${file}: one row per signature`)
      t.same(rows.map((row) => row[created]), people.map((who) => `date:${sheetTime(who.at)}`), `${file}: every time is a date`)
      t.same(rows.map((row) => row[name]), people.map((who) => who.name.startsWith('=') ? `'${who.name}` : who.name), `${file}: names in every script, the formula as text`)
    }
  })
})
