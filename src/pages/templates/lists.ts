import { directionOf } from '../../i18n/index.js'
import { html } from 'ghtml'
import { chooseText } from '../../appeals/choose-text.js'
import type { Appeal, AppealText } from '../../appeals/service.js'
import type { SolidarityEvent } from '../../events/service.js'
import { eventItem, eventLinks, organisationItem, shareLinks, signatureItem, type OrganisationItem, type PublicSignatureItem } from './parts.js'
import type { View } from '../view.js'

/** The link back to the appeal, with its title, that heads each of its list pages. */
function appealHeading (view: View, appeal: Appeal, texts: Record<string, AppealText>, heading: string): string {
  const { language, text } = chooseText(appeal, texts, view.lang)
  return html`<p class="breadcrumb"><a href="/appeals/${appeal.slug}"!${language === view.lang ? '' : html` lang="${language}"`}>${text.title}</a></p>
<h1>${heading}</h1>`
}

export interface SignaturesPageData {
  appeal: Appeal
  texts: Record<string, AppealText>
  items: PublicSignatureItem[] | null
  nextCursor: string | null
  country: string | undefined
  /** Countries that have signatures, for the filter. */
  countries: string[]
  isFirstPage: boolean
}

export function signaturesPage (view: View, d: SignaturesPageData): string {
  const t = view.t
  const base = `/appeals/${d.appeal.slug}/signatures`
  if (d.items === null) return appealHeading(view, d.appeal, d.texts, t('signatures.all')) + html`<p>${t('signatures.listHidden')}</p>`
  const countryQuery = d.country === undefined ? '' : `country=${d.country}&`
  const options = d.countries.map((code) => ({ code, name: view.country(code) })).sort((a, b) => a.name.localeCompare(b.name, view.lang))
  return appealHeading(view, d.appeal, d.texts, t('signatures.all')) + html`
<form method="get" action="${base}" class="filter">
<label for="filter-country">${t('signatures.filterCountry')}</label>
<select id="filter-country" name="country">
<option value="">${t('signatures.allCountries')}</option>
!${options.map((c) => html`<option value="${c.code}"!${c.code === d.country ? ' selected' : ''}>${c.name}</option>`)}
</select>
<button type="submit" class="button secondary">${t('signatures.filter')}</button>
</form>
!${d.items.length === 0 ? html`<p>${t('signatures.empty')}</p>` : html`<ul class="signature-list">!${d.items.map((s) => signatureItem(view, s))}</ul>`}
<nav class="pagination" aria-label="${t('pagination.label')}"><ul>
!${d.isFirstPage ? '' : html`<li><a href="${base}${d.country === undefined ? '' : `?country=${d.country}`}">${t('signatures.first')}</a></li>`}
!${d.nextCursor === null ? '' : html`<li><a href="${base}?${countryQuery}cursor=${encodeURIComponent(d.nextCursor)}" rel="next">${t('signatures.next')}</a></li>`}
</ul></nav>`
}

export function organisationsPage (
  view: View, d: { appeal: Appeal, texts: Record<string, AppealText>, items: OrganisationItem[], nextOffset: number | null }
): string {
  const t = view.t
  return appealHeading(view, d.appeal, d.texts, t('organisations.heading')) + html`
!${d.items.length === 0 ? html`<p>${t('organisations.empty')}</p>` : html`<ul class="organisation-list">!${d.items.map((o) => organisationItem(view, o))}</ul>`}
!${d.nextOffset === null ? '' : html`<nav class="pagination" aria-label="${t('pagination.label')}"><ul><li><a href="/appeals/${d.appeal.slug}/organisations?offset=${d.nextOffset}" rel="next">${t('organisations.next')}</a></li></ul></nav>`}`
}

export function eventsPage (view: View, d: { appeal: Appeal, texts: Record<string, AppealText>, events: SolidarityEvent[] }): string {
  const t = view.t
  return appealHeading(view, d.appeal, d.texts, t('events.heading')) +
    (d.events.length === 0 ? html`<p>${t('events.empty')}</p>` : html`<ul class="event-list">!${d.events.map((e) => eventItem(view, e))}</ul>`) +
    eventLinks(view, d.appeal.slug)
}

export function thanksPage (
  view: View, d: { appeal: Appeal, texts: Record<string, AppealText>, pending: boolean, url: string, next?: { text: string, language: string } }
): string {
  const t = view.t
  const { text } = chooseText(d.appeal, d.texts, view.lang)
  return html`<section class="thanks" id="thanks">
<h1>${t('thanks.title')}</h1>
<p class="thanks-status">${d.pending ? t('thanks.pending') : t('thanks.confirmed', { title: text.title })}</p>
<h2>${t('thanks.next')}</h2>
!${d.next === undefined ? html`<p>${t('thanks.nextText')}</p>` : html`<p class="organisers-text"!${d.next.language === view.lang ? '' : html` lang="${d.next.language}" dir="${directionOf(d.next.language)}"`}>${d.next.text}</p>`}
<p>${t('thanks.shareAsk')}</p>
!${shareLinks(view, d.url, text)}
<p><a href="/appeals/${d.appeal.slug}">${t('thanks.back')}</a></p>
</section>`
}

export function homePage (view: View, items: Array<{ appeal: Appeal, texts: Record<string, AppealText>, signatures: number }>): string {
  const t = view.t
  return html`<h1>${t('home.title')}</h1>
<p class="intro">${t('home.intro')}</p>
!${items.length === 0
    ? html`<p>${t('home.empty')}</p>`
    : html`<ul class="appeal-list">!${items.map(({ appeal, texts, signatures }) => {
      const { language, text } = chooseText(appeal, texts, view.lang)
      const lang = language === view.lang ? '' : html` lang="${language}"`
      return html`<li class="appeal-card"><h2!${lang}><a href="/appeals/${appeal.slug}">${text.title}</a></h2>
!${text.summary === null || text.summary === '' ? '' : html`<p!${lang}>${text.summary}</p>`}
<p class="appeal-count">${t('home.signatures', { count: signatures })}</p>
<p><a class="button" href="/appeals/${appeal.slug}#sign">${t('home.read')}</a></p></li>`
    })}</ul>`}`
}

export function errorPage (view: View, notFound: boolean, message?: string, fields: Record<string, string> = {}): string {
  const t = view.t
  const problems = Object.entries(fields)
  return html`<h1>${notFound ? t('error.notFoundTitle') : t('error.title')}</h1>
<p>${message ?? (notFound ? t('error.notFoundText') : t('error.text'))}</p>
!${problems.length === 0 ? '' : html`<ul class="error-fields">!${problems.map(([field, problem]) => html`<li><code>${field}</code>: ${problem}</li>`)}</ul>`}
<p><a href="/">${t('error.home')}</a></p>`
}
