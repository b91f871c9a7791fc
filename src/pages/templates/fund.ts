import { html } from 'ghtml'
import type { Appeal } from '../../appeals/service.js'
import type { FundAccount } from '../../fund/account.js'
import { convert, formatMoney } from '../../fund/money.js'
import type { FundText } from '../../fund/service.js'
import { directionOf } from '../../i18n/index.js'
import { renderMarkdown } from '../markdown.js'
import type { View } from '../view.js'
import type { FormState } from './signing-form.js'

// The fund on the public site: the account (on its own page, and summed up on the appeal's), the ways
// to give, and the form with which a supporter reports what they sent. The form is plain HTML that
// works without JavaScript (a multipart post, since it carries the receipt's photo).

export interface FundView {
  appeal: Appeal
  account: FundAccount
  /** The fund's text in the language it is shown in. */
  text: FundText
  textLanguage: string
  /** The currencies the form offers: the goal's first, then those with a rate. */
  currencies: string[]
}

const f = (view: View, key: string, options: Record<string, unknown> = {}): string => view.t(key, { ...options, ns: 'fund' })
const money = (view: View, amount: number, currency: string): string => formatMoney(view.lang, amount, currency)
const converted = (view: View, a: FundAccount, amount: number, currency: string): string => {
  const value = convert(amount, currency, a.currency, a.rates)
  return value === undefined ? f(view, 'page.noRate') : money(view, value, a.currency)
}
const textAttrs = (view: View, language: string): string => language === view.lang ? '' : html` lang="${language}" dir="${directionOf(language)}"`

/** Raised, the goal and the progress to it, contributors and countries: the fund's counter (the widget shows the same). */
export function fundSummary (view: View, account: FundAccount, headingLevel: 'h2' | 'h1' = 'h2'): string {
  const goal = account.goal
  const progress = account.progress === null ? null : Math.min(1, account.progress)
  return html`<div class="fund-summary" id="fund-summary" data-raised="${account.raisedConverted}" data-currency="${account.currency}">
!${headingLevel === 'h1' ? '' : html`<h2 id="fund-heading">${f(view, 'section.heading')}</h2>`}
<p class="count"><data id="fund-raised" value="${account.raisedConverted}">${money(view, account.raisedConverted, account.currency)}</data></p>
<p class="muted">${f(view, 'summary.raised')}</p>
!${goal === null || progress === null ? '' : html`<p class="goal"><progress max="1" value="${progress}" aria-labelledby="fund-goal-text"></progress> <span id="fund-goal-text">${f(view, 'summary.progress', { ratio: account.progress, goal: money(view, goal.amount, goal.currency) })}</span></p>`}
<p>${f(view, 'summary.contributors', { count: account.contributors })} ${f(view, 'summary.countries', { count: account.countries })}</p>
!${account.raised.length > 1 || (account.raised[0] !== undefined && account.raised[0].currency !== account.currency)
    ? html`<p class="muted">${account.ratesDate === null ? f(view, 'summary.ratesOwn') : f(view, 'summary.ratesOn', { date: view.date(account.ratesDate) })}</p>`
    : ''}
</div>`
}

function amountInputs (view: View, state: FormState, currencies: string[], err: (name: string) => string, value: (name: string) => string): string {
  const chosen = value('currency') || currencies[0]
  return html`<div class="field" data-field="amount"><label for="fund-amount">${f(view, 'form.amount')}</label>!${err('amount')}
<input id="fund-amount" name="amount" type="text" inputmode="decimal" required maxlength="20" value="${value('amount')}" autocomplete="transaction-amount"!${state.errors.amount === undefined ? '' : ' aria-invalid="true" aria-describedby="amount-error"'}></div>
<div class="field" data-field="currency"><label for="fund-currency">${f(view, 'form.currency')}</label>!${err('currency')}
<select id="fund-currency" name="currency" required>!${currencies.map((c) => html`<option value="${c}"!${c === chosen ? ' selected' : ''}>${c}</option>`)}</select></div>`
}

