import { html } from 'ghtml'
import { chooseText } from '../../appeals/choose-text.js'
import type { Appeal, AppealText } from '../../appeals/service.js'
import { directionOf, languages } from '../../i18n/index.js'
import { renderMarkdown } from '../../pages/markdown.js'
import { autonym } from '../../pages/view.js'
import type { StatusCounts } from '../../signatures/status-counts.js'
import { localTime } from '../form-input.js'
import type { AdminView } from '../view.js'
import { appealHeader } from './appeal-nav.js'
import { buttonForm, checkboxField, csrfField, errorSummary, inputField, selectField, textareaField } from './forms.js'

export interface FormState { values: Record<string, string | boolean | undefined>, errors: Record<string, string>, message?: string }
const v = (state: FormState, name: string): string => typeof state.values[name] === 'string' ? state.values[name] as string : ''
const err = (state: FormState, name: string): { error?: string } => state.errors[name] === undefined ? {} : { error: state.errors[name] }

export function appealsList (view: AdminView, items: Array<{ appeal: Appeal, texts: Record<string, AppealText>, counts: StatusCounts }>): string {
  const a = view.a
  return html`<h1>${a('appeals.title')}</h1>
<p><a class="button" href="/admin/appeals/new">${a('appeals.new')}</a></p>
!${items.length === 0
? html`<p>${a('appeals.empty')}</p>`
: html`<div class="table-scroll"><table class="admin-table">
<caption class="visually-hidden">${a('appeals.title')}</caption>
<thead><tr><th scope="col">${a('appeals.appeal')}</th><th scope="col">${a('appeals.status')}</th><th scope="col" class="number">${a('counts.confirmed')}</th><th scope="col" class="number">${a('counts.pending')}</th><th scope="col" class="number">${a('counts.hidden')}</th><th scope="col">${a('appeals.pages')}</th></tr></thead>
<tbody>!${items.map(({ appeal, texts, counts }) => {
    const { language, text } = chooseText(appeal, texts, view.lang)
    return html`<tr><th scope="row"><a href="/admin/appeals/${appeal.slug}"!${language === view.lang ? '' : html` lang="${language}"`}>${text.title}</a><br><span class="muted">/${appeal.slug}</span></th>
<td data-label="${a('appeals.status')}"><span class="status status-${appeal.status}">${a(`status.${appeal.status}`)}</span></td>
<td class="number" data-label="${a('counts.confirmed')}">${view.number(counts.confirmed)}</td><td class="number" data-label="${a('counts.pending')}">${view.number(counts.pending)}</td><td class="number" data-label="${a('counts.hidden')}">${view.number(counts.hidden)}</td>
<td class="actions"><a href="/admin/appeals/${appeal.slug}/signatures">${a('appealNav.signatures')}</a> · <a href="/admin/appeals/${appeal.slug}/events">${a('appealNav.events')}</a></td></tr>`
  })}</tbody></table></div>`}
<p><a href="/admin/erasure">${a('appeals.erasure')}</a></p>`
}

const languageOptions = (view: AdminView) => languages.map((l) => ({ value: l, label: `${autonym(l)} (${view.languageName(l)})` }))

/** The settings every appeal has, as form fields (creation and editing share them). */
function settingsFields (view: AdminView, state: FormState): string {
  const a = view.a
  const checked = (name: string, fallback: boolean): boolean => typeof state.values[name] === 'boolean' ? state.values[name] as boolean : fallback
  return html`<fieldset><legend>${a('appeal.signing')}</legend>
!${inputField({ name: 'goal', label: a('appeal.goal'), type: 'number', value: v(state, 'goal'), help: a('appeal.goalHelp'), attributes: 'min="1" inputmode="numeric"', ...err(state, 'goal') })}
!${inputField({ name: 'opensAt', label: a('appeal.opensAt'), type: 'datetime-local', value: v(state, 'opensAt'), help: a('appeal.utc'), ...err(state, 'opensAt') })}
!${inputField({ name: 'closesAt', label: a('appeal.closesAt'), type: 'datetime-local', value: v(state, 'closesAt'), help: a('appeal.utc'), ...err(state, 'closesAt') })}
!${checkboxField('requireConfirmation', a('appeal.requireConfirmation'), checked('requireConfirmation', true), a('appeal.requireConfirmationHelp'))}
!${checkboxField('allowOrganisations', a('appeal.allowOrganisations'), checked('allowOrganisations', true))}
!${checkboxField('showPublicList', a('appeal.showPublicList'), checked('showPublicList', true))}
!${checkboxField('collectCity', a('appeal.collectCity'), checked('collectCity', true))}
!${checkboxField('collectOrganisation', a('appeal.collectOrganisation'), checked('collectOrganisation', true))}
!${checkboxField('collectRole', a('appeal.collectRole'), checked('collectRole', true))}
</fieldset>
<fieldset><legend>${a('appeal.links')}</legend>
!${inputField({ name: 'donationUrl', label: a('appeal.donationUrl'), type: 'url', value: v(state, 'donationUrl'), maxlength: 2000, ...err(state, 'donationUrl') })}
!${inputField({ name: 'joinUrl', label: a('appeal.joinUrl'), type: 'url', value: v(state, 'joinUrl'), maxlength: 2000, ...err(state, 'joinUrl') })}
!${textareaField({ name: 'embedOrigins', label: a('appeal.embedOrigins'), value: v(state, 'embedOrigins'), rows: 3, help: a('appeal.embedOriginsHelp'), ...err(state, 'embedOrigins') })}
</fieldset>
<fieldset><legend>${a('appeal.privacy')}</legend>
!${inputField({ name: 'retentionMonths', label: a('appeal.retentionMonths'), type: 'number', value: v(state, 'retentionMonths') || '12', help: a('appeal.retentionHelp'), attributes: 'min="1" max="120" inputmode="numeric"', ...err(state, 'retentionMonths') })}
</fieldset>`
}

