import { sql, type SQL } from 'drizzle-orm'
import t from 'tap'
import { createSignaturesService } from '../../src/signatures/service.js'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, organisation, organiser, person, sign, signatureRows } from '../helpers/fixtures.js'

eachDatabase(t, 'an individual signs and is confirmed at once', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await sign(app, slug, person({ email: 'Ana.Perez@Example.ORG', city: 'Caracas', organisation: 'UNETE', role: 'delegate', contact: true }), { 'x-forwarded-for': '203.0.113.9' })
  t.equal(response.statusCode, 201)
  t.same(json(response), { status: 'confirmed' })
  const [row] = await signatureRows(app)
  t.match(row, {
    kind: 'individual', status: 'confirmed', name: 'Ana Pérez', email: 'ana.perez@example.org', country: 'VE', city: 'Caracas',
    organisation: 'UNETE', role: 'delegate', public: true, contact: true, consentVersion: '2026-11', source: 'api'
  })
  t.ok(row?.confirmedAt instanceof Date)
  t.ok(row?.ipHash !== null && row?.ipHash !== '127.0.0.1', 'the address is stored only as a keyed hash')
  t.notMatch(JSON.stringify(row), /127\.0\.0\.1/, 'no raw address anywhere in the row')
})

eachDatabase(t, 'an organisation endorses with the members it represents', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await sign(app, slug, organisation())
  t.equal(response.statusCode, 201)
  const [row] = await signatureRows(app)
  t.match(row, { kind: 'organisation', organisation: 'Transport Workers Union', organisationType: 'trade_union', members: 120000, name: 'Sam Contact' })
})

eachDatabase(t, 'an organisation must give its name, type and members', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await sign(app, slug, { kind: 'organisation', name: 'Sam', email: 'sam@example.org', country: 'GB' })
  t.equal(response.statusCode, 400)
  t.same(Object.keys(json(response).error.fields).sort(), ['members', 'organisation', 'organisationType'])
  t.equal((await signatureRows(app)).length, 0)
})

eachDatabase(t, 'an appeal for individuals only refuses organisations', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { allowOrganisations: false })
  const response = await sign(app, slug, organisation())
  t.equal(response.statusCode, 400)
  t.equal(json(response).error.code, 'ORGANISATIONS_NOT_ALLOWED')
  t.equal((await signatureRows(app)).length, 0)
})

eachDatabase(t, 'bad input gets one message per field and writes nothing', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await sign(app, slug, {
    kind: 'person', name: 'x'.repeat(201), email: 'not-an-email', country: 'XX', members: 'many', public: 'perhaps', colour: 'red'
  })
  t.equal(response.statusCode, 400)
  const { error } = json(response)
  t.equal(error.code, 'VALIDATION_FAILED')
  t.equal(error.message, 'Some fields need attention.')
  t.match(error.fields, {
    kind: 'Choose one of the options.',
    name: 'Use at most 200 characters.',
    email: 'Enter a valid email address, like name@example.org.',
    country: 'Choose a country from the list.',
    members: 'Enter a whole number.',
    public: 'Answer yes or no.',
    colour: 'This field is not accepted here.'
  })
  t.equal((await signatureRows(app)).length, 0)
})

eachDatabase(t, 'errors are translated for the signer', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await sign(app, slug, { kind: 'individual', email: 'x', country: 'VE' }, { 'accept-language': 'es-VE,es;q=0.9,en;q=0.5' })
  const { error } = json(response)
  t.equal(error.code, 'VALIDATION_FAILED')
  t.not(error.message, 'Some fields need attention.', 'the message is not the English one')
  t.ok(error.fields.name && error.fields.email)
  const viaLocale = json(await sign(app, slug, { kind: 'individual', email: 'x', country: 'VE', name: 'A', locale: 'es' }))
  t.equal(viaLocale.error.message, error.message, 'the body locale chooses the language too')
})

eachDatabase(t, 'text is trimmed, NFC-normalised and stripped of control characters', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const decomposed = 'Jose\u0301 Mari\u0301a'
  const response = await sign(app, slug, person({ name: `  ${decomposed}\u0000\u0007\n `, city: '\tMérida\u200B ', role: '   ' }))
  t.equal(response.statusCode, 201)
  const [row] = await signatureRows(app)
  t.equal(row?.name, 'José María')
  t.equal(row?.name, 'José María'.normalize('NFC'))
  t.equal(row?.city, 'Mérida\u200B', 'zero-width characters are not controls and are kept')
  t.equal(row?.role, null, 'a field left blank is not stored')
})

eachDatabase(t, 'a name made only of spaces is missing, not empty', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await sign(app, slug, person({ name: ' \u0000 ' }))
  t.equal(response.statusCode, 400)
  t.equal(json(response).error.fields.name, 'This field is required.')
})

eachDatabase(t, 'one signature per email per appeal, and a second one answered exactly like a first', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const other = await appeal(app, owner)
  const first = await sign(app, slug, person({ email: 'maria@example.org', name: 'María' }))
  t.equal(first.statusCode, 201)
  const again = await sign(app, slug, person({ email: '  MARIA@example.org ', name: 'Someone else' }))
  const stable = ({ statusCode, headers, body }: typeof first) => {
    const { date: _date, 'x-request-id': _id, ...rest } = headers
    return { statusCode, headers: rest, body }
  }
  t.same(stable(again), stable(first), 'the same status, headers and body: nobody learns that the address signed')
  const rows = await signatureRows(app)
  t.equal(rows.length, 1)
  t.equal(rows[0]?.name, 'María', 'the first signature is untouched')
  t.equal((await sign(app, other, person({ email: 'maria@example.org' }))).statusCode, 201, 'the same person may sign another appeal')
})

