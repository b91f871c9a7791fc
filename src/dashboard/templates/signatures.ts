import { html } from 'ghtml'
import type { Appeal, AppealText } from '../../appeals/service.js'
import type { AdminView } from '../view.js'
import { appealHeader } from './appeal-nav.js'
import { buttonForm, csrfField, inputField } from './forms.js'

export interface SignatureRow {
  id: number
  kind: 'individual' | 'organisation'
  status: 'pending' | 'confirmed' | 'erased'
  name: string | null
  email: string | null
  country: string
  city: string | null
  organisation: string | null
  role: string | null
  members: number | null
  source: string
  ipHash: string | null
  hiddenAt: Date | null
  notable: boolean
  createdAt: Date
}

/** The filters as the page's address carries them (each as typed; empty ones left out). */
export type FilterValues = Partial<Record<'q' | 'status' | 'kind' | 'country' | 'hidden' | 'notable' | 'contact' | 'from' | 'to' | 'ipHash' | 'emailDomain', string>>

export interface SignaturesPageData {
  appeal: Appeal
  texts: Record<string, AppealText>
  filters: FilterValues
  items: SignatureRow[]
  nextBefore: number | null
  isFirstPage: boolean
  /** The address of this very page (to come back to after an action). */
  here: string
  /** A bulk hiding just done, which can be undone. */
  undo?: string
  /** Whether the reader's role shows emails and private fields, exports and erasure (a moderator's does not). */
  contactData: boolean
}

