import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import t from 'tap'
import { decodeText, uploadAsCsv } from '../../src/imports/read-upload.js'
import { guessMapping, readCsv } from '../../src/imports/service.js'
import { eachDatabase, json } from '../helpers/app.js'
import { decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser, signatureRows } from '../helpers/fixtures.js'

// Sheets as organisers bring them back from a meeting: names in Spanish, Greek and Arabic, no emails,
// a Spanish Excel's Windows-1252 CSV with semicolons, and an .xlsx with titles in Greek and Arabic.

const hiddenCsv = (body: string): string => decodeHtml(/<input type="hidden" name="csv" value="([^"]*)">/.exec(body)?.[1] ?? '')

const NO_EMAIL = [
  'Name,Country,City',
  'Tomás Ibáñez,Spain,Córdoba',
  'Γιώργος Παπαδόπουλος,GR,Αθήνα',
  'فاطمة الزهراء,Egypt,القاهرة',
  'Nobody Knows,Atlantis,',
  'IBÁÑEZ Tomás,ES,',
  ',VE,Caracas'
].join('\n')

const SPANISH_EXCEL = iconv.encode([
  'Nombre;Correo electrónico;País;Ciudad',
  'Tomás Ibáñez;tomas@example.org;España;Córdoba',
  'Begoña Muñoz;no-es-un-correo;España;Logroño',
  'José Güemes;jose@example.org;Perú;Cuzco',
  'Iñaki Aldecoa;;País Vasco;Bilbao'
].join('\r\n') + '\r\n', 'windows-1252')

async function workbook (): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('Υπογραφές')
  sheet.addRow(['Ονοματεπώνυμο', 'البلد', 'Πόλη', 'Email'])
  sheet.addRow(['Ελένη Κωνσταντίνου', 'Ελλάδα', 'Θεσσαλονίκη', 'eleni@example.org'])
  sheet.addRow(['محمد عبد الله', 'مصر', 'الإسكندرية', ''])
  sheet.addRow(['Ramón Núñez', 'Narnia', 'Sevilla', ''])
  sheet.addRow(['Γιώργος Παπαδόπουλος', 'GR', '', ''])
  return Buffer.from(await book.xlsx.writeBuffer())
}

t.test('files are decoded whatever their encoding, and workbooks read, before the columns are guessed in any language', async (t) => {
  const decoded = decodeText(SPANISH_EXCEL)
  t.equal(decoded.encoding, 'windows-1252')
  t.match(decoded.text, /Begoña Muñoz;no-es-un-correo;España;Logroño/)
  t.same(guessMapping(readCsv(decoded.text).header), ['name', 'email', 'country', 'city'])
  t.equal(decodeText(Buffer.concat([Buffer.from([0xFF, 0xFE]), iconv.encode('Nombre\tPaís\nAna\tVE\n', 'utf-16le')])).text, 'Nombre\tPaís\nAna\tVE\n', 'UTF-16 with its mark')
  const xlsx = await uploadAsCsv(await workbook())
  t.equal(xlsx.format, 'xlsx')
  const table = readCsv(xlsx.text)
  t.same(guessMapping(table.header), ['name', 'country', 'city', 'email'], 'Greek and Arabic titles')
  t.same(table.rows.map((r) => r.line), [2, 3, 4, 5], 'lines as in the sheet')
  t.same(table.rows[1]?.cells, ['محمد عبد الله', 'مصر', 'الإسكندرية', ''])
  t.same(guessMapping(['الاسم', 'البريد الإلكتروني (اختياري)', 'البلد', 'Signature']), ['name', 'email', 'country', null], 'the printed sheet\'s Arabic titles')
})

t.test('a workbook\'s cells read as the sheet shows them, and a broken workbook is refused as unreadable', async (t) => {
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('Firmas')
  sheet.addRow(['Nombre', 'Correo', 'País', 'Fecha'])
  const row = sheet.addRow([])
  row.getCell(1).value = { richText: [{ text: 'Ana ' }, { font: { bold: true }, text: 'Pérez' }] }
  row.getCell(2).value = { text: 'ana@example.org', hyperlink: 'mailto:ana@example.org' }
  row.getCell(3).value = { formula: 'UPPER("ve")', result: 'VE' }
  row.getCell(4).value = new Date(Date.UTC(2026, 2, 8))
  sheet.addRow(['Luis Rojas', { error: '#N/A' }, 'VE', 7])
  const read = await uploadAsCsv(Buffer.from(await book.xlsx.writeBuffer()))
  t.same(readCsv(read.text).rows.map((r) => r.cells), [
    ['Ana Pérez', 'ana@example.org', 'VE', '2026-03-08'],
    ['Luis Rojas', '', 'VE', '7']
  ], 'rich text joined, a link by its text, a formula by its result, a date as a day, an error cell empty')

  const broken = Buffer.concat([Buffer.from([0x50, 0x4B, 0x03, 0x04]), Buffer.from('not really a workbook')])
  await t.rejects(uploadAsCsv(broken), { code: 'IMPORT_UNREADABLE' }, 'a zip that is no workbook is unreadable, not a crash')
})

