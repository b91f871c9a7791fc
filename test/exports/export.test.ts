import { eq, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { appeals, signatures } from '../../src/db/schema.js'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, filterableAppeal, idOf, organisation, organiser, person, sign, signatureRows, type Organiser } from '../helpers/fixtures.js'

const COLUMNS = [
  'id', 'kind', 'status', 'hidden', 'name', 'email', 'country', 'city', 'organisation', 'role', 'organisationType',
  'members', 'public', 'contact', 'consentVersion', 'locale', 'source', 'embedOrigin', 'createdAt', 'confirmedAt', 'erasedAt', 'anonymisedAt',
  'notable', 'eventId'
]
/** The CSV's and the XLSX's header: times named for their zone, written as spreadsheets read them. */
const SHEET_COLUMNS = COLUMNS.map((name) => name.endsWith('At') ? `${name}Utc` : name)

/** A strict RFC 4180 reader: CRLF between records, quotes only around whole cells, "" for a quote. */
function parseCsv (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i += 2; continue }
        quoted = false
        i++
        if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new Error(`text after a closing quote at ${i}`)
        continue
      }
      cell += c
      i++
      continue
    }
    if (c === '"') {
      if (cell !== '') throw new Error(`a quote inside an unquoted cell at ${i}`)
      quoted = true
      i++
    } else if (c === ',') {
      row.push(cell)
      cell = ''
      i++
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i += 2
    } else if (c === '\r' || c === '\n') {
      throw new Error(`a bare line break outside quotes at ${i}`)
    } else {
      cell += c
      i++
    }
  }
  if (quoted) throw new Error('an unterminated quoted cell')
  if (cell !== '' || row.length > 0) throw new Error('the last record does not end with CRLF')
  return rows
}

const BOM = '\uFEFF'

/** The data rows of a CSV export as objects keyed by the header. */
function csvRecords (body: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(body.startsWith(BOM) ? body.slice(1) : body)
  if (header === undefined) throw new Error('no header row')
  return rows.map((cells) => {
    if (cells.length !== header.length) throw new Error(`a row with ${cells.length} cells under ${header.length} headers`)
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']))
  })
}

function ndjsonRecords (body: string): Array<Record<string, unknown>> {
  if (body === '') return []
  if (!body.endsWith('\n')) throw new Error('the last line does not end with a newline')
  return body.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
}

const exportOf = async (app: FastifyInstance, who: Organiser | null, slug: string, format: 'csv' | 'ndjson', query = '') =>
  app.inject({ method: 'GET', url: `/api/admin/appeals/${slug}/export.${format}${query}`, headers: who === null ? {} : who.auth })

/** What a text cell must read once parsed: a value a spreadsheet would run as a formula starts with an apostrophe. */
const neutral = (value: string | null): string => value === null ? '' : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value

const today = (): string => new Date().toISOString().slice(0, 10)
const sheetTime = (d: Date | null): string => d === null ? '' : d.toISOString().slice(0, 19).replace('T', ' ')

const TRICKY = 'Smith, "Red" John\nof the docks'