function textFields (view: AdminView, state: FormState, dir: string): string {
  const a = view.a
  const attributes = html`dir="${dir}"`
  return html`!${inputField({ name: 'title', label: a('text.title'), value: v(state, 'title'), required: true, maxlength: 200, attributes, ...err(state, 'title') })}
!${textareaField({ name: 'summary', label: a('text.summary'), value: v(state, 'summary'), rows: 3, maxlength: 1000, attributes, ...err(state, 'summary') })}
!${textareaField({ name: 'body', label: a('text.body'), value: v(state, 'body'), rows: 14, maxlength: 50000, help: a('text.bodyHelp'), attributes, ...err(state, 'body') })}
!${textareaField({ name: 'demandsText', label: a('text.demands'), value: v(state, 'demandsText'), rows: 5, help: a('text.demandsHelp'), attributes, ...err(state, 'demandsText') })}`
}

export function newAppealPage (view: AdminView, state: FormState): string {
  const a = view.a
  return html`<p class="breadcrumb"><a href="/admin">${a('layout.appeals')}</a></p><h1>${a('appeals.new')}</h1>
!${errorSummary(view, state.message, state.errors)}
<form method="post" action="/admin/appeals/new" novalidate class="admin-form">
!${csrfField(view)}
!${inputField({ name: 'slug', label: a('appeal.slug'), value: v(state, 'slug'), required: true, maxlength: 80, help: a('appeal.slugHelp'), attributes: 'pattern="[a-z0-9]+(-[a-z0-9]+)*" autocapitalize="none"', ...err(state, 'slug') })}
!${selectField({ name: 'originalLanguage', label: a('appeal.originalLanguage'), value: v(state, 'originalLanguage') || view.lang, options: languageOptions(view), help: a('appeal.originalLanguageHelp'), ...err(state, 'originalLanguage') })}
!${textFields(view, state, 'auto')}
!${settingsFields(view, state)}
<p><button type="submit" class="button">${a('appeals.create')}</button></p>
</form>`
}

export interface EditorData { appeal: Appeal, texts: Record<string, AppealText>, counts: StatusCounts, settings: FormState }

export function appealEditor (view: AdminView, d: EditorData): string {
  const a = view.a
  const { appeal } = d
  const base = `/admin/appeals/${appeal.slug}`
  const statusAction = appeal.status === 'open'
    ? buttonForm(view, `${base}/status`, a('appeal.close'), { hidden: { status: 'closed' }, secondary: true })
    : buttonForm(view, `${base}/status`, appeal.status === 'draft' ? a('appeal.open') : a('appeal.reopen'), { hidden: { status: 'open' } })
  return appealHeader(view, appeal, d.texts, 'edit', a('appeal.editTitle')) + html`
<section aria-labelledby="status-heading" class="panel"><h2 id="status-heading">${a('appeal.statusHeading')}</h2>
<p>${a(`appeal.statusText.${appeal.status}`)}</p>
<dl class="counts"><div><dt>${a('counts.confirmed')}</dt><dd>${view.number(d.counts.confirmed)}</dd></div><div><dt>${a('counts.pending')}</dt><dd>${view.number(d.counts.pending)}</dd></div><div><dt>${a('counts.hidden')}</dt><dd>${view.number(d.counts.hidden)}</dd></div><div><dt>${a('counts.erased')}</dt><dd>${view.number(d.counts.erased)}</dd></div></dl>
!${statusAction}
</section>
<section aria-labelledby="texts-heading"><h2 id="texts-heading">${a('appeal.textsHeading')}</h2>
<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${a('appeal.language')}</th><th scope="col">${a('appeal.textState')}</th><th scope="col">${a('appeal.action')}</th></tr></thead>
<tbody>!${languages.map((lang) => {
    const exists = d.texts[lang] !== undefined
    const state = lang === appeal.originalLanguage ? a('appeal.original') : exists ? a('appeal.translated') : a('appeal.missing')
    return html`<tr><th scope="row" lang="${lang}">${autonym(lang)}</th><td data-label="${a('appeal.textState')}">${state}</td><td class="actions"><a href="${base}/texts/${lang}">${exists ? a('appeal.editText') : a('appeal.addText')}<span class="visually-hidden"> (${view.languageName(lang)})</span></a></td></tr>`
  })}</tbody></table></div>
</section>
<section aria-labelledby="settings-heading"><h2 id="settings-heading">${a('appeal.settingsHeading')}</h2>
!${errorSummary(view, d.settings.message, d.settings.errors)}
<form method="post" action="${base}/settings" novalidate class="admin-form">
!${csrfField(view)}
!${inputField({ name: 'slug', label: a('appeal.slug'), value: v(d.settings, 'slug'), required: true, maxlength: 80, help: a('appeal.slugChangeHelp'), attributes: 'pattern="[a-z0-9]+(-[a-z0-9]+)*" autocapitalize="none"', ...err(d.settings, 'slug') })}
!${settingsFields(view, d.settings)}
<p><button type="submit" class="button">${a('appeal.save')}</button></p>
</form></section>`
}

