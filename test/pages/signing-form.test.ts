import t from 'tap'
import { eachDatabase } from '../helpers/app.js'
import { appeal, organiser, person, sign, signatureRows } from '../helpers/fixtures.js'
import { byClass, byId, fill, hrefs, inputValue, options, postForm, startTag, strings, text } from './html.js'

const en = { pages: strings('en', 'pages'), errors: strings('en', 'errors') }
const es = { pages: strings('es', 'pages'), errors: strings('es', 'errors') }

const fieldError = (body: string, name: string): string | undefined => {
  const inner = byId(body, `${name}-error`)
  return inner === undefined ? undefined : text(inner)
}
const summary = (body: string): string => text(byId(body, 'form-errors') ?? '')
const location = (response: { headers: Record<string, unknown> }): string => String(response.headers.location ?? '')

const valid = (overrides: Record<string, string> = {}): Record<string, string> => ({
  kind: 'individual', name: 'Ana Pérez', email: 'ana@example.org', country: 'VE', city: 'Caracas', locale: 'en', public: 'on', ...overrides
})

eachDatabase(t, 'a refused form comes back with messages next to the fields and what was typed', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const response = await postForm(app, slug, { kind: 'individual', name: '', email: 'not-an-email', country: 'VE', city: 'Mérida', role: 'delegate', public: 'on' })
  t.equal(response.statusCode, 400)
  t.match(response.headers['content-type'], /^text\/html/)
  t.equal(fieldError(response.body, 'name'), en.errors.validation.required)
  t.equal(fieldError(response.body, 'email'), en.errors.validation.email)
  t.equal(fieldError(response.body, 'country'), undefined, 'no message for a field that was right')
  t.match(startTag(response.body, 'field-name'), /aria-describedby="name-error" aria-invalid="true"/, 'the message is tied to its field')
  t.match(startTag(response.body, 'field-email'), /aria-describedby="email-help email-error" aria-invalid="true"/)
  t.equal(inputValue(response.body, 'email'), 'not-an-email', 'the email is kept')
  t.equal(inputValue(response.body, 'city'), 'Mérida', 'the city is kept')
  t.equal(inputValue(response.body, 'role'), 'delegate')
  t.same(options(response.body, 'field-country').filter((o) => o.selected).map((o) => o.value), ['VE'], 'the country stays chosen')
  t.match(startTag(response.body, 'field-public'), /\schecked/, 'the public box stays ticked')
  t.ok(summary(response.body).startsWith(en.pages.form.errorSummary), 'a summary heads the form')
  t.same(hrefs(byId(response.body, 'form-errors') ?? ''), ['#field-name', '#field-email'], 'and links to each field')
  t.equal((await signatureRows(app)).length, 0, 'nothing is written')
})

eachDatabase(t, 'the form\'s messages are in the reader\'s language', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const response = await postForm(app, slug, { kind: 'individual', name: '', email: 'x', country: 'VE', locale: 'es' }, { 'accept-language': 'es-ES,es;q=0.9' })
  t.equal(response.statusCode, 400)
  t.match(response.body, /<html lang="es"/)
  t.equal(fieldError(response.body, 'name'), es.errors.validation.required)
  t.equal(fieldError(response.body, 'email'), es.errors.validation.email)
  t.not(es.errors.validation.email, en.errors.validation.email, 'really another language')
  t.ok(summary(response.body).startsWith(es.pages.form.errorSummary))
  t.equal((await signatureRows(app)).length, 0)
})

eachDatabase(t, 'a valid form signs and sends the signer to the thanks page', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const response = await postForm(app, slug, valid({ email: 'Ana@Example.org', contact: 'on' }))
  t.equal(response.statusCode, 303, 'See Other, so reloading the thanks page does not post again')
  t.equal(location(response), `/appeals/${slug}/thanks`)
  const rows = await signatureRows(app)
  t.equal(rows.length, 1)
  t.match(rows[0], { kind: 'individual', status: 'confirmed', name: 'Ana Pérez', email: 'ana@example.org', country: 'VE', city: 'Caracas', public: true, contact: true, source: 'web', locale: 'en' })
  const thanks = await app.inject({ url: location(response) })
  t.equal(thanks.statusCode, 200)
  t.equal(text(byClass(thanks.body, 'p', 'thanks-status')[0] ?? ''), fill(en.pages.thanks.confirmed, { title: 'Hands off Venezuela' }))
  t.match(thanks.body, /<meta name="robots" content="noindex">/)
})

eachDatabase(t, 'unticked boxes mean no', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const { public: _public, ...fields } = valid()
  const response = await postForm(app, slug, fields)
  t.equal(response.statusCode, 303)
  const [row] = await signatureRows(app)
  t.equal(row?.public, false, 'no public box: not shown in the list')
  t.equal(row?.contact, false)
  t.equal(row?.source, 'web')
  const list = await app.inject({ url: `/appeals/${slug}/signatures` })
  t.notMatch(list.body, /Ana Pérez/, 'and the name is not listed')
})

