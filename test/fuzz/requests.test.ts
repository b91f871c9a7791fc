import { randomInt } from 'node:crypto'
import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { selectRows } from '../../src/db/connection.js'
import { errorCodes } from '../../src/errors/app-error.js'
import { databases, eachDatabase } from '../helpers/app.js'
import { signedInBrowser } from '../helpers/dashboard.js'
import { appeal, idOf, organiser, person, sign } from '../helpers/fixtures.js'

// The project's own fuzzing: requests generated from the served OpenAPI document (every operation, its
// parameters and body) and from the forms the pages and the dashboard show, valid and invalid, with the
// kinds of input that once answered 500 among the generators. Every answer must be under 500, in the
// error shape when it is an error, within 2 s, and a refused request must leave the database as it was.
// FUZZ_SEED replays a run; FUZZ_RUNS makes it longer. The requests of a run are shared evenly among the
// databases tested: on PostgreSQL the database's work runs natively in its server, on PGlite in this
// process's WebAssembly: the same 1,500 requests took 16.6 s there and 22.8 s on PGlite.
const seed = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31))
const runs = Number(process.env.FUZZ_RUNS ?? 10_000)
const runsEach = Math.ceil(runs / databases.length)
const SLOWEST_MS = 2000

interface JsonSchema {
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  pattern?: string
  format?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  maxItems?: number
}

interface Parameter { in: 'path' | 'query', name: string, schema: JsonSchema }
interface Operation { method: string, path: string, parameters: Parameter[], body?: JsonSchema }
interface Form { method: 'GET' | 'POST', action: string, fields: string[], csrf?: string }
/** A request, and whether it was made to be refused (a wrong path parameter, body, charset or CSRF token). */
interface Sent { method: string, url: string, headers: Record<string, string>, payload?: string, meantToFail: boolean }
interface Body { contentType?: string, payload?: string, wrong?: boolean }

/** Text that once reached PostgreSQL or the stack unchecked: controls, odd numbers, bad encodings, dates. */
const nastyText = fc.oneof(
  fc.constantFrom(
    '0x1f', '1e3', ' 31', '+31', '-1', '31.0', '031', '0', '9'.repeat(30), 'NaN', 'Infinity', '', ' ', 'null', 'true', '[]', '{}',
    '2026-13-45', '2026-02-30', '2026-13-45T25:61:00Z', 'yesterday', '2026-02-28T10:00', "'; drop table appeals; --", '<script>alert(1)</script>',
    '\u0000', 'a\u0000b', '\u0007\u001b[31m', '\u202e', '\ud800', 'İ', 'ǅ', '../../etc/passwd', 'a'.repeat(150), 'x'.repeat(5000)
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c)), maxLength: 12 })
)

/** Percent-encoded; a lone surrogate, which encodeURIComponent refuses, as the bytes a client might send anyway. */
function encode (value: unknown): string {
  try {
    return encodeURIComponent(String(value))
  } catch {
    return '%ED%A0%80'
  }
}

/** Whether a path parameter, as sent, is one its schema accepts (a nasty value sometimes is: "0x1f" as a uuid is not, "031" as a slug is). */
function matches (schema: JsonSchema | undefined, encoded: string): boolean {
  let value: string
  try {
    value = decodeURIComponent(encoded)
  } catch {
    return false
  }
  // eslint-disable-next-line no-control-regex -- a control character is what makes the value wrong
  if (encoded.length > 100 || /[\u0000-\u001F\u007F-\u009F]/.test(value)) return false
  if (schema === undefined) return true
  if (schema.enum !== undefined) return schema.enum.includes(value)
  if (schema.type === 'integer') return /^[1-9][0-9]{0,15}$/.test(value)
  if (schema.format === 'uuid') return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) return false
  return value.length >= (schema.minLength ?? 0) && value.length <= (schema.maxLength ?? Infinity)
}