/** The settings of an appeal as the form shows them. */
export function settingsState (appeal: Appeal): FormState {
  return {
    values: {
      slug: appeal.slug,
      goal: appeal.goal === null ? '' : String(appeal.goal),
      opensAt: localTime(appeal.opensAt),
      closesAt: localTime(appeal.closesAt),
      requireConfirmation: appeal.requireConfirmation,
      allowOrganisations: appeal.allowOrganisations,
      showPublicList: appeal.showPublicList,
      collectCity: appeal.collectCity,
      collectOrganisation: appeal.collectOrganisation,
      collectRole: appeal.collectRole,
      donationUrl: appeal.donationUrl ?? '',
      joinUrl: appeal.joinUrl ?? '',
      embedOrigins: appeal.embedOrigins.join('\n'),
      retentionMonths: String(appeal.retentionMonths)
    },
    errors: {}
  }
}

export interface TextEditorData {
  appeal: Appeal
  texts: Record<string, AppealText>
  language: string
  state: FormState
  /** The body rendered, when the organiser asked for a preview. */
  preview?: string
}

function originalText (view: AdminView, lang: string, text: AppealText): string {
  const a = view.a
  // It scrolls on its own beside the form: focusable, so that it scrolls by keyboard too.
  return html`<section lang="${lang}" dir="${directionOf(lang)}" class="original-text" tabindex="0" aria-labelledby="original-title">
<h3 id="original-title">${text.title}</h3>
!${text.summary === '' ? '' : html`<p class="summary">${text.summary}</p>`}
<div class="appeal-body">!${renderMarkdown(text.body)}</div>
!${text.demands.length === 0 ? '' : html`<h4>${a('text.demands')}</h4><ol>!${text.demands.map((d) => html`<li>${d}</li>`)}</ol>`}
</section>`
}

export function textEditor (view: AdminView, d: TextEditorData): string {
  const a = view.a
  const { appeal, language } = d
  const base = `/admin/appeals/${appeal.slug}`
  const original = d.texts[appeal.originalLanguage]
  const isOriginal = language === appeal.originalLanguage
  const heading = a(isOriginal ? 'text.editOriginal' : 'text.editTranslation', { language: view.languageName(language) })
  const form = html`<form method="post" action="${base}/texts/${language}" novalidate class="admin-form" lang="${language}">
!${csrfField(view)}
!${textFields(view, d.state, directionOf(language))}
<p class="button-row"><button type="submit" name="action" value="preview" class="button secondary">${a('text.preview')}</button> <button type="submit" name="action" value="save" class="button">${a('text.save')}</button></p>
</form>`
  return appealHeader(view, appeal, d.texts, 'edit', heading) + html`
!${errorSummary(view, d.state.message, d.state.errors)}
<div class="!${isOriginal || original === undefined ? 'single-column' : 'side-by-side'}">
!${isOriginal || original === undefined ? '' : html`<section aria-labelledby="original-heading"><h2 id="original-heading">${a('text.original', { language: view.languageName(appeal.originalLanguage) })}</h2>!${originalText(view, appeal.originalLanguage, original)}</section>`}
<section aria-labelledby="translation-heading"><h2 id="translation-heading">${isOriginal ? a('text.originalText') : a('text.translation', { language: view.languageName(language) })}</h2>!${form}</section>
</div>
!${d.preview === undefined ? '' : html`<section aria-labelledby="preview-heading" class="panel preview"><h2 id="preview-heading">${a('text.previewHeading')}</h2><div lang="${language}" dir="${directionOf(language)}" class="appeal-body">!${d.preview}</div></section>`}
!${isOriginal || d.texts[language] === undefined ? '' : html`<section aria-labelledby="remove-heading"><h2 id="remove-heading">${a('text.removeHeading')}</h2><p>${a('text.removeHelp')}</p>!${buttonForm(view, `${base}/texts/${language}/remove`, a('text.remove'), { secondary: true })}</section>`}`
}