eachDatabase(t, 'the CSV export has a header and every field of every signature, safely quoted', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person({ name: 'Placeholder', email: 'tricky@example.org', city: 'Caracas', organisation: 'UNETE', role: 'delegate', contact: true, locale: 'es' }))).statusCode, 201)
  // The API folds line breaks in a name into spaces; an import or an older row may still have one.
  await app.db.update(signatures).set({ name: TRICKY }).where(eq(signatures.id, await idOf(app, 'tricky@example.org')))
  t.equal((await sign(app, slug, person({ name: '=HYPERLINK("http://evil")', email: 'evil@example.org', organisation: '+1', city: '@SUM(A1)', role: '-2', public: false }))).statusCode, 201)
  t.equal((await sign(app, slug, organisation({ email: 'union@example.org', members: 120000 }))).statusCode, 201)
  // Leading tabs and carriage returns cannot come through the API (control characters are stripped),
  // but an imported row may have them.
  t.equal((await sign(app, slug, person({ name: 'Placeholder', email: 'tabbed@example.org', city: 'Placeholder' }))).statusCode, 201)
  await app.db.update(signatures).set({ name: '\t=cmd|calc', city: '\r@x' }).where(eq(signatures.id, await idOf(app, 'tabbed@example.org')))
  // A row from before sealing: its address in clear (legacy_email), nothing sealed; each stored field has
  // its own place in a batch's rows (exports/format-batch.js), this one too.
  t.equal((await sign(app, slug, person({ name: 'Placeholder', email: 'legacy@example.org' }))).statusCode, 201)
  await app.db.update(signatures).set({ sealed: null, legacyEmail: 'legacy@example.org', name: 'Old Row', city: 'Mérida', organisation: 'SUTISS', role: 'shop steward' })
    .where(eq(signatures.id, await idOf(app, 'legacy@example.org')))

  const before = today()
  const response = await exportOf(app, owner, slug, 'csv')
  const after = today()
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/csv\b/)
  t.match(response.headers['content-type'], /charset=utf-8/i)
  const disposition = String(response.headers['content-disposition'])
  t.ok([before, after].some((d) => disposition === `attachment; filename="${slug}-signatures-${d}.csv"`), `content-disposition: ${disposition}`)
  t.match(String(response.headers['cache-control']), /no-store/, 'personal data is not kept in caches')
  t.ok(response.body.startsWith(BOM + 'id,'), 'a UTF-8 byte order mark (for spreadsheets), then the header')
  t.ok(response.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'the BOM is UTF-8 encoded')

  const [header] = parseCsv(response.body.slice(1))
  t.same(header, SHEET_COLUMNS)
  const records = csvRecords(response.body)
  const rows = (await signatureRows(app)).sort((a, b) => a.id - b.id)
  t.equal(records.length, 5, 'one row per signature')
  t.same(records.map((r) => Number(r.id)), rows.map((r) => r.id), 'in id order')

  for (const [i, row] of rows.entries()) {
    const record = records[i]!
    t.same(record, {
      id: String(row.id),
      kind: row.kind,
      status: row.status,
      hidden: 'false',
      name: neutral(row.name),
      email: row.email ?? '',
      country: row.country,
      city: neutral(row.city),
      organisation: neutral(row.organisation),
      role: neutral(row.role),
      organisationType: row.organisationType ?? '',
      members: row.members === null ? '' : String(row.members),
      public: String(row.public),
      contact: String(row.contact),
      consentVersion: row.consentVersion,
      locale: row.locale ?? '',
      source: row.source,
      embedOrigin: neutral(row.embedOrigin),
      createdAtUtc: sheetTime(row.createdAt),
      confirmedAtUtc: sheetTime(row.confirmedAt),
      erasedAtUtc: sheetTime(row.erasedAt),
      anonymisedAtUtc: sheetTime(row.anonymisedAt),
      notable: String(row.notable),
      eventId: row.eventId ?? ''
    }, `row of ${row.email}`)
  }
  t.equal(records[0]?.name, TRICKY, 'a comma, a double quote and a line break survive the round trip')
  t.equal(records[0]?.email, 'tricky@example.org', 'the email is exported')
  t.equal(records[2]?.members, '120000', 'numbers are not neutralised')
  t.ok(response.body.includes('"\'=HYPERLINK(""http://evil"")"'), 'the formula is neutralised, then quoted')
  const evil = records.find((r) => r.email === 'evil@example.org')
  t.match(evil, { name: '\'=HYPERLINK("http://evil")', organisation: '\'+1', city: '\'@SUM(A1)', role: '\'-2' }, 'every formula start is neutralised')
  const tabbed = records.find((r) => r.email === 'tabbed@example.org')
  t.match(tabbed, { name: '\'\t=cmd|calc', city: '\'\r@x' }, 'a leading tab or carriage return is neutralised too')
  t.match(records.find((r) => r.id === String(rows.at(-1)!.id)), { name: 'Old Row', email: 'legacy@example.org', city: 'Mérida', organisation: 'SUTISS', role: 'shop steward' },
    'a row from before sealing has its address and its fields in their columns')
})

