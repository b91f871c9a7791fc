import t from 'tap'
import { guessMapping, readCsv } from '../../src/imports/service.js'
import { eachDatabase, json } from '../helpers/app.js'
import { decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser, person, sign, signatureRows } from '../helpers/fixtures.js'

const hiddenCsv = (body: string): string => decodeHtml(/<input type="hidden" name="csv" value="([^"]*)">/.exec(body)?.[1] ?? '')

// A sheet from a meeting: one row with a bad email, one that signed already, one repeating an earlier row.
const SHEET = [
  'Nombre;Correo;País;Ciudad;Sindicato',
  'Juan Pérez;juan@example.org;Venezuela;Caracas;UNETE',
  'María Gómez;maria@example.org;VE;Maracay;',
  'Bad Email;not-an-email;Venezuela;;',
  'Already Signed;already@example.org;Peru;Lima;',
  'Juan Again;JUAN@example.org;VE;;',
  'Ana Silva;ana@example.org;Brasil;São Paulo;CUT'
].join('\n')

t.test('a sheet is read with its separator and its columns guessed from their titles', async (t) => {
  const table = readCsv(SHEET)
  t.same(table.header, ['Nombre', 'Correo', 'País', 'Ciudad', 'Sindicato'])
  t.same(guessMapping(table.header), ['name', 'email', 'country', 'city', 'organisation'])
  t.same(table.rows.map((r) => r.line), [2, 3, 4, 5, 6, 7], 'each row knows its line')
  t.throws(() => readCsv('name,email\n"unterminated,x@example.org\n'), { code: 'IMPORT_UNREADABLE' })
  t.throws(() => readCsv('name,email,country\n'), { code: 'IMPORT_EMPTY' })
})

eachDatabase(t, 'paper signatures: upload, map, see the errors, import the valid ones and hear of the rest', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  await sign(app, slug, person({ email: 'already@example.org', name: 'Already Signed' }))
  const target = await app.services.appeals.getPublic(slug)
  const event = await app.services.events.create(target, { title: 'Assembly in Caracas', startsAt: '2026-11-20T18:00:00Z', country: 'VE', attendance: 200 })
  const b = await signedInBrowser(app, owner)

  t.match((await b.get(`/admin/appeals/${slug}/import`)).body, /enctype="multipart\/form-data"/)
  const mapped = await b.upload(`/admin/appeals/${slug}/import`, { action: 'read', eventId: event.id }, { name: 'sheet.csv', field: 'file', content: SHEET })
  t.equal(mapped.statusCode, 200)
  t.match(mapped.body, /<option value="email" selected>/, 'columns mapped from their titles')
  t.match(mapped.body, /3 rows will be imported/)
  t.match(mapped.body, /1 row has errors/)
  t.match(mapped.body, /2 rows signed already and will be skipped/)
  t.match(mapped.body, /<tr class="row-error"><th scope="row">4<\/th>[\s\S]*?Enter a valid email address/, 'the bad row marked, with why')
  t.match(mapped.body, /<tr class="row-duplicate"><th scope="row">5<\/th>[\s\S]*?Signed already/)
  t.match(mapped.body, /<tr class="row-duplicate"><th scope="row">6<\/th>[\s\S]*?Repeats an earlier line/)
  t.equal((await signatureRows(app)).length, 1, 'reading the file writes nothing')

  const csv = hiddenCsv(mapped.body)
  t.equal(csv, SHEET, 'the file travels in the form between the steps')
  const columns = { column0: 'name', column1: 'email', column2: 'country', column3: 'city', column4: 'organisation' }
  const incomplete = await b.post(`/admin/appeals/${slug}/import`, { action: 'check', csv, eventId: event.id, ...columns, column2: '' })
  t.equal(incomplete.statusCode, 400)
  t.match(incomplete.body, /Choose the columns that hold the name and the country/)

  const done = await b.post(`/admin/appeals/${slug}/import`, { action: 'import', csv, eventId: event.id, ...columns })
  t.equal(done.statusCode, 200)
  t.match(done.body, /3 signatures were imported/)
  t.match(done.body, /Line 5: already@example\.org signed already/, 'the duplicate reported by line')
  t.match(done.body, /Line 6: juan@example\.org signed already/)
  t.match(done.body, /Line 4: Email address: Enter a valid email address/, 'the bad row reported by line')
  const rows = await signatureRows(app)
  const imported = rows.filter((r) => r.source === 'import')
  t.same(imported.map((r) => r.email).sort(), ['ana@example.org', 'juan@example.org', 'maria@example.org'])
  t.ok(imported.every((r) => r.eventId === event.id && r.status === 'confirmed' && r.ipHash === null), 'confirmed, from the event, with no address')
  t.match(imported.find((r) => r.email === 'juan@example.org'), { name: 'Juan Pérez', country: 'VE', city: 'Caracas', organisation: 'UNETE' })
  t.equal(imported.find((r) => r.email === 'ana@example.org')?.country, 'BR', 'a country written by name, in another language')
  t.equal(json(await app.inject({ url: `/api/appeals/${slug}/stats` })).signatures, 4, 'they count')

  const again = await b.post(`/admin/appeals/${slug}/import`, { action: 'import', csv, eventId: event.id, ...columns })
  t.match(again.body, /0 signatures were imported/, 'importing the same sheet twice adds nothing')
  t.equal((await signatureRows(app)).length, 4)
})

eachDatabase(t, 'a file that cannot be read imports nothing', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const b = await signedInBrowser(app, owner)
  const broken = await b.upload(`/admin/appeals/${slug}/import`, { action: 'read' }, { name: 'broken.csv', field: 'file', content: 'name,email,country\n"Ana,ana@example.org,VE\nLuis,luis@example.org,VE\n' })
  t.equal(broken.statusCode, 400)
  t.match(broken.body, /could not be read as CSV/)
  const forced = await b.post(`/admin/appeals/${slug}/import`, { action: 'import', csv: 'name,email,country\n"Ana,ana@example.org,VE\nLuis,luis@example.org,VE\n', column0: 'name', column1: 'email', column2: 'country' })
  t.equal(forced.statusCode, 400)
  t.same(await signatureRows(app), [], 'not half of it, not any of it')
  const pasted = await b.post(`/admin/appeals/${slug}/import`, { action: 'read', csv: 'name\temail\tcountry\nLuis\tluis@example.org\tVE' })
  t.match(pasted.body, /1 row will be imported/, 'pasted rows with tabs work too')
})
