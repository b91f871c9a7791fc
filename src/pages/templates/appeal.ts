import { html } from 'ghtml'
import { chooseText } from '../../appeals/choose-text.js'
import { hasClosed, type Appeal, type AppealText } from '../../appeals/service.js'
import type { SolidarityEvent } from '../../events/service.js'
import { directionOf, languages } from '../../i18n/index.js'
import type { AppealStats } from '../../stats/appeal-stats.js'
import { renderMarkdown } from '../markdown.js'
import { counter, countryTable, eventItem, eventLinks, mapFrame, TOP_COUNTRIES, organisationItem, shareLinks, signatureItem, type OrganisationItem, type PublicSignatureItem } from './parts.js'
import { signingForm, type FormState } from './signing-form.js'
import type { View } from '../view.js'

/**
 * "First published in Spanish", and, where the reader's language is missing, a notice that says so (not that
 * the shown language is the only one: other translations may exist) and the languages there are.
 */
export function textHeader (view: View, appeal: Appeal, texts: Record<string, AppealText>, shownLanguage: string): string {
  const t = view.t
  const others = Object.keys(texts).filter((l) => l !== shownLanguage && languages.includes(l))
  const notice = shownLanguage === view.lang
    ? ''
    : html`<div class="notice translation-notice" role="note"><p>${t('appeal.notTranslated', { reader: view.languageName(view.lang), language: view.languageName(shownLanguage) })}</p></div>`
  const alsoIn = others.length === 0
    ? ''
    : html`<p class="also-in">${t('appeal.alsoIn')} !${others.map((l) => html`<a href="?lang=${l}" lang="${l}" hreflang="${l}">${view.languageName(l)}</a>`).join(', ')}</p>`
  return html`!${notice}<p class="original-language">${t('appeal.firstPublishedIn', { language: view.languageName(appeal.originalLanguage) })}</p>!${alsoIn}`
}

export interface AppealPageData {
  appeal: Appeal
  texts: Record<string, AppealText>
  stats: AppealStats
  latest: PublicSignatureItem[] | null
  organisations: OrganisationItem[]
  events: SolidarityEvent[]
  form: FormState
  url: string
  now: Date
  /** The fund's section (src/pages/templates/fund.ts), when the appeal has a fund switched on. */
  fund?: string
}

/** The signing form, or why the appeal takes no signature now. */
export function signingSection (view: View, appeal: Appeal, form: FormState, action: string, now: Date): string {
  const t = view.t
  if (hasClosed(appeal, now)) {
    return html`<section class="sign closed" id="sign"><p class="notice">${t('appeal.closed')}</p></section>`
  }
  if (appeal.opensAt !== null && appeal.opensAt > now) {
    return html`<section class="sign" id="sign"><p class="notice">${t('appeal.notYetOpen', { date: view.date(appeal.opensAt) })}</p></section>`
  }
  return signingForm(view, appeal, form, action) +
    (appeal.closesAt === null ? '' : html`<p class="closes">${t('appeal.closesOn', { date: view.date(appeal.closesAt) })}</p>`)
}

export const PREVIEW_ITEMS = 10

export function appealPage (view: View, data: AppealPageData): string {
  const { appeal, texts, stats } = data
  const t = view.t
  const { language, text } = chooseText(appeal, texts, view.lang)
  const base = `/appeals/${appeal.slug}`
  const textLang = language === view.lang ? '' : html` lang="${language}" dir="${directionOf(language)}"`
  return html`<article class="appeal">
<header class="appeal-header">
!${textHeader(view, appeal, texts, language)}
<h1!${textLang}>${text.title}</h1>
!${text.summary === null || text.summary === '' ? '' : html`<p class="summary"!${textLang}>${text.summary}</p>`}
</header>
<div class="appeal-columns">
<div class="appeal-text"!${textLang}>
!${renderMarkdown(text.body)}
!${text.demands.length === 0 ? '' : html`<h2!${textLang === '' ? '' : html` lang="${view.lang}" dir="${view.dir}"`}>${t('appeal.demands')}</h2><ol class="demands">!${text.demands.map((d) => html`<li>${d}</li>`)}</ol>`}
</div>
<div class="appeal-side">
!${counter(view, stats, appeal.goal)}
!${signingSection(view, appeal, data.form, `/appeals/${appeal.slug}/sign#sign`, data.now)}
</div>
</div>
!${appeal.donationUrl === null && appeal.joinUrl === null
    ? ''
    : html`<p class="support-links">!${appeal.donationUrl === null ? '' : html`<a class="button secondary" href="${appeal.donationUrl}" rel="noopener noreferrer">${t('appeal.donate')}</a>`} !${appeal.joinUrl === null ? '' : html`<a class="button secondary" href="${appeal.joinUrl}" rel="noopener noreferrer">${t('appeal.join')}</a>`}</p>`}
!${data.fund ?? ''}
!${shareLinks(view, data.url, text)}
<section class="map-section" aria-labelledby="map-heading">
<h2 id="map-heading">${t('map.heading')}</h2>
!${mapFrame(view)}
!${countryTable(view, stats.byCountry, TOP_COUNTRIES)}
</section>
!${data.latest === null
    ? ''
    : html`<section class="latest" aria-labelledby="latest-heading"><h2 id="latest-heading">${t('signatures.latest')}</h2>
!${data.latest.length === 0 ? html`<p>${t('signatures.empty')}</p>` : html`<ul class="signature-list" id="latest-signatures">!${data.latest.map((s) => signatureItem(view, s))}</ul>`}
<p><a href="${base}/signatures">${t('signatures.seeAll')}</a></p></section>`}
!${!appeal.allowOrganisations
    ? ''
    : html`<section class="organisations" aria-labelledby="organisations-heading"><h2 id="organisations-heading">${t('organisations.heading')}</h2>
!${data.organisations.length === 0 ? html`<p>${t('organisations.empty')}</p>` : html`<ul class="organisation-list">!${data.organisations.map((o) => organisationItem(view, o))}</ul>`}
!${data.organisations.length < PREVIEW_ITEMS ? '' : html`<p><a href="${base}/organisations">${t('organisations.seeAll')}</a></p>`}</section>`}
<section class="events" aria-labelledby="events-heading"><h2 id="events-heading">${t('events.heading')}</h2>
!${data.events.length === 0 ? html`<p>${t('events.empty')}</p>` : html`<ul class="event-list">!${data.events.slice(0, PREVIEW_ITEMS).map((e) => eventItem(view, e))}</ul>`}
!${data.events.length <= PREVIEW_ITEMS ? '' : html`<p><a href="${base}/events">${t('events.seeAll')}</a></p>`}
!${eventLinks(view, data.appeal.slug)}</section>
</article>`
}