eachDatabase(t, 'the exports take the organisers\' filters', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await filterableAppeal(app, owner)
  const other = await appeal(app, owner)
  t.equal((await sign(app, other, person({ name: 'Other Appeal', country: 'VE' }))).statusCode, 201)
  const expectations: Array<[string, string[]]> = [
    ['', ['Mid GB', 'Old VE', 'Spam', 'Union GB', 'Waiting']],
    ['?status=pending', ['Waiting']],
    ['?status=confirmed', ['Mid GB', 'Old VE', 'Spam', 'Union GB']],
    ['?kind=organisation', ['Union GB']],
    ['?kind=individual', ['Mid GB', 'Old VE', 'Spam', 'Waiting']],
    ['?country=GB', ['Mid GB', 'Union GB']],
    ['?country=VE&kind=individual', ['Old VE', 'Spam']],
    ['?hidden=true', ['Spam']],
    ['?hidden=false&status=confirmed', ['Mid GB', 'Old VE', 'Union GB']],
    [`?from=${encodeURIComponent('2026-02-01T00:00:00Z')}`, ['Mid GB', 'Spam', 'Union GB']],
    [`?to=${encodeURIComponent('2026-02-01T00:00:00Z')}`, ['Old VE', 'Waiting']],
    [`?from=${encodeURIComponent('2026-01-05T00:00:00Z')}&to=${encodeURIComponent('2026-03-01T12:00:00Z')}`, ['Mid GB', 'Union GB', 'Waiting']],
    ['?q=UNION', ['Union GB']],
    ['?contact=true', ['Old VE']],
    ['?contact=true&country=GB', []],
    ['?country=AR', []]
  ]
  for (const [query, expected] of expectations) {
    for (const format of ['csv', 'ndjson'] as const) {
      // A failure half-way through the stream aborts the response: record it and go on with the next filter.
      const response = await exportOf(app, owner, slug, format, query).catch((error: Error) => error)
      if (response instanceof Error) {
        t.fail(`${format} ${query}: the export broke off (${response.message})`)
        continue
      }
      t.equal(response.statusCode, 200, `${format} ${query}`)
      let got: unknown[]
      try {
        got = (format === 'csv' ? csvRecords(response.body) : ndjsonRecords(response.body)).map((r) => r.name).sort()
      } catch (error) {
        got = [`unreadable ${format}: ${(error as Error).message}`]
      }
      t.same(got, expected, `${format} ${query || '(no filter)'}`)
    }
  }
  const spam = csvRecords((await exportOf(app, owner, slug, 'csv', '?hidden=true')).body)[0]
  t.equal(spam?.hidden, 'true', 'a hidden signature is marked as hidden')
  const empty = await exportOf(app, owner, slug, 'csv', '?country=AR')
  t.same(parseCsv(empty.body.replace(/^\uFEFF/, '')), [SHEET_COLUMNS], 'an empty export still has its header')
  for (const bad of ['?status=maybe', '?from=yesterday', '?colour=red']) {
    const response = await exportOf(app, owner, slug, 'csv', bad)
    t.equal(response.statusCode, 400, bad)
    t.equal(json(response).error.code, 'VALIDATION_FAILED')
  }
})

