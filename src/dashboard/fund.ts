import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { html } from 'ghtml'
import { Type } from 'typebox'
import type { Appeal } from '../appeals/service.js'
import { fundWidgetPath } from '../embed/fund.js'
import { amountText, formatMoney, parseAmount } from '../fund/money.js'
import { FundSettingsInput, RecordContributionInput, RejectInput, SpendingInput } from '../fund/schemas.js'
import type { FundSettings, RevealedContribution } from '../fund/service.js'
import { appError } from '../errors/app-error.js'
import { Slug, SlugParams } from '../http/schemas.js'
import { languages } from '../i18n/index.js'
import { signedIn } from '../organisers/auth.js'
import { fundSummary } from '../pages/templates/fund.js'
import { isRefusal, throughSchema, type Refusal } from './form-input.js'
import { appealHeader } from './templates/appeal-nav.js'
import { buttonForm, checkboxField, csrfField, errorSummary, inputField, selectField, textareaField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin, type AdminView } from './view.js'

/** The settings form's field for a refused API field: `rates.XYZ` is the rates box, `texts.es.ways.0.text` the Spanish ways. */
function settingsField (field: string): string {
  const [first, language, part] = field.split('.')
  if (first === 'rates') return 'rates'
  if (first === 'texts' && language !== undefined && (part === 'purpose' || part === 'ways')) return `${part}_${language}`
  return field
}

const ContributionParams = Type.Object({ slug: Slug, id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) })
// Checked in the handler, after the appeal is found among the organiser's: another organiser's appeal is a 404 whatever the id.
const UuidParams = Type.Object({ slug: Slug, id: Type.String({ maxLength: 40 }) })
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const Form = Type.Record(Type.String(), Type.Unknown())
const PageQuery = Type.Object({ notice: Type.Optional(Type.String({ maxLength: 40 })), lang: Type.Optional(Type.String({ maxLength: 35 })) })
const WAY_SEPARATOR = /^\s*---\s*$/m

const text = (body: Record<string, unknown>, name: string): string | undefined => typeof body[name] === 'string' && body[name] !== '' ? body[name] : undefined

/** The ways of one language as the form's textarea shows them: blocks of a title line and Markdown, between "---" lines. */
const waysText = (ways: FundSettings['texts'][string]['ways']): string => ways.map((w) => `${w.title}\n${w.text}`).join('\n---\n')

/** The form's ways back as the API's; the n-th way keeps the key it had (reports name it), in every language alike. */
function waysOf (value: string | undefined, keys: string[]) {
  if (value === undefined) return []
  return value.split(WAY_SEPARATOR).map((block) => block.trim()).filter((block) => block !== '').map((block, index) => {
    const [title = '', ...rest] = block.split('\n')
    return { key: keys[index] ?? `way-${index + 1}`, title: title.trim(), text: rest.join('\n').trim() || title.trim() }
  })
}

/** The settings form's fields as the API's body. */
function settingsInput (body: Record<string, unknown>, current: FundSettings, appealLanguages: string[]) {
  const currency = text(body, 'goalCurrency') ?? 'EUR'
  const goal = text(body, 'goalAmount')
  const rates: Record<string, number | string> = {}
  for (const line of (text(body, 'rates') ?? '').split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [code = '', rate = ''] = line.split(/\s+/)
    rates[code.toUpperCase()] = /^\d+([.,]\d+)?$/.test(rate) ? Number(rate.replace(',', '.')) : rate
  }
  const keys = Object.values(current.texts)[0]?.ways.map((w) => w.key) ?? []
  const texts: Record<string, unknown> = {}
  for (const language of appealLanguages) {
    const purpose = text(body, `purpose_${language}`) ?? ''
    const ways = waysOf(text(body, `ways_${language}`), keys)
    if (purpose !== '' || ways.length > 0) texts[language] = { purpose, ways }
  }
  return {
    enabled: body.enabled === 'on', goalCurrency: currency, goalAmount: goal === undefined ? null : parseAmount(goal, currency) ?? goal,
    rates, ratesDate: text(body, 'ratesDate') ?? null, texts
  }
}