/** The report form. */
export function reportForm (view: View, d: FundView, state: FormState, action: string): string {
  const t = view.t
  const value = (name: string): string => typeof state.values[name] === 'string' ? state.values[name] : ''
  const err = (name: string): string => state.errors[name] === undefined ? '' : html`<p class="field-error" id="${name}-error">${state.errors[name]}</p>`
  const optional = html` <span class="optional">(${t('form.optional')})</span>`
  const field = (name: string, label: string, input: string, help?: string): string =>
    html`<div class="field" data-field="${name}"><label for="fund-${name}">!${label}</label>!${help === undefined ? '' : html`<p class="help" id="${name}-help">${help}</p>`}!${err(name)}!${input}</div>`
  const invalid = (name: string): string => state.errors[name] === undefined ? '' : html` aria-invalid="true" aria-describedby="${name}-error"`
  const summary = Object.keys(state.errors).length > 0 || state.message !== undefined
    ? html`<div class="form-errors" id="fund-form-errors" role="alert" tabindex="-1"><p>${state.message ?? t('form.errorSummary')}</p>!${Object.keys(state.errors).length === 0 ? '' : html`<ul>!${Object.entries(state.errors).map(([name, message]) => html`<li><a href="#fund-${name}">${message}</a></li>`)}</ul>`}</div>`
    : ''
  const way = value('way') || d.text.ways[0]?.key
  return html`<form method="post" action="${action}" enctype="multipart/form-data" class="fund-form" id="fund-form" novalidate>
!${summary}
<input type="hidden" name="locale" value="${view.lang}">
!${amountInputs(view, state, d.currencies, err, value)}
!${field('date', f(view, 'form.date'), html`<input id="fund-date" name="date" type="date" required value="${value('date')}"!${invalid('date')}>`)}
<fieldset class="field" data-field="way"><legend>${f(view, 'form.way')}</legend>!${err('way')}
!${d.text.ways.map((w) => html`<div class="choice"><input type="radio" id="fund-way-${w.key}" name="way" value="${w.key}"!${w.key === way ? ' checked' : ''}> <label for="fund-way-${w.key}"!${textAttrs(view, d.textLanguage)}>${w.title}</label></div>`)}
</fieldset>
!${field('reference', f(view, 'form.reference') + optional, html`<input id="fund-reference" name="reference" type="text" maxlength="100" value="${value('reference')}" autocomplete="off" aria-describedby="reference-help">`, f(view, 'form.referenceHelp'))}
!${field('receipt', f(view, 'form.receipt') + optional, html`<input id="fund-receipt" name="receipt" type="file" accept="image/jpeg,image/png,image/webp,application/pdf" aria-describedby="receipt-help"!${invalid('receipt')}>`, f(view, 'form.receiptHelp'))}
!${field('name', f(view, 'form.name') + optional, html`<input id="fund-name" name="name" type="text" maxlength="120" value="${value('name')}" autocomplete="name">`)}
<div class="field checkbox"><input id="fund-anonymous" name="anonymous" type="checkbox" value="on"!${state.values.anonymous === true ? ' checked' : ''}> <label for="fund-anonymous">${f(view, 'form.anonymous')}</label></div>
!${field('country', t('form.country') + optional, html`<select id="fund-country" name="country" autocomplete="country"><option value="">${t('form.countryChoose')}</option>!${view.countries.map((c) => html`<option value="${c.code}"!${c.code === value('country') ? ' selected' : ''}>${c.name}</option>`)}</select>`)}
!${field('message', f(view, 'form.message') + optional, html`<textarea id="fund-message" name="message" maxlength="500" rows="3" aria-describedby="message-help">${value('message')}</textarea>`, f(view, 'form.messageHelp'))}
!${field('email', t('form.email') + optional, html`<input id="fund-email" name="email" type="email" maxlength="254" value="${value('email')}" autocomplete="email" aria-describedby="email-help"!${invalid('email')}>`, f(view, 'form.emailHelp'))}
<div class="field honeypot" aria-hidden="true"><label for="fund-website">${t('form.honeypot')}</label> <input id="fund-website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<p class="privacy">${f(view, 'form.privacy')}</p>
<p><button type="submit" class="button">${f(view, 'form.submit')}</button></p>
</form>`
}

function waysToGive (view: View, d: FundView): string {
  const attrs = textAttrs(view, d.textLanguage)
  return html`!${d.text.purpose === '' ? '' : html`<div class="fund-purpose"!${attrs}>!${renderMarkdown(d.text.purpose)}</div>`}
!${d.text.ways.length === 0
? ''
: html`<h3>${f(view, 'section.ways')}</h3>
<ul class="fund-ways">!${d.text.ways.map((w) => html`<li!${attrs}><h4>${w.title}</h4>!${renderMarkdown(w.text)}</li>`)}</ul>`}`
}

/** The fund's section of the appeal page: the summary, how to give, and the report form folded away. */
export function fundSection (view: View, d: FundView, state: FormState): string {
  const base = `/appeals/${d.appeal.slug}/fund`
  return html`<section class="fund" id="fund" aria-labelledby="fund-heading">
!${fundSummary(view, d.account)}
!${waysToGive(view, d)}
<details class="fund-report" id="report"!${Object.keys(state.errors).length > 0 ? ' open' : ''}><summary>${f(view, 'section.report')}</summary>
!${reportForm(view, d, state, `${base}/report`)}
</details>
<p><a href="${base}">${f(view, 'section.account')}</a></p>
</section>`
}