/** A piece of a URL as sent: usually encoded text, sometimes raw bad percent-encoding or a very long part. */
const nastyUrlPart = fc.oneof(
  { weight: 4, arbitrary: nastyText.map(encode) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%00', '%2e%2e%2f', '%FF%FE', 'a'.repeat(101), '%41'.repeat(40)) }
)

const deepJson = fc.integer({ min: 33, max: 60_000 }).chain((depth) => fc.constantFrom('[', '{"a":').map((open) =>
  open.repeat(depth) + (open === '[' ? ']'.repeat(depth) : '1' + '}'.repeat(depth))))

// New slugs and addresses from a few only: each valid creation after the first meets SLUG_TAKEN or a
// duplicate, so the run exercises those paths and the database stays small enough for 10,000 requests.
const FEW: Record<string, fc.Arbitrary<unknown>> = {
  slug: fc.constantFrom('fuzz-one', 'fuzz-two', 'no-such-appeal'),
  email: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('one@example.org', 'two@example.org', 'Three@Example.org') }, { weight: 1, arbitrary: fc.emailAddress() })
}

/** A value for a JSON schema: valid where it can be, from the schema's own types, patterns and formats. */
function valueFor (schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives !== undefined) return fc.oneof(...alternatives.map((s) => valueFor(s, depth)))
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum)
  if (schema.const !== undefined) return fc.constant(schema.const)
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string': {
      if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= 254)
      if (schema.format === 'uuid') return fc.uuid()
      if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString())
      if (schema.format === 'uri') return fc.webUrl({ validSchemes: ['https'] }).filter((u) => u.length <= (schema.maxLength ?? 2000))
      if (schema.pattern !== undefined) {
        return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity))
      }
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) })
    }
    case 'integer': return fc.integer({ min: Math.max(schema.minimum ?? -1e6, -1e9), max: Math.min(schema.maximum ?? 1e6, 1e9) })
    case 'number': return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true })
    case 'boolean': return fc.boolean()
    case 'null': return fc.constant(null)
    case 'array': return depth > 3 ? fc.constant([]) : fc.array(valueFor(schema.items ?? {}, depth + 1), { maxLength: Math.min(schema.maxItems ?? 3, 3) })
    case 'object': {
      if (schema.properties === undefined || depth > 3) return fc.constant({})
      const properties = Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, FEW[k] ?? valueFor(s, depth + 1)]))
      return fc.record(properties, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) })
    }
    default: return fc.jsonValue({ maxDepth: 2 })
  }
}

/** A body for a schema: valid, one field made wrong, or something that is not the body at all. */
function bodyFor (schema: JsonSchema | undefined): fc.Arbitrary<Body> {
  const json = (value: unknown): { contentType: string, payload: string } => ({ contentType: 'application/json', payload: JSON.stringify(value) })
  const valid = valueFor(schema ?? { type: 'object' })
  const names = Object.keys(schema?.properties ?? {})
  return fc.oneof(
    { weight: 3, arbitrary: valid.map(json) },
    {
      weight: 3,
      arbitrary: fc.tuple(valid, names.length > 0 ? fc.constantFrom(...names) : fc.constant('x'), fc.oneof(nastyText, fc.jsonValue({ maxDepth: 3 })))
        .map(([value, name, wrong]) => json({ ...(typeof value === 'object' && value !== null ? value : {}), [name]: wrong }))
    },
    { weight: 1, arbitrary: deepJson.map((payload) => ({ contentType: 'application/json', payload, wrong: true })) },
    { weight: 1, arbitrary: valid.map((value) => ({ contentType: 'application/json; charset=utf-16', payload: JSON.stringify(value), wrong: true })) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":1,}', '"text"', '1e999', '\u0000', '{"__proto__":{"x":1}}').map((payload) => ({ contentType: 'application/json', payload, wrong: true })) },
    {
      weight: 1,
      arbitrary: fc.record({ contentType: fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'json'), payload: fc.string({ maxLength: 50 }) })
        .map((body) => ({ ...body, wrong: true }))
    },
    { weight: 1, arbitrary: fc.constant({}) }
  )
}