/** A money field of a form as the API's minor units (or the text itself, for the schema to name what is wrong). */
const minor = (body: Record<string, unknown>, currency: string): number | string | undefined => {
  const typed = text(body, 'amount')
  return typed === undefined ? undefined : parseAmount(typed, currency) ?? typed
}

interface FundPageState { settings?: Refusal, record?: Refusal, spending?: Refusal }

function receiptCell (view: AdminView, appeal: Appeal, c: RevealedContribution): string {
  if (c.receiptId === null) return ''
  const url = `/admin/appeals/${appeal.slug}/fund/receipts/${c.receiptId}`
  const label = view.t('fund:admin.openReceipt')
  return c.receiptType?.startsWith('image/') === true
    ? html`<a href="${url}"><img src="${url}" alt="${view.t('fund:admin.receipt')}" class="receipt-thumb" style="max-width:12rem;max-height:12rem" loading="lazy"></a>`
    : html`<a href="${url}">${label}</a>`
}

function contributionRow (view: AdminView, appeal: Appeal, c: RevealedContribution): string {
  const f = (key: string): string => view.t(key, { ns: 'fund' })
  const base = `/admin/appeals/${appeal.slug}/fund/contributions/${c.id}`
  const erased = c.erasedAt !== null || c.anonymisedAt !== null
  const who = erased ? f('admin.erased') : [c.name, c.email, c.country === null ? null : view.country(c.country)].filter(Boolean).join(' · ')
  return html`<tr id="contribution-${c.id}"><th scope="row">${formatMoney(view.lang, c.amountMinor, c.currency)}</th>
<td data-label="${f('admin.date')}">${view.date(c.contributedOn)}</td>
<td data-label="${f('admin.who')}">${who}!${c.message === null ? '' : html`<br><q>${c.message}</q>`}</td>
<td data-label="${f('admin.way')}">${c.way ?? ''}!${c.reference === null ? '' : html`<br><span class="muted">${f('admin.reference')}: ${c.reference}</span>`}</td>
<td data-label="${f('admin.receipt')}">!${receiptCell(view, appeal, c)}</td>
<td data-label="${f('admin.status')}">${f(`admin.statuses.${c.status}`)}!${c.rejectionReason === null ? '' : html`<br><span class="muted">${c.rejectionReason}</span>`}</td>
<td class="actions">!${c.status === 'verified'
? ''
: buttonForm(view, `${base}/verify`, f('admin.verify'),
  { name: `${f('admin.verify')}: ${amountText(c.amountMinor, c.currency)} ${c.currency}` })}
!${c.status === 'rejected' ? '' : html`<form method="post" action="${base}/reject" class="inline-form">!${csrfField(view)}<label for="reason-${c.id}" class="visually-hidden">${f('admin.reason')}</label><input id="reason-${c.id}" name="reason" required maxlength="500" placeholder="${f('admin.reason')}"> <button type="submit" class="button small secondary">${f('admin.reject')}</button></form>`}
!${erased || c.source === 'organiser' ? '' : buttonForm(view, `${base}/erase`, f('admin.erase'), { secondary: true })}</td></tr>`
}

function table (view: AdminView, appeal: Appeal, rows: RevealedContribution[]): string {
  const f = (key: string): string => view.t(key, { ns: 'fund' })
  return html`<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${f('admin.amount')}</th><th scope="col">${f('admin.date')}</th><th scope="col">${f('admin.who')}</th><th scope="col">${f('admin.way')}</th><th scope="col">${f('admin.receipt')}</th><th scope="col">${f('admin.status')}</th><th scope="col">${view.a('signatures.actions')}</th></tr></thead>
<tbody>!${rows.map((c) => contributionRow(view, appeal, c))}</tbody></table></div>`
}