eachDatabase(t, 'paper sheets without emails, from a Spanish Excel and from a workbook: every character right, bad rows by line, duplicates flagged, rejected rows re-imported', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const b = await signedInBrowser(app, owner)
  const url = `/admin/appeals/${slug}/import`

  // 1. A sheet with no email column at all.
  const checked = await b.upload(url, { action: 'read' }, { name: 'sheet.csv', field: 'file', content: NO_EMAIL })
  t.equal(checked.statusCode, 200)
  t.match(checked.body, /4 rows will be imported/)
  t.match(checked.body, /2 rows have errors/)
  t.match(checked.body, /Line 5: Country: Choose a country from the list/, 'the bad country reported by its line')
  t.match(checked.body, /Line 7: Name: This field is required/, 'the missing name reported by its line')
  t.match(checked.body, /<tr class="row-duplicate"><th scope="row">6<\/th><td[^>]*>Possible duplicate: same name and country as line 2/, 'same name, other order and case: flagged')
  const done = await b.post(url, { action: 'import', csv: hiddenCsv(checked.body), column0: 'name', column1: 'country', column2: 'city' })
  t.match(done.body, /4 signatures were imported/)
  t.match(done.body, /1 possible duplicate/)
  let rows = await signatureRows(app)
  t.same(rows.map((r) => r.name), ['Tomás Ibáñez', 'Γιώργος Παπαδόπουλος', 'فاطمة الزهراء', 'IBÁÑEZ Tomás'])
  t.same(rows.map((r) => r.city), ['Córdoba', 'Αθήνα', 'القاهرة', null])
  t.ok(rows.every((r) => r.email === null && r.emailHash === null && r.status === 'confirmed' && r.source === 'import'), 'no email, confirmed by the import')
  t.same(rows.map((r) => r.country), ['ES', 'GR', 'EG', 'ES'])
  t.ok(rows.every((r) => r.public === false && r.nameWords !== null), 'private names, indexed blind')
  t.equal(json(await app.inject({ url: `/api/appeals/${slug}/stats` })).signatures, 4, 'they count')

  // An imported private name is found again by any of its words, accents or not; only whole words.
  const found = json(await app.inject({ url: `/api/admin/appeals/${slug}/signatures?q=ibanez`, headers: owner.auth }))
  t.same(found.items.map((s: { name: string }) => s.name).sort(), ['IBÁÑEZ Tomás', 'Tomás Ibáñez'])
  t.same(json(await app.inject({ url: `/api/admin/appeals/${slug}/signatures?q=${encodeURIComponent('Παπαδόπουλος')}`, headers: owner.auth })).items.map((s: { name: string }) => s.name), ['Γιώργος Παπαδόπουλος'])
  t.same(json(await app.inject({ url: `/api/admin/appeals/${slug}/signatures?q=iba`, headers: owner.auth })).items, [], 'no partial words: the index holds whole words only')
  t.match((await b.get(`/admin/appeals/${slug}/signatures?q=${encodeURIComponent('الزهراء')}`)).body, /فاطمة الزهراء/, 'found from the dashboard too')

  // 2. A Windows-1252 CSV with semicolons, as a Spanish Excel saves it.
  const spanish = await b.upload(url, { action: 'read' }, { name: 'firmas.csv', field: 'file', content: SPANISH_EXCEL })
  t.match(spanish.body, /Line 3: Email address: Enter a valid email address/)
  t.match(spanish.body, /Line 5: Country: Choose a country from the list/)
  t.notMatch(spanish.body, /<tr class="row-duplicate"><th scope="row">2<\/th>/, 'a row with an email is matched by its email, not its name')
  const spanishCsv = hiddenCsv(spanish.body)
  t.match(spanishCsv, /Begoña Muñoz;no-es-un-correo;España;Logroño/, 'decoded once, carried on as text')
  const spanishDone = await b.post(url, { action: 'import', csv: spanishCsv, column0: 'name', column1: 'email', column2: 'country', column3: 'city' })
  t.match(spanishDone.body, /2 signatures were imported/)

  // The rejected rows, as a file to fix: same columns, the problem last; corrected, it imports.
  const rejected = await b.post(url, { action: 'rejected', csv: spanishCsv, column0: 'name', column1: 'email', column2: 'country', column3: 'city' })
  t.equal(rejected.statusCode, 200)
  t.match(rejected.headers['content-type'], /^text\/csv/)
  t.match(rejected.headers['content-disposition'], /attachment; filename=".*rejected-rows\.csv"/)
  const lines = rejected.body.replace(/^\uFEFF/, '').trim().split('\r\n')
  t.same(lines[0], '"Nombre","Correo electrónico","País","Ciudad","Check"')
  t.match(lines[1], /^"Begoña Muñoz","no-es-un-correo","España","Logroño","Email address: Enter a valid email address/)
  t.match(lines[2], /^"Iñaki Aldecoa","","País Vasco","Bilbao","Country: Choose a country from the list/)
  t.equal(lines.length, 3)
  const fixed = rejected.body.replace('no-es-un-correo', 'begona@example.org').replace('País Vasco', 'ES')
  const again = await b.upload(url, { action: 'read' }, { name: 'rejected-rows.csv', field: 'file', content: fixed })
  t.same(/<option value="([a-z]*)" selected>/g.exec(again.body)?.[1], 'name', 'the file\'s own titles are recognised again')
  t.match(again.body, /2 rows will be imported/)
  t.match(again.body, /0 rows have errors/)
  const reimported = await b.post(url, { action: 'import', csv: hiddenCsv(again.body), column0: 'name', column1: 'email', column2: 'country', column3: 'city' })
  t.match(reimported.body, /2 signatures were imported/)
  rows = await signatureRows(app)
  t.same(rows.slice(4).map((r) => [r.name, r.email, r.country, r.city]), [
    ['Tomás Ibáñez', 'tomas@example.org', 'ES', 'Córdoba'],
    ['José Güemes', 'jose@example.org', 'PE', 'Cuzco'],
    ['Begoña Muñoz', 'begona@example.org', 'ES', 'Logroño'],
    ['Iñaki Aldecoa', null, 'ES', 'Bilbao']
  ])

  // 3. An .xlsx with Greek and Arabic titles and names.
  const xlsx = await b.upload(url, { action: 'read' }, { name: 'sheet.xlsx', field: 'file', content: await workbook(), type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
  t.equal(xlsx.statusCode, 200)
  t.match(xlsx.body, /Line 4: Country: Choose a country from the list/)
  t.match(xlsx.body, /<tr class="row-duplicate"><th scope="row">5<\/th><td[^>]*>Possible duplicate: same name and country as a paper signature already imported/, 'flagged against the appeal')
  const xlsxDone = await b.post(url, { action: 'import', csv: hiddenCsv(xlsx.body), column0: 'name', column1: 'country', column2: 'city', column3: 'email' })
  t.match(xlsxDone.body, /3 signatures were imported/)
  rows = await signatureRows(app)
  t.same(rows.slice(8).map((r) => [r.name, r.email, r.country, r.city]), [
    ['Ελένη Κωνσταντίνου', 'eleni@example.org', 'GR', 'Θεσσαλονίκη'],
    ['محمد عبد الله', null, 'EG', 'الإسكندرية'],
    ['Γιώργος Παπαδόπουλος', null, 'GR', null]
  ])
})

eachDatabase(t, 'the preview shows every row, a page at a time', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const b = await signedInBrowser(app, owner)
  const sheet = ['Name;Country', ...Array.from({ length: 119 }, (_v, i) => i === 111 ? 'Broken Row;Nowhere' : `Person ${i + 2};VE`)].join('\n')
  const first = await b.upload(`/admin/appeals/${slug}/import`, { action: 'read' }, { name: 's.csv', field: 'file', content: sheet })
  t.match(first.body, /Rows 1 to 50 of 119 \(page 1 of 3\)/)
  t.match(first.body, /Line 113: Country: Choose a country from the list/, 'a problem far down is in the summary at once')
  const third = await b.post(`/admin/appeals/${slug}/import`, { action: 'check', page: '2', csv: hiddenCsv(first.body), column0: 'name', column1: 'country' })
  t.match(third.body, /Rows 101 to 119 of 119 \(page 3 of 3\)/)
  t.match(third.body, /<tr class="row-error"><th scope="row">113<\/th><td[^>]*>Country: Choose a country from the list/)
  t.notMatch(third.body, /<th scope="row">50<\/th>/)
})