eachDatabase(t, 'a second signature with the same email gets the same thanks on the page, and changes nothing', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const first = await postForm(app, slug, valid({ name: 'First' }))
  t.equal(first.statusCode, 303)
  const again = await postForm(app, slug, valid({ name: 'Second', email: ' ANA@example.org ', locale: 'es' }), { 'accept-language': 'de' })
  t.equal(again.statusCode, 303)
  t.equal(again.headers.location, first.headers.location, 'on to the same thanks: nobody learns that the address signed')
  const rows = await signatureRows(app)
  t.equal(rows.length, 1, 'still one signature')
  t.equal(rows[0]?.name, 'First', 'the first one untouched')
  t.equal(rows[0]?.name, 'First', 'the first is untouched')
})

eachDatabase(t, 'a form with the honeypot filled is refused and writes nothing', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const response = await postForm(app, slug, valid({ website: 'http://spam.example' }))
  t.equal(response.statusCode, 400)
  t.ok(summary(response.body).startsWith(en.errors.code.SPAM_SUSPECTED))
  t.notMatch(startTag(response.body, 'field-website'), /\svalue="[^"]/, 'the honeypot is not filled back in')
  t.equal((await signatureRows(app)).length, 0)
  t.equal((await postForm(app, slug, valid({ website: '' }))).statusCode, 303, 'an empty honeypot is fine')
})

eachDatabase(t, 'an organisation must give its name, type and members', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const response = await postForm(app, slug, { kind: 'organisation', name: 'Sam', email: 'sam@example.org', country: 'GB', organisation: '', organisationType: '', members: '' })
  t.equal(response.statusCode, 400)
  t.equal(fieldError(response.body, 'organisation'), en.errors.validation.organisationRequired)
  t.equal(fieldError(response.body, 'organisationType'), en.errors.validation.organisationTypeRequired)
  t.equal(fieldError(response.body, 'members'), en.errors.validation.membersRequired)
  t.match(startTag(response.body, 'signing-form'), /data-kind="organisation"/, 'the form stays on the organisation choice')
  t.match(startTag(response.body, 'kind-organisation'), /\schecked/)
  t.equal((await signatureRows(app)).length, 0)

  const wrongMembers = await postForm(app, slug, { kind: 'organisation', name: 'Sam', email: 'sam@example.org', country: 'GB', organisation: 'TWU', organisationType: 'trade_union', members: 'many' })
  t.equal(wrongMembers.statusCode, 400)
  t.equal(fieldError(wrongMembers.body, 'members'), en.errors.validation.wholeNumber)
  t.equal(inputValue(wrongMembers.body, 'members'), 'many')
  t.same(options(wrongMembers.body, 'field-organisationType').filter((o) => o.selected).map((o) => o.value), ['trade_union'])

  const ok = await postForm(app, slug, { kind: 'organisation', name: 'Sam', email: 'sam@example.org', country: 'GB', organisation: 'TWU', organisationType: 'trade_union', members: '120000', public: 'on' })
  t.equal(ok.statusCode, 303)
  const rows = await signatureRows(app)
  t.equal(rows.length, 1)
  t.match(rows[0], { kind: 'organisation', organisation: 'TWU', organisationType: 'trade_union', members: 120000, source: 'web' })
})

/** The label of a field as the reader sees it for one kind: the other kind's text is hidden by the stylesheet. */
function labelFor (body: string, name: string, kind: 'individual' | 'organisation'): string {
  const label = /<label for="field-([^"]+)">([\s\S]*?)<\/label>/g
  const inner = [...body.matchAll(label)].find((m) => m[1] === name)?.[2] ?? ''
  const other = kind === 'individual' ? 'when-organisation' : 'when-individual'
  return text(inner.replace(new RegExp(`<span class="${other}">[\\s\\S]*?</span></span>|<span class="${other}">[^<]*</span>`, 'g'), ''))
}
const optional = `(${en.pages.form.optional})`