// The fund for its organisers: the queue of reports (each receipt shown inline), one-click verification
// and rejection, contributions recorded by hand, spending, exports, the counter's snippet, and the settings.
const fundPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, fund } = app.services

  async function page (request: FastifyRequest, reply: FastifyReply, appeal: Appeal, state: FundPageState = {}, status = 200) {
    const view = adminView(request, reply)
    const f = (key: string, options: Record<string, unknown> = {}): string => view.t(key, { ...options, ns: 'fund' })
    const [texts, settings, all, spending, open] = await Promise.all([appeals.texts(appeal), fund.settings(appeal), fund.list(appeal),
      fund.listSpending(appeal), fund.find(appeal)])
    const account = open === undefined ? undefined : await fund.account(appeal, open)
    const queue = all.filter((c) => c.status === 'reported')
    const others = all.filter((c) => c.status !== 'reported')
    const base = `/admin/appeals/${appeal.slug}/fund`
    const appealLanguages = Object.keys(texts).filter((l) => languages.includes(l))
    const currencies = Intl.supportedValuesOf('currency').map((c) => ({ value: c, label: c }))
    const snippet = html`<iframe src="${app.pages.publicUrl(request, fundWidgetPath(appeal.slug))}?lang=${view.lang}" title="${f('widget.title', { title: appeal.slug })}" width="100%" height="300" style="border:0;max-width:100%" loading="lazy"></iframe>`
    const main = appealHeader(view, appeal, texts, 'fund', f('admin.title')) + html`
!${account === undefined
? ''
: html`<section aria-labelledby="totals-heading"><h2 id="totals-heading">${f('admin.totals')}</h2>!${fundSummary(view, account, 'h1')}
<p><a href="/appeals/${appeal.slug}/fund">${f('admin.publicPage')}</a> · ${f('admin.exports')}: <a href="/api/admin/appeals/${appeal.slug}/fund/contributions.csv" download>${f('admin.exportContributions')}</a> · <a href="/api/admin/appeals/${appeal.slug}/fund/spending.csv" download>${f('admin.exportSpending')}</a></p></section>`}
<section aria-labelledby="queue-heading"><h2 id="queue-heading">${f('admin.queue')}</h2>
!${queue.length === 0 ? html`<p>${f('admin.noQueue')}</p>` : table(view, appeal, queue)}</section>
<section aria-labelledby="all-heading"><h2 id="all-heading">${f('admin.all')}</h2>
!${others.length === 0 ? html`<p>${f('admin.none')}</p>` : table(view, appeal, others)}
<details!${state.record === undefined ? '' : ' open'}><summary>${f('admin.record')}</summary>
!${errorSummary(view, state.record?.message, state.record?.fields ?? {})}
<form method="post" action="${base}/contributions" class="admin-form" novalidate>!${csrfField(view)}
!${inputField({ name: 'amount', label: f('admin.amount'), required: true, maxlength: 20, attributes: 'inputmode="decimal"' })}
!${selectField({ name: 'currency', label: f('form.currency'), value: settings.goalCurrency, options: currencies })}
!${inputField({ name: 'date', label: f('admin.date'), type: 'date', required: true })}
!${inputField({ name: 'way', label: f('admin.way'), maxlength: 40 })}
!${selectField({
 name: 'country', label: view.t('form.country'), options: [{ value: '', label: view.t('form.countryChoose') },
  ...view.countries.map((c) => ({ value: c.code, label: c.name }))]
})}
!${inputField({ name: 'name', label: f('form.name'), maxlength: 120 })}
<p><button type="submit" class="button">${f('admin.recordButton')}</button></p></form></details></section>
<section aria-labelledby="spending-heading"><h2 id="spending-heading">${f('admin.spending')}</h2>
!${spending.length === 0 ? html`<p>${f('admin.noSpending')}</p>` : html`<ul class="spending-list">!${spending.map((s) => html`<li>${view.date(s.spentOn)} · ${s.purpose} · ${formatMoney(view.lang, s.amountMinor, s.currency)}!${s.receiptId === null ? '' : html` · <a href="${base}/receipts/${s.receiptId}">${f('admin.openReceipt')}</a>`} !${buttonForm(view, `${base}/spending/${s.id}/remove`, f('admin.removeSpending'), { secondary: true, name: `${f('admin.removeSpending')}: ${s.purpose}` })}</li>`)}</ul>`}
<details!${state.spending === undefined ? '' : ' open'}><summary>${f('admin.addSpending')}</summary>
!${errorSummary(view, state.spending?.message, state.spending?.fields ?? {})}
<form method="post" action="${base}/spending" enctype="multipart/form-data" class="admin-form" novalidate>!${csrfField(view)}
!${inputField({ name: 'amount', label: f('admin.amount'), required: true, maxlength: 20, attributes: 'inputmode="decimal"' })}
!${selectField({ name: 'currency', label: f('form.currency'), value: settings.goalCurrency, options: currencies })}
!${inputField({ name: 'date', label: f('admin.date'), type: 'date', required: true })}
!${inputField({ name: 'purpose', label: f('admin.purposeSpent'), required: true, maxlength: 200 })}
<div class="field"><label for="field-receipt">${f('admin.receipt')}</label><input id="field-receipt" name="receipt" type="file" accept="image/jpeg,image/png,image/webp,application/pdf"></div>
!${checkboxField('receiptPublic', f('admin.receiptPublic'), false)}
<p><button type="submit" class="button">${f('admin.addSpending')}</button></p></form></details></section>
<section aria-labelledby="settings-heading"><h2 id="settings-heading">${f('admin.settings')}</h2>
!${errorSummary(view, state.settings?.message, state.settings?.fields ?? {})}
<form method="post" action="${base}/settings" class="admin-form" novalidate>!${csrfField(view)}
!${checkboxField('enabled', f('admin.enabled'), settings.enabled)}
!${selectField({ name: 'goalCurrency', label: f('admin.goalCurrency'), value: settings.goalCurrency, options: currencies })}
!${inputField({
 name: 'goalAmount', label: f('admin.goalAmount'), value: settings.goalAmount === null
? ''
: amountText(settings.goalAmount,
  settings.goalCurrency), maxlength: 20, attributes: 'inputmode="decimal"'
})}
!${textareaField({
 name: 'rates', label: f('admin.rates'), help: f('admin.ratesHelp'), rows: 3, value: Object.entries(settings.rates).map(([c,
  r]) => `${c} ${r}`).join('\n')
})}
!${inputField({ name: 'ratesDate', label: f('admin.ratesDate'), type: 'date', value: settings.ratesDate ?? '' })}
!${appealLanguages.map((language) => html`<fieldset lang="${language}"><legend>${f('admin.textIn', { language: view.languageName(language) })}</legend>
!${textareaField({ name: `purpose_${language}`, label: f('admin.purpose'), rows: 3, value: settings.texts[language]?.purpose ?? '' })}
!${textareaField({
 name: `ways_${language}`, label: f('admin.ways'), help: f('admin.waysHelp'), rows: 6,
  value: waysText(settings.texts[language]?.ways ?? [])
})}</fieldset>`)}
<p><button type="submit" class="button">${f('admin.save')}</button></p></form></section>
!${account === undefined ? '' : html`<section aria-labelledby="embed-heading"><h2 id="embed-heading">${f('admin.embed')}</h2><p>${f('admin.embedHelp')}</p><pre class="snippet"><code>${snippet}</code></pre></section>`}`
    return sendAdmin(reply, view, f('admin.title'), main, status)
  }

  const managed = async (request: FastifyRequest & { params: { slug: string } }) => appeals.getManaged(signedIn(request), request.params.slug)

  app.get('/appeals/:slug/fund', { schema: { hide: true, params: SlugParams, querystring: PageQuery } }, async (request, reply) => page(request, reply,
    await managed(request)))

  app.post('/appeals/:slug/fund/settings', { schema: { hide: true, params: SlugParams, body: Form } }, async (request, reply) => {
    const appeal = await managed(request)
    const current = await fund.settings(appeal)
    const input = settingsInput(request.body, current, Object.keys(await appeals.texts(appeal)))
    const saved = await throughSchema(request, FundSettingsInput, input, async () => fund.saveSettings(appeal, input as FundSettings), settingsField)
    if (isRefusal(saved)) return page(request, reply, appeal, { settings: saved }, saved.status)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/fund`, 'fundSaved')
  })

  app.post('/appeals/:slug/fund/contributions', { schema: { hide: true, params: SlugParams, body: Form } }, async (request, reply) => {
    const who = signedIn(request)
    const appeal = await managed(request)
    const currency = text(request.body, 'currency') ?? 'EUR'
    const input = Object.fromEntries(Object.entries({
      amount: minor(request.body, currency), currency, date: text(request.body, 'date'), way: text(request.body, 'way'), country: text(request.body,
        'country'), name: text(request.body, 'name')
    }).filter(([, v]) => v !== undefined))
    const recorded = await throughSchema(request, RecordContributionInput, input, async () => fund.record(appeal, input as never, who.id))
    if (isRefusal(recorded)) return page(request, reply, appeal, { record: recorded }, recorded.status)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/fund`, 'contributionRecorded')
  })

  app.post('/appeals/:slug/fund/contributions/:id/verify', { schema: { hide: true, params: ContributionParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await fund.verify(appeal, request.params.id, signedIn(request).id)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/fund`, 'contributionVerified')
  })

  app.post('/appeals/:slug/fund/contributions/:id/reject', { schema: { hide: true, params: ContributionParams, body: Form } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const input = { reason: text(request.body, 'reason') }
    const rejected = await throughSchema(request, RejectInput, input, async () => fund.reject(appeal, request.params.id, signedIn(request).id, input.reason!))
    if (isRefusal(rejected)) return page(request, reply, appeal, {}, rejected.status)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/fund`, 'contributionRejected')
  })

  app.post('/appeals/:slug/fund/contributions/:id/erase', { schema: { hide: true, params: ContributionParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await fund.erase(appeal, request.params.id)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/fund`, 'contributionErased')
  })

  app.post('/appeals/:slug/fund/spending', { schema: { hide: true, params: SlugParams, body: Form } }, async (request, reply) => {
    const appeal = await managed(request)
    const currency = text(request.body, 'currency') ?? 'EUR'
    const file = request.body.receipt
    const input = Object.fromEntries(Object.entries({
      amount: minor(request.body, currency), currency, date: text(request.body, 'date'), purpose: text(request.body, 'purpose'),
      receipt: Buffer.isBuffer(file) && file.length > 0 ? file.toString('base64') : undefined, receiptPublic: request.body.receiptPublic === 'on'
    }).filter(([, v]) => v !== undefined))
    const added = await throughSchema(request, SpendingInput, input, async () => fund.addSpending(appeal, input as never))
    if (isRefusal(added)) return page(request, reply, appeal, { spending: added }, added.status)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/fund`, 'spendingAdded')
  })

  app.post('/appeals/:slug/fund/spending/:id/remove', { schema: { hide: true, params: UuidParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    if (!UUID.test(request.params.id)) throw appError('SPENDING_NOT_FOUND')
    await fund.removeSpending(appeal, request.params.id)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/fund`, 'spendingRemoved')
  })

  // The receipt inline in the queue: the appeal's organisers only, never cached, at a random address.
  app.get('/appeals/:slug/fund/receipts/:id', { schema: { hide: true, params: UuidParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    if (!UUID.test(request.params.id)) throw appError('RECEIPT_NOT_FOUND')
    const file = await fund.receipt(appeal, request.params.id, 'organiser')
    return reply.header('cache-control', 'private, no-store').header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', 'inline').type(file.mediaType).send(file.bytes)
  })
}

export default fundPages