/** A schema without its slug: renaming the run's own appeals would leave every later request a 404. */
function withoutSlug (schema: JsonSchema | undefined): JsonSchema | undefined {
  if (schema?.properties?.slug === undefined) return schema
  const { slug: _slug, ...properties } = schema.properties
  return { ...schema, properties, required: (schema.required ?? []).filter((name) => name !== 'slug') }
}

/** The forms a page shows: where they post, their fields, and the CSRF token they carry. */
function formsIn (html: string): Form[] {
  const forms: Form[] = []
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const [, attributes = '', inside = ''] = match
    const action = /action="([^"]*)"/.exec(attributes)?.[1]?.replaceAll('&amp;', '&')
    if (action === undefined || !action.startsWith('/')) continue
    const fields = [...new Set([...inside.matchAll(/<(?:input|select|textarea)\b[^>]*name="([^"]+)"/g)].map((m) => m[1] ?? '').filter((n) => n !== '_csrf'))]
    const csrf = /name="_csrf" value="([^"]+)"/.exec(inside)?.[1]
    forms.push({ method: /method="post"/i.test(attributes) ? 'POST' : 'GET', action, fields, ...(csrf !== undefined && { csrf }) })
  }
  return forms
}

/**
 * Every table's row count and the newest transaction that wrote one of its rows (an insert or an update
 * gives the row a new xmin; a delete lowers the count): what a refused request must leave as it was.
 * Reading it costs a scan of every table, so it is read only when the next transaction id to be assigned
 * has moved (a write always takes one; a read-only request does not): the cheap check first, the exact
 * one only after something wrote.
 */
function fingerprinter (app: FastifyInstance, tables: string[]): () => Promise<string> {
  // Using a token or a session notes when it was last used (and a wrong second-factor code counts against
  // the session): bookkeeping, not something the request did. A refused sign-in is recorded in the audit
  // trail, as it must be: the trail is left out. So are the counts (stats/rollup.ts): any page that shows
  // them may fold in the changes earlier accepted signatures left, which is not the request's doing (a
  // signature it wrote would show in the signatures table).
  const bookkeeping = new Set(['audit_log', 'signature_counts', 'signature_count_changes'])
  const parts = tables.filter((table) => !bookkeeping.has(table)).map((table) => table === 'api_tokens'
    ? `(select count(*) || ':' || coalesce(md5(string_agg(id::text || coalesce(revoked_at::text, ''), ',' order by id)), '') from "${table}")`
    : table === 'sessions'
      ? `(select count(*) || ':' || coalesce(md5(string_agg(id::text || expires_at::text, ',' order by id)), '') from "${table}")`
      : `(select count(*) || ':' || coalesce(max(xmin::text::bigint), 0) from "${table}")`)
  const exact = sql.raw(`select concat_ws('|', ${parts.join(', ')}) as fingerprint`)
  const nextXid = sql.raw('select pg_snapshot_xmax(pg_current_snapshot())::text as xid')
  let xid = ''
  let last = ''
  return async () => {
    const [now] = await selectRows<{ xid: string }>(app.db, nextXid)
    if (now?.xid === xid) return last
    const [row] = await selectRows<{ fingerprint: string }>(app.db, exact)
    // The id is read before the scan: a write between the two shows on the next call.
    xid = now?.xid ?? ''
    last = row?.fingerprint ?? ''
    return last
  }
}