eachDatabase(t, 'labels say what each kind of signature requires, and change with the kind without JavaScript', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const page = (await app.inject({ url: `/appeals/${slug}` })).body
  t.equal(labelFor(page, 'organisation', 'individual'), `${en.pages.form.organisation} ${optional}`, 'an individual may give an organisation')
  t.equal(labelFor(page, 'organisation', 'organisation'), en.pages.form.organisationName, 'an organisation must give its name: not optional')
  t.equal(labelFor(page, 'members', 'organisation'), en.pages.form.members, 'members are required of an organisation')
  t.equal(labelFor(page, 'organisationType', 'organisation'), en.pages.form.organisationType)
  t.match(startTag(page, 'field-members'), /\srequired/)
  t.match(startTag(page, 'field-organisationType'), /\srequired/)
  t.notMatch(startTag(page, 'field-organisation'), /\srequired/, 'the organisation is not required while an individual is checked')
  t.match(startTag(page, 'kind-individual'), /\schecked/)
  t.equal(byClass(page, 'fieldset', 'organisation-only').length, 1, 'the organisation\'s own fields are written, for the stylesheet to show when chosen')

  const refused = await postForm(app, slug, { kind: 'organisation', name: 'Sam', email: 'sam@example.org', country: 'GB', organisation: '', organisationType: '', members: '' })
  t.match(startTag(refused.body, 'field-organisation'), /\srequired/, 'sent back as an organisation, its name is marked required')
  t.equal(labelFor(refused.body, 'organisation', 'organisation'), en.pages.form.organisationName)
  for (const name of ['organisation', 'organisationType', 'members']) {
    t.notMatch(labelFor(refused.body, name, 'organisation'), optional, `${name}, refused when empty, is not labelled optional`)
  }

  const individualsOnly = await appeal(app, await organiser(app), { allowOrganisations: false, collectOrganisation: true })
  const plain = (await app.inject({ url: `/appeals/${individualsOnly}` })).body
  t.equal(labelFor(plain, 'organisation', 'individual'), `${en.pages.form.organisation} ${optional}`, 'where only individuals sign, one label')
  t.notMatch(plain, /when-organisation/)
})

eachDatabase(t, 'an individual who also filled the organisation\'s fields is signed without them', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const response = await postForm(app, slug, valid({ organisation: 'UNETE', organisationType: 'trade_union', members: '500' }))
  t.equal(response.statusCode, 303)
  const rows = await signatureRows(app)
  t.equal(rows.length, 1)
  t.match(rows[0], { kind: 'individual', organisation: 'UNETE', organisationType: null, members: null })
})

eachDatabase(t, 'an appeal that asks for confirmation says so on the thanks page', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app), { requireConfirmation: true })
  const response = await postForm(app, slug, valid(), { 'accept-language': 'es' })
  t.equal(response.statusCode, 303)
  t.equal(location(response), `/appeals/${slug}/thanks?status=pending`)
  const rows = await signatureRows(app)
  t.equal(rows.length, 1)
  t.equal(rows[0]?.status, 'pending')
  const thanks = await app.inject({ url: location(response), headers: { 'accept-language': 'es' } })
  t.equal(thanks.statusCode, 200)
  t.equal(text(byClass(thanks.body, 'p', 'thanks-status')[0] ?? ''), es.pages.thanks.pending)
})

eachDatabase(t, 'a closed appeal refuses the form and writes nothing', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/close`, headers: owner.auth })).statusCode, 200)
  const response = await postForm(app, slug, valid())
  t.equal(response.statusCode, 409)
  t.match(response.headers['content-type'], /^text\/html/)
  t.ok(text(response.body).includes(en.pages.appeal.closed), 'the closed notice is shown')
  t.equal(startTag(response.body, 'signing-form'), undefined, 'and no form')
  t.equal((await signatureRows(app)).length, 0)
  const missing = await postForm(app, 'no-such-appeal', valid())
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-type'], /^text\/html/, 'a form posted to a missing appeal gets the page, not JSON')
})

eachDatabase(t, 'a form signature and an API signature with the same email are one person', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  t.equal((await sign(app, slug, person({ email: 'ana@example.org' }))).statusCode, 201)
  const response = await postForm(app, slug, valid())
  t.equal(response.statusCode, 303)
  t.same((await signatureRows(app)).map((r) => r.source), ['api'])
})

eachDatabase(t, 'too many forms from one address get a translated page', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  t.equal((await postForm(app, slug, valid({ email: 'one@example.org' }))).statusCode, 303)
  t.equal((await postForm(app, slug, valid({ email: 'two@example.org' }))).statusCode, 303)
  const limited = await postForm(app, slug, valid({ email: 'three@example.org' }), { 'accept-language': 'es' })
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], /^text\/html/)
  t.match(limited.body, /<html lang="es"/)
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const [before = '', after = ''] = String(es.errors.code.RATE_LIMITED).split('{{seconds}}')
  t.match(text(limited.body), new RegExp(`${escape(before)}\\d+${escape(after)}`), 'the message says when to try again')
  t.equal((await signatureRows(app)).length, 2)
}, { RATE_LIMIT_SIGN_MAX: '2' })

eachDatabase(t, 'the language links on a refused form lead to a page that exists', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const response = await postForm(app, slug, { kind: 'individual', name: '', email: 'x', country: 'VE' })
  t.equal(response.statusCode, 400)
  const nav = /<nav class="languages"[\s\S]*?<\/nav>/.exec(response.body)?.[0] ?? ''
  const french = hrefs(nav).find((href) => href.endsWith('lang=fr'))
  t.ok(french !== undefined, 'there is a link to the French page')
  const followed = await app.inject({ url: french ?? '' })
  t.equal(followed.statusCode, 200, 'following it shows the appeal in French')
})