eachDatabase(t, 'the NDJSON export has one object per line with the same fields', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person({ name: '=HYPERLINK("http://evil")', email: 'evil@example.org', city: 'Caracas', role: 'nurse', locale: 'es' }))).statusCode, 201)
  await app.db.update(signatures).set({ name: TRICKY }).where(eq(signatures.id, await idOf(app, 'evil@example.org')))
  t.equal((await sign(app, slug, organisation({ email: 'union@example.org', members: 4500, contact: true }))).statusCode, 201)
  t.equal((await sign(app, slug, person({ email: 'erased@example.org' }))).statusCode, 201)
  const erased = await idOf(app, 'erased@example.org')
  t.equal((await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/signatures/${erased}`, headers: owner.auth })).statusCode, 200)

  const response = await exportOf(app, owner, slug, 'ndjson')
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/x-ndjson\b/)
  t.match(String(response.headers['content-disposition']), new RegExp(`^attachment; filename="${slug}-signatures-\\d{4}-\\d{2}-\\d{2}\\.ndjson"$`))
  const records = ndjsonRecords(response.body)
  t.equal(records.length, 3)
  for (const record of records) t.same(Object.keys(record), COLUMNS, 'the same fields as the CSV, in the same order')
  const rows = (await signatureRows(app)).sort((a, b) => a.id - b.id)
  t.same(records.map((r) => r.id), rows.map((r) => r.id), 'in id order')
  const [first, union, gone] = records
  t.match(first, { kind: 'individual', status: 'confirmed', hidden: false, name: TRICKY, email: 'evil@example.org', city: 'Caracas', role: 'nurse', locale: 'es', members: null, public: true, contact: false, source: 'api', embedOrigin: null, erasedAt: null })
  t.equal(first?.createdAt, rows[0]?.createdAt.toISOString(), 'times are ISO 8601')
  t.match(union, { kind: 'organisation', email: 'union@example.org', members: 4500, organisationType: 'trade_union', contact: true })
  t.match(gone, { id: erased, status: 'erased', name: null, email: null, city: null })
  t.ok(typeof gone?.erasedAt === 'string' && !Number.isNaN(Date.parse(gone.erasedAt)))
  const csv = csvRecords((await exportOf(app, owner, slug, 'csv')).body)
  t.same(Object.keys(csv[0] ?? {}), Object.keys(first ?? {}).map((key) => key.endsWith('At') ? `${key}Utc` : key), 'CSV and NDJSON carry the same columns (the CSV\'s times in UTC, named so)')
  t.equal(csv[0]?.createdAtUtc, String(first?.createdAt).slice(0, 19).replace('T', ' '), 'the same time, as spreadsheets read it')
})

eachDatabase(t, 'only the appeal\'s organisers and admins may export it', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person({ email: 'secret.person@example.org' }))).statusCode, 201)
  for (const format of ['csv', 'ndjson'] as const) {
    const anonymous = await exportOf(app, null, slug, format)
    t.equal(anonymous.statusCode, 401, `${format} without signing in`)
    t.equal(json(anonymous).error.code, 'UNAUTHENTICATED')
    t.notOk(anonymous.body.includes('secret.person'))
    const badToken = await app.inject({ method: 'GET', url: `/api/admin/appeals/${slug}/export.${format}`, headers: { authorization: 'Bearer not-a-token' } })
    t.equal(badToken.statusCode, 401, `${format} with a wrong token`)
    const stranger = await exportOf(app, await organiser(app), slug, format)
    t.equal(stranger.statusCode, 404, `${format} by another organiser`)
    t.equal(json(stranger).error.code, 'APPEAL_NOT_FOUND')
    t.notOk(stranger.body.includes('secret.person'))
    const admin = await exportOf(app, await organiser(app, 'admin'), slug, format)
    t.equal(admin.statusCode, 200, `${format} by an admin`)
    t.ok(admin.body.includes('secret.person@example.org'))
  }
  const missing = await exportOf(app, owner, 'no-such-appeal', 'csv')
  t.equal(missing.statusCode, 404)
  t.equal(json(missing).error.code, 'APPEAL_NOT_FOUND')
  const draft = await appeal(app, owner, {}, false)
  t.equal((await exportOf(app, owner, draft, 'csv')).statusCode, 200, 'a draft can be exported by its organisers')
})

eachDatabase(t, 'an export larger than one batch has every row exactly once, in id order', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const [row] = await app.db.select({ id: appeals.id }).from(appeals).where(eq(appeals.slug, slug))
  if (row === undefined) throw new Error('appeal not found')
  const other = await appeal(app, owner)
  t.equal((await sign(app, other, person({ name: 'Other Appeal' }))).statusCode, 201)
  await app.db.execute(sql`
    insert into signatures (appeal_id, kind, status, name, email, email_hash, country, public, contact, consent_version, source, created_at, confirmed_at)
    select ${row.id}::uuid, 'individual', 'confirmed', 'Bulk ' || g, 'bulk' || g || '@example.org', 'hash-' || g,
           case when g % 2 = 0 then 'VE' else 'GB' end, true, false, '2026-11', 'import', now(), now()
    from generate_series(1, 12000) as g`)

  const csv = await exportOf(app, owner, slug, 'csv')
  t.equal(csv.statusCode, 200)
  const records = csvRecords(csv.body)
  t.equal(records.length, 12000, 'exactly 12,000 data rows')
  const ids = records.map((r) => Number(r.id))
  t.ok(ids.every((id, i) => Number.isSafeInteger(id) && (i === 0 || id > ids[i - 1]!)), 'ids strictly increasing')
  t.equal(new Set(records.map((r) => r.email)).size, 12000, 'every signature once')
  t.notOk(records.some((r) => r.name === 'Other Appeal'), 'nothing from another appeal')
  t.same(records.slice(0, 2).map((r) => r.name), ['Bulk 1', 'Bulk 2'])
  t.equal(records.at(-1)?.name, 'Bulk 12000')

  const ve = csvRecords((await exportOf(app, owner, slug, 'csv', '?country=VE')).body)
  t.equal(ve.length, 6000, 'a filter holds across batches')
  t.ok(ve.every((r) => r.country === 'VE'))
  const ndjson = ndjsonRecords((await exportOf(app, owner, slug, 'ndjson')).body)
  t.equal(ndjson.length, 12000)
  t.ok(ndjson.every((r, i) => i === 0 || (r.id as number) > (ndjson[i - 1]!.id as number)), 'ids strictly increasing in NDJSON too')
})