function problemWith (sent: Sent, response: LightMyRequestResponse, ms: number): string | undefined {
  // The one 5xx that is no fault: the oEmbed specification answers a format it does not offer with 501.
  const byTheSpec = response.statusCode === 501 && response.body.includes('"OEMBED_FORMAT_UNSUPPORTED"')
  if (response.statusCode >= 500 && !byTheSpec) return `answered ${response.statusCode}: ${response.body.slice(0, 300)}`
  if (ms > SLOWEST_MS) return `took ${Math.round(ms)} ms`
  if (response.statusCode < 400) return undefined
  const type = String(response.headers['content-type'] ?? '')
  const path = sent.url.split('?')[0] ?? ''
  if (type.startsWith('application/json')) {
    let body: { error?: { code?: unknown, message?: unknown, fields?: unknown } }
    try {
      body = JSON.parse(response.body)
    } catch {
      return `a JSON error that is not JSON: ${response.body.slice(0, 200)}`
    }
    const error = body.error
    if (typeof error?.code !== 'string' || !(error.code in errorCodes) || typeof error.message !== 'string' || typeof error.fields !== 'object') {
      return `an error outside the shape: ${response.body.slice(0, 300)}`
    }
    if (errorCodes[error.code as keyof typeof errorCodes] !== response.statusCode) return `${error.code} with status ${response.statusCode}`
    return undefined
  }
  if (path === '/api' || path.startsWith('/api/')) return `an API error that is not JSON (${type})`
  if (!type.startsWith('text/html') || !response.body.includes('<html')) return `a page error that is not the error page (${type})`
  return undefined
}