/** The fund's own page: the whole account, in the open. */
export function fundPage (view: View, d: FundView & { title: string, titleLanguage: string }, state: FormState): string {
  const a = d.account
  const base = `/appeals/${d.appeal.slug}`
  const caption = (key: string): string => html`<caption>${f(view, key)}</caption>`
  return html`<article class="fund-page">
<p><a href="${base}"!${textAttrs(view, d.titleLanguage)}>${d.title}</a></p>
<h1>${f(view, 'page.heading')}</h1>
!${fundSummary(view, a, 'h1')}
<p class="muted">${f(view, 'page.updated', { date: view.date(a.updatedAt) })}</p>
<section aria-labelledby="fund-give-heading"><h2 id="fund-give-heading">${f(view, 'page.give')}</h2>!${waysToGive(view, d)}
<details class="fund-report" id="report"!${Object.keys(state.errors).length > 0 || state.message !== undefined ? ' open' : ''}><summary>${f(view, 'section.report')}</summary>
!${reportForm(view, d, state, `${base}/fund/report`)}
</details></section>
<section aria-labelledby="fund-raised-heading"><h2 id="fund-raised-heading">${f(view, 'page.raised')}</h2>
!${a.raised.length === 0
    ? html`<p>${f(view, 'page.nothingYet')}</p>`
    : html`<div class="table-scroll"><table class="fund-table">!${caption('page.byCurrency')}<thead><tr><th scope="col">${f(view, 'page.currency')}</th><th scope="col">${f(view, 'page.amount')}</th><th scope="col">${f(view, 'page.inGoal', { currency: a.currency })}</th></tr></thead>
<tbody>!${a.raised.map((m) => html`<tr><th scope="row">${m.currency}</th><td>${money(view, m.amount, m.currency)}</td><td>${converted(view, a, m.amount, m.currency)}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row">${f(view, 'page.total')}</th><td></td><td>${money(view, a.raisedConverted, a.currency)}</td></tr></tfoot></table></div>
<div class="table-scroll"><table class="fund-table">!${caption('page.byMonth')}<thead><tr><th scope="col">${f(view, 'page.month')}</th><th scope="col">${f(view, 'page.inGoal', { currency: a.currency })}</th></tr></thead>
<tbody>!${a.byMonth.map((m) => html`<tr><th scope="row">${new Intl.DateTimeFormat(view.lang, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${m.month}-01T00:00:00Z`))}</th><td>${money(view, m.amount, a.currency)}</td></tr>`)}</tbody></table></div>`}
</section>
<section aria-labelledby="fund-spent-heading"><h2 id="fund-spent-heading">${f(view, 'page.spent')}</h2>
!${a.spending.length === 0
    ? html`<p>${f(view, 'page.nothingSpent')}</p>`
    : html`<div class="table-scroll"><table class="fund-table">!${caption('page.spending')}<thead><tr><th scope="col">${f(view, 'page.date')}</th><th scope="col">${f(view, 'page.purpose')}</th><th scope="col">${f(view, 'page.amount')}</th></tr></thead>
<tbody>!${a.spending.map((s) => html`<tr><td>${view.date(s.date)}</td><th scope="row">${s.purpose}!${s.receipt === null ? '' : html` <a href="/api/appeals/${d.appeal.slug}/fund/receipts/${s.receipt}">${f(view, 'page.receipt')}</a>`}</th><td>${money(view, s.amount, s.currency)}</td></tr>`)}</tbody>
<tfoot><tr><td></td><th scope="row">${f(view, 'page.total')}</th><td>${money(view, a.spentConverted, a.currency)}</td></tr></tfoot></table></div>`}
<p class="fund-balance"><strong>${f(view, 'page.balance')}</strong> <data id="fund-balance" value="${a.balance}">${money(view, a.balance, a.currency)}</data></p>
!${a.unconverted.length === 0 ? '' : html`<p class="muted">${f(view, 'page.unconverted', { currencies: a.unconverted.join(', ') })}</p>`}
</section>
<section aria-labelledby="fund-supporters-heading"><h2 id="fund-supporters-heading">${f(view, 'page.supporters')}</h2>
!${a.supporters.length === 0
    ? html`<p>${f(view, 'page.noSupporters')}</p>`
    : html`<ul class="fund-supporters">!${a.supporters.map((s) => html`<li><strong>${s.name ?? f(view, 'page.anonymous')}</strong>!${s.country === null ? '' : html` · ${view.country(s.country)}`}!${s.message === null ? '' : html`<blockquote>${s.message}</blockquote>`}</li>`)}</ul>`}
</section>
</article>`
}

/** After a report: what happens next. */
export function reportedPage (view: View, d: { appeal: Appeal, email: boolean }): string {
  return html`<section class="thanks" id="thanks" tabindex="-1">
<h1>${f(view, 'thanks.title')}</h1>
<p>${f(view, 'thanks.text')}</p>
!${d.email ? html`<p>${f(view, 'thanks.mail')}</p>` : ''}
<p><a href="/appeals/${d.appeal.slug}/fund">${f(view, 'section.account')}</a></p>
</section>`
}