const query = (values: Record<string, string | undefined>): string => new URLSearchParams(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString()

/** The short form of an address's keyed hash that the table shows (enough to tell addresses apart). */
const fingerprint = (ipHash: string | null): string => ipHash === null ? '' : ipHash.slice(0, 8)

function filterForm (view: AdminView, d: SignaturesPageData): string {
  const a = view.a
  const f = d.filters
  const select = (name: keyof FilterValues, label: string, options: Array<[string, string]>): string => html`<div class="field"><label for="filter-${name}">${label}</label>
<select id="filter-${name}" name="${name}"><option value="">${a('signatures.any')}</option>!${options.map(([value, text]) => html`<option value="${value}"!${f[name] === value ? ' selected' : ''}>${text}</option>`)}</select></div>`
  return html`<form method="get" action="/admin/appeals/${d.appeal.slug}/signatures" class="filters" role="search" aria-label="${a('signatures.filters')}">
<div class="field"><label for="filter-q">${a('signatures.search')}</label><input id="filter-q" name="q" type="search" value="${f.q ?? ''}" maxlength="200" aria-describedby="filter-q-help"><p class="help" id="filter-q-help">${a('signatures.searchHelp')}</p></div>
!${select('status', a('signatures.status'), [['confirmed', a('signatureStatus.confirmed')], ['pending', a('signatureStatus.pending')], ['erased', a('signatureStatus.erased')]])}
!${select('kind', a('signatures.kind'), [['individual', a('kind.individual')], ['organisation', a('kind.organisation')]])}
!${select('country', a('signatures.country'), view.countries.map((c) => [c.code, c.name]))}
!${select('hidden', a('signatures.spam'), [['false', a('signatures.visible')], ['true', a('signatures.hiddenOnly')]])}
!${select('notable', a('signatures.notable'), [['true', a('signatures.notableOnly')]])}
!${select('contact', a('signatures.contact'), [['true', a('signatures.contactable')]])}
<div class="field"><label for="filter-from">${a('signatures.from')}</label><input id="filter-from" name="from" type="date" value="${f.from ?? ''}"></div>
<div class="field"><label for="filter-to">${a('signatures.to')}</label><input id="filter-to" name="to" type="date" value="${f.to ?? ''}"></div>
!${f.ipHash === undefined ? '' : html`<input type="hidden" name="ipHash" value="${f.ipHash}">`}
!${f.emailDomain === undefined ? '' : html`<input type="hidden" name="emailDomain" value="${f.emailDomain}">`}
<p class="button-row"><button type="submit" class="button">${a('signatures.apply')}</button> <a href="/admin/appeals/${d.appeal.slug}/signatures">${a('signatures.clear')}</a></p>
</form>`
}

function row (view: AdminView, d: SignaturesPageData, s: SignatureRow): string {
  const a = view.a
  const base = `/admin/appeals/${d.appeal.slug}/signatures/${s.id}`
  const back = { back: d.here }
  const who = s.kind === 'organisation' ? (s.organisation ?? '') : (s.name ?? '')
  const detail = s.kind === 'organisation'
    ? [s.name, s.members === null ? '' : a('signatures.members', { count: s.members })].filter(Boolean).join(' · ')
    : [s.role, s.organisation].filter(Boolean).join(', ')
  const state = [a(`signatureStatus.${s.status}`), s.hiddenAt === null ? '' : a('signatures.hiddenState')].filter(Boolean).join(' · ')
  return html`<tr!${s.hiddenAt === null ? '' : ' class="is-hidden"'}>
<th scope="row">!${s.notable ? html`<span class="star" title="${a('signatures.notableMark')}">★<span class="visually-hidden"> ${a('signatures.notableMark')}</span></span> ` : ''}${who || '—'}!${detail === '' ? '' : html`<br><span class="muted">${detail}</span>`}</th>
!${d.contactData ? html`<td data-label="${a('signatures.email')}">${s.email ?? '—'}</td>` : ''}
<td data-label="${a('signatures.place')}">${[s.city, view.country(s.country)].filter(Boolean).join(', ')}</td>
<td data-label="${a('signatures.status')}">${state}</td>
<td data-label="${a('signatures.when')}"><time datetime="${s.createdAt.toISOString()}">${view.date(s.createdAt)}</time><br><span class="muted">${a(`source.${s.source}`)}</span>!${s.ipHash === null ? '' : html` · <a href="/admin/appeals/${d.appeal.slug}/signatures?${query({ ipHash: s.ipHash })}" title="${a('signatures.sameAddress')}">${fingerprint(s.ipHash)}</a>`}</td>
<td class="actions">!${s.status === 'erased'
? ''
: html`!${buttonForm(view, `${base}/${s.notable ? 'not-notable' : 'notable'}`, s.notable ? a('signatures.unmarkNotable') : a('signatures.markNotable'), { secondary: true, hidden: back, name: `${s.notable ? a('signatures.unmarkNotable') : a('signatures.markNotable')}: ${who}` })}
!${buttonForm(view, `${base}/${s.hiddenAt === null ? 'hide' : 'unhide'}`, s.hiddenAt === null ? a('signatures.hide') : a('signatures.unhide'), { secondary: true, hidden: back, name: `${s.hiddenAt === null ? a('signatures.hide') : a('signatures.unhide')}: ${who}` })}
!${d.contactData ? html`<a href="${base}/erase" class="danger-link">${a('signatures.erase')}<span class="visually-hidden">: ${who}</span></a>` : ''}`}</td>
</tr>`
}

export function signaturesPage (view: AdminView, d: SignaturesPageData): string {
  const a = view.a
  const base = `/admin/appeals/${d.appeal.slug}/signatures`
  const { before: _before, ...filtersOnly } = Object.fromEntries(new URLSearchParams(d.here.split('?')[1] ?? '')) as Record<string, string>
  const exportQuery = query(apiFilters(d.filters))
  // Written as is (URLSearchParams encodes all but `&`, written `&amp;`): the link reads as the address.
  const exportLink = (format: string, extra = ''): string => {
    const search = [exportQuery, extra].filter((part) => part !== '').join('&').replace(/&/g, '&amp;')
    return `/api/admin/appeals/${d.appeal.slug}/export.${format}${search === '' ? '' : '?' + search}`
  }
  return appealHeader(view, d.appeal, d.texts, 'signatures', a('signatures.title')) + html`
!${d.undo === undefined ? '' : html`<div class="notice" role="status">${a('signatures.undoIntro')} !${buttonForm(view, `${base}/bulk-hide/undo`, a('signatures.undo'), { hidden: { batch: d.undo } })}</div>`}
!${filterForm(view, d)}
!${!d.contactData ? html`<p class="help">${a('accounts.moderatorView')}</p>` : html`<p class="export-links">${a('signatures.exportIntro')} <a href="!${exportLink('xlsx')}" download>${a('webhooks.exports.xlsx')}</a> · <a href="!${exportLink('csv')}" download>${a('signatures.exportCsv')}</a> · <a href="!${exportLink('csv', 'separator=semicolon')}" download>${a('webhooks.exports.csvSemicolon')}</a> · <a href="!${exportLink('ndjson')}" download>${a('signatures.exportNdjson')}</a></p>`}
!${d.items.length === 0
? html`<p>${a('signatures.none')}</p>`
: html`<div class="table-scroll"><table class="admin-table signatures-table">
<caption class="visually-hidden">${a('signatures.title')}</caption>
<thead><tr><th scope="col">${a('signatures.who')}</th>!${d.contactData ? html`<th scope="col">${a('signatures.email')}</th>` : ''}<th scope="col">${a('signatures.place')}</th><th scope="col">${a('signatures.status')}</th><th scope="col">${a('signatures.when')}</th><th scope="col">${a('signatures.actions')}</th></tr></thead>
<tbody>!${d.items.map((s) => row(view, d, s))}</tbody></table></div>`}
<nav class="pagination" aria-label="${view.t('pagination.label')}"><ul>
!${d.isFirstPage ? '' : html`<li><a href="${base}?${query(filtersOnly)}">${a('signatures.newest')}</a></li>`}
!${d.nextBefore === null ? '' : html`<li><a href="${base}?${query({ ...filtersOnly, before: String(d.nextBefore) })}" rel="next">${a('signatures.older')}</a></li>`}
</ul></nav>
<section aria-labelledby="bulk-heading" class="panel"><h2 id="bulk-heading">${a('bulk.title')}</h2>
<p>${a('bulk.intro')}</p>
<form method="get" action="${base}/bulk-hide" class="admin-form">
!${inputField({ name: 'ipHash', label: a('bulk.ipHash'), value: d.filters.ipHash ?? '', maxlength: 64, help: a('bulk.ipHashHelp') })}
!${inputField({ name: 'emailDomain', label: a('bulk.emailDomain'), value: d.filters.emailDomain ?? '', maxlength: 253, help: a('bulk.emailDomainHelp'), attributes: 'autocapitalize="none"' })}
!${inputField({ name: 'from', label: a('bulk.from'), type: 'datetime-local', help: a('appeal.utc') })}
!${inputField({ name: 'to', label: a('bulk.to'), type: 'datetime-local', help: a('appeal.utc') })}
<p><button type="submit" class="button secondary">${a('bulk.preview')}</button></p>
</form></section>`
}

/** The page's filters as the export API takes them. */
export function apiFilters (f: FilterValues): Record<string, string | undefined> {
  const day = (value: string | undefined, next: boolean): string | undefined => {
    if (value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined
    const date = new Date(`${value}T00:00:00Z`)
    if (next) date.setUTCDate(date.getUTCDate() + 1)
    return date.toISOString()
  }
  return {
    q: f.q, status: f.status, kind: f.kind, country: f.country, hidden: f.hidden, notable: f.notable, contact: f.contact,
    ipHash: f.ipHash, emailDomain: f.emailDomain, from: day(f.from, false), to: day(f.to, true)
  }
}

export function bulkHidePreview (
  view: AdminView, d: { appeal: Appeal, texts: Record<string, AppealText>, criteria: Record<string, string>, count: number, error?: string }
): string {
  const a = view.a
  const base = `/admin/appeals/${d.appeal.slug}/signatures`
  return appealHeader(view, d.appeal, d.texts, 'signatures', a('bulk.title')) + (d.error !== undefined
    ? html`<div class="form-errors" role="alert"><p>${d.error}</p></div><p><a href="${base}">${a('bulk.back')}</a></p>`
    : html`<p class="panel">${a('bulk.willHide', { count: d.count })}</p>
!${d.count === 0 ? '' : html`<form method="post" action="${base}/bulk-hide">!${csrfField(view)}!${Object.entries(d.criteria).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}<p><button type="submit" class="button">${a('bulk.confirm', { count: d.count })}</button></p></form>`}
<p><a href="${base}?${query({ ipHash: d.criteria.ipHash, emailDomain: d.criteria.emailDomain })}">${a('bulk.seeThem')}</a> · <a href="${base}">${a('bulk.back')}</a></p>`)
}

export function eraseConfirmation (view: AdminView, d: { appeal: Appeal, texts: Record<string, AppealText>, signature: SignatureRow }): string {
  const a = view.a
  const s = d.signature
  return appealHeader(view, d.appeal, d.texts, 'signatures', a('erase.title')) + html`<p>${a('erase.intro')}</p>
<dl class="details"><dt>${a('signatures.who')}</dt><dd>${(s.kind === 'organisation' ? s.organisation : s.name) ?? '—'}</dd><dt>${a('signatures.email')}</dt><dd>${s.email ?? '—'}</dd><dt>${a('signatures.when')}</dt><dd>${view.date(s.createdAt)}</dd></dl>
<p>${a('erase.warning')}</p>
!${buttonForm(view, `/admin/appeals/${d.appeal.slug}/signatures/${s.id}/erase`, a('erase.confirm'))}
<p><a href="/admin/appeals/${d.appeal.slug}/signatures">${a('erase.cancel')}</a></p>`
}