eachDatabase(t, 'the honeypot must stay empty', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await sign(app, slug, person({ website: 'http://spam.example' }))
  t.equal(response.statusCode, 400)
  t.equal(json(response).error.code, 'SPAM_SUSPECTED')
  t.ok(json(response).error.fields.website)
  t.equal((await signatureRows(app)).length, 0)
  t.equal((await sign(app, slug, person({ website: '' }))).statusCode, 201, 'an empty honeypot is fine')
})

eachDatabase(t, 'only an open appeal within its dates takes signatures', async (t, { app }) => {
  const owner = await organiser(app)
  const draft = await appeal(app, owner, {}, false)
  const closed = await appeal(app, owner)
  await app.inject({ method: 'POST', url: `/api/admin/appeals/${closed}/close`, headers: owner.auth })
  const future = await appeal(app, owner, { opensAt: new Date(Date.now() + 86_400_000).toISOString() })
  const past = await appeal(app, owner, { opensAt: '2020-01-01T00:00:00Z', closesAt: '2020-02-01T00:00:00Z' })

  const draftAnswer = await sign(app, draft, person())
  t.equal(draftAnswer.statusCode, 404, 'a draft does not exist for the public')
  t.equal(json(draftAnswer).error.code, 'APPEAL_NOT_FOUND')
  const closedAnswer = await sign(app, closed, person())
  t.equal(closedAnswer.statusCode, 409)
  t.equal(json(closedAnswer).error.code, 'APPEAL_CLOSED')
  const futureAnswer = await sign(app, future, person())
  t.equal(json(futureAnswer).error.code, 'APPEAL_NOT_YET_OPEN')
  t.match(json(futureAnswer).error.message, /opens for signatures on \d{4}-/)
  t.equal(json(await sign(app, past, person())).error.code, 'APPEAL_CLOSED')
  t.equal(json(await sign(app, 'no-such-appeal', person())).error.code, 'APPEAL_NOT_FOUND')
  t.equal((await signatureRows(app)).length, 0)
})

eachDatabase(t, 'fields an appeal does not collect are not stored', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { collectCity: false, collectRole: false, collectOrganisation: false })
  t.equal((await sign(app, slug, person({ city: 'Valencia', role: 'nurse', organisation: 'Clinic' }))).statusCode, 201)
  const [row] = await signatureRows(app)
  t.match(row, { city: null, role: null, organisation: null })
})

eachDatabase(t, 'an appeal needing confirmation keeps the signature pending', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  const response = await sign(app, slug, person())
  t.same(json(response), { status: 'pending' })
  const [row] = await signatureRows(app)
  t.equal(row?.status, 'pending')
  t.equal(row?.confirmedAt, null)
})

eachDatabase(t, 'malformed requests get their own codes', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const url = `/api/appeals/${slug}/signatures`
  const notJson = await app.inject({ method: 'POST', url, payload: '{"kind":', headers: { 'content-type': 'application/json' } })
  t.equal(notJson.statusCode, 400)
  t.equal(json(notJson).error.code, 'INVALID_JSON')
  const form = await app.inject({ method: 'POST', url, payload: 'name=x', headers: { 'content-type': 'text/plain' } })
  t.equal(form.statusCode, 415)
  t.equal(json(form).error.code, 'UNSUPPORTED_MEDIA_TYPE')
  const huge = await app.inject({ method: 'POST', url, payload: person({ name: 'x'.repeat(300_000) }) })
  t.equal(huge.statusCode, 413)
  t.equal(json(huge).error.code, 'BODY_TOO_LARGE')
  t.equal((await signatureRows(app)).length, 0)
})

eachDatabase(t, 'a pending signature and what it sets off are one statement: written together or not at all', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  const target = await app.services.appeals.getPublic(slug)
  const service = (name: string, after: SQL) => createSignaturesService(app.db, {
    keys: app.keys,
    sealer: app.sealer,
    consentVersion: '2026-11',
    pendingStatement: {
      columns: { marker: 'text' },
      build: (insert) => sql`new_signature as (${insert}) ${after}`,
      values: () => ({ marker: name })
    }
  })
  const context = { ip: '192.0.2.7', source: 'api', language: 'es' } as const
  const working = service('working', sql`select count(*), min(i.language), min(i.marker) from new_signature, input i`)
  t.same(await working.sign(target, person({ email: 'Hook@Example.org' }) as never, context), { status: 'pending' })
  const failing = service('failing', sql`select 1 / (count(*) - 1) from new_signature`)
  await t.rejects(failing.sign(target, person({ email: 'lost@example.org' }) as never, context), 'what it sets off fails')
  t.same((await signatureRows(app)).map((r) => r.email), ['hook@example.org'], 'so the signature was not kept either')
  t.same(await working.sign(target, person({ email: 'hook@example.org', name: 'Someone Else' }) as never, context), { status: 'pending' },
    'signing again answers as the first time did')
  t.same((await signatureRows(app)).map((r) => r.name), ['Ana Pérez'], 'and leaves the first signature as it was')
})