eachDatabase(t, 'fuzzing every operation and form: no 5xx, errors in the shape, within 2 s, nothing written when refused', async (t, { app, database }) => {
  t.comment(`FUZZ_SEED=${seed} FUZZ_RUNS=${runs} (${runsEach} on ${database})`)
  const admin = await organiser(app, 'admin')
  const slug = await appeal(app, admin)
  const other = await appeal(app, admin, { requireConfirmation: true })
  for (const email of ['one@example.org', 'two@example.org']) await sign(app, slug, person({ email }))
  const signatureId = await idOf(app, 'one@example.org')
  const tables = (await selectRows<{ name: string }>(app.db, sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`)).map((r) => r.name)

  const doc = JSON.parse((await app.inject({ url: '/docs/json' })).body) as { paths: Record<string, Record<string, { parameters?: Parameter[], requestBody?: { content?: Record<string, { schema: JsonSchema }> } }>> }
  const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    parameters: op.parameters ?? [],
    ...(op.requestBody?.content?.['application/json'] !== undefined && { body: op.requestBody.content['application/json'].schema })
  })))
  t.ok(operations.length >= 40, `${operations.length} operations in the OpenAPI document`)

  // The dashboard's forms, as a second admin sees them (the first one's token signs the API requests;
  // forms that would end the session or remove accounts and tokens are left out, or the run would lock itself out).
  const browser = await signedInBrowser(app, await organiser(app, 'admin'))
  const pages = [
    '/', `/appeals/${slug}`, `/appeals/${other}`, `/appeals/${slug}/signatures`, `/embed/${slug}/sign`, '/admin/sign-in', '/admin/setup',
    '/admin', '/admin/appeals/new', `/admin/appeals/${slug}`, `/admin/appeals/${slug}/texts/es`, `/admin/appeals/${slug}/signatures`,
    `/admin/appeals/${slug}/events`, `/admin/appeals/${slug}/import`, `/admin/appeals/${slug}/team`, `/admin/appeals/${slug}/embed`, '/admin/tokens', '/admin/erasure'
  ]
  const forms: Form[] = []
  for (const page of pages) {
    const response = page.startsWith('/admin') ? await browser.get(page) : await app.inject({ url: page })
    forms.push(...formsIn(response.body).filter((f) => !/sign-out|\/revoke|\/organisers\/|\/team\/.+\/remove/.test(f.action))
      .map((f) => f.action.endsWith('/settings') ? { ...f, fields: f.fields.filter((name) => name !== 'slug') } : f))
  }
  t.ok(forms.length >= 15, `${forms.length} forms on ${pages.length} pages`)
  const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ')

  const pathValue = (name: string, schema: JsonSchema): fc.Arbitrary<[string, boolean]> => {
    const valid = name === 'slug'
      ? fc.constantFrom(slug, other, 'no-such-appeal')
      : name === 'id' && schema.type === 'integer' ? fc.constantFrom(String(signatureId), '999999') : valueFor(schema).map(String)
    return fc.oneof(
      { weight: 2, arbitrary: valid.map((v): [string, boolean] => [encode(v), false]) },
      { weight: 1, arbitrary: nastyUrlPart.map((v): [string, boolean] => [v, true]) }
    )
  }
  const queryFor = (parameters: Parameter[]): fc.Arbitrary<string> => {
    const pairs = parameters.map((p) => fc.option(fc.oneof(valueFor(p.schema).map(encode), nastyUrlPart).map((v) => `${p.name}=${v}`), { nil: undefined }))
    const extra = fc.option(fc.tuple(fc.constantFrom('lang', 'utm_source', 'x'), nastyUrlPart).map(([k, v]) => `${k}=${v}`), { nil: undefined })
    return fc.tuple(fc.tuple(...pairs, extra), fc.constantFrom(...[...parameters.map((p) => p.name), 'lang'])).map(([given]) => given.filter((p) => p !== undefined).join('&'))
  }
  const headersFor = (authenticated: boolean): fc.Arbitrary<Record<string, string>> => fc.record({
    'accept-language': fc.constantFrom('en', 'es-VE', 'ar', 'xx', '*', '\u00ff'.repeat(3), ''),
    ...(authenticated && { authorization: fc.oneof({ weight: 6, arbitrary: fc.constant(admin.auth.authorization) }, { weight: 1, arbitrary: fc.constantFrom('Bearer nope', 'Basic x', '') }) })
  }).map((headers) => Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== '')))

  const apiRequest: fc.Arbitrary<Sent> = fc.constantFrom(...operations).chain((op) => {
    const inPath = op.parameters.filter((p) => p.in === 'path')
    return fc.record({
      path: fc.tuple(...inPath.map((p) => pathValue(p.name, p.schema))),
      query: queryFor(op.parameters.filter((p) => p.in === 'query')),
      headers: headersFor(op.path.startsWith('/api/admin')),
      body: op.method === 'GET' || op.method === 'DELETE' ? fc.constant<Body>({}) : bodyFor(op.method === 'PATCH' ? withoutSlug(op.body) : op.body)
    }).map(({ path: values, query, headers, body }) => {
      // A nasty value may still be a valid one ("0" as a language is not; "-1" as a slug is): only a
      // parameter that does not match its pattern counts as meant to fail.
      const wrongPart = values.some(([value, nasty], i) => nasty && !matches(inPath[i]?.schema, value))
      const path = inPath.reduce((url, p, i) => url.replace(`{${p.name}}`, values[i]?.[0] ?? ''), op.path)
      return {
        method: op.method,
        url: query === '' ? path : `${path}?${query}`,
        headers: { ...headers, ...(body.contentType !== undefined && { 'content-type': body.contentType }) },
        ...(body.payload !== undefined && { payload: body.payload }),
        // A route that takes no body may ignore a wrong one.
        meantToFail: wrongPart || (op.body !== undefined && body.wrong === true)
      }
    })
  })

  const formRequest: fc.Arbitrary<Sent> = fc.constantFrom(...forms).chain((form) => fc.record({
    values: fc.tuple(...form.fields.map(() => fc.option(fc.oneof(fc.string({ maxLength: 20 }), nastyText, fc.constantFrom('on', 'true', 'VE', 'es', 'individual', 'organisation')), { nil: undefined }))),
    csrf: fc.oneof({ weight: 5, arbitrary: fc.constant(form.csrf) }, { weight: 1, arbitrary: fc.constantFrom(undefined, 'forged') }),
    contentType: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=iso-8859-1', 'application/json'),
    headers: headersFor(false)
  }).map(({ values, csrf, contentType, headers }) => {
    const fields = new URLSearchParams()
    form.fields.forEach((name, i) => { if (values[i] !== undefined) fields.append(name, values[i]) })
    if (csrf !== undefined) fields.append('_csrf', csrf)
    const withCookie = { ...headers, ...(form.action.startsWith('/admin') && { cookie }) }
    if (form.method === 'GET') return { method: 'GET', url: `${form.action.split('?')[0]}?${fields.toString()}`, headers: withCookie, meantToFail: false }
    const payload = contentType === 'application/json' ? JSON.stringify(Object.fromEntries(fields)) : fields.toString()
    const meantToFail = form.csrf !== undefined && csrf !== form.csrf
    return { method: 'POST', url: form.action, headers: { ...withCookie, 'content-type': contentType }, payload, meantToFail }
  }))

  let sent = 0
  let refused = 0
  const fingerprint = fingerprinter(app, tables)
  let before = await fingerprint()
  // A GET writes nothing, refused or not, and neither does a request made to be refused (which must be
  // refused): those are checked in batches of 50; any other request on its own.
  let unchecked: string[] = []
  const checkBatch = async (): Promise<void> => {
    const now = await fingerprint()
    if (now !== before) problems.push(`one of these wrote to the database: ${unchecked.join(' ').slice(0, 500)}`)
    before = now
    unchecked = []
  }
  // The gazetteer is read on its first use in a process (places/gazetteer.ts: 0.7 s on a quiet machine,
  // 2 s with the suite running beside it): a one-off, read before the clock starts, so that the limit
  // below is about each request's own work.
  t.equal((await app.inject({ url: '/api/places?q=ro' })).statusCode, 200, 'the gazetteer is read')
  const started = performance.now()
  const problems: string[] = []
  const anyRequest = fc.oneof({ weight: 3, arbitrary: apiRequest }, { weight: 2, arbitrary: formRequest })
  await fc.assert(fc.asyncProperty(anyRequest, async ({ meantToFail, ...request }) => {
    const batched = request.method === 'GET' || meantToFail
    if (!batched && unchecked.length > 0) await checkBatch()
    const at = performance.now()
    const response = await app.inject({ ...request, remoteAddress: `198.51.100.${sent % 250}` })
    const ms = performance.now() - at
    sent++
    const label = `${request.method} ${request.url.slice(0, 200)}`
    let problem = problemWith({ ...request, meantToFail }, response, ms)
    if (problem === undefined && meantToFail && response.statusCode < 400) problem = `accepted (${response.statusCode}) though it was made to be refused`
    if (problem !== undefined) problems.push(`${label}: ${problem}`)
    if (response.statusCode >= 400) refused++
    if (batched) {
      unchecked.push(request.url.slice(0, 80))
      if (unchecked.length >= 50) await checkBatch()
    } else {
      // A refused request writes nothing; an accepted one may, and becomes the new reference.
      const after = await fingerprint()
      if (response.statusCode >= 400 && after !== before) problems.push(`${label}: refused with ${response.statusCode} but wrote to the database`)
      before = after
    }
    return problem === undefined
  }), { seed, numRuns: runsEach, endOnFailure: true }).catch((err: unknown) => {
    problems.push(String(err).slice(0, 2000))
  })
  if (unchecked.length > 0) await checkBatch()
  const seconds = (performance.now() - started) / 1000
  t.comment(`${sent} requests (${refused} refused) in ${seconds.toFixed(1)} s`)
  t.same(problems.slice(0, 10), [], `no 5xx, every error in the shape, none slower than ${SLOWEST_MS} ms, nothing written by a refusal (FUZZ_SEED=${seed})`)
}, { RATE_LIMIT_GLOBAL_MAX: '1000000', RATE_LIMIT_SIGN_MAX: '1000000', RATE_LIMIT_SIGNIN_MAX: '1000000' })
