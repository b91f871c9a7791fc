import { html } from 'ghtml'
import type { AppealText } from '../../appeals/service.js'
import type { SolidarityEvent } from '../../events/service.js'
import type { AppealStats } from '../../stats/appeal-stats.js'
import type { View } from '../view.js'

export interface PublicSignatureItem {
  kind: 'individual' | 'organisation'
  name: string | null
  country: string
  city: string | null
  organisation: string | null
  role: string | null
  createdAt: Date | string
}

export interface OrganisationItem {
  organisation: string | null
  organisationType: string | null
  country: string
  members: number | null
}

/** Pieces shared by the appeal page and the pages that list its signatures, organisations and events. */

export function signatureItem (view: View, s: PublicSignatureItem): string {
  const who = s.kind === 'organisation' ? (s.organisation ?? s.name ?? '') : (s.name ?? '')
  const affiliation = s.kind === 'individual' ? [s.role, s.organisation].filter(Boolean).join(', ') : ''
  const place = [s.city, view.country(s.country)].filter(Boolean).join(', ')
  return html`<li class="signature"><span class="signature-name">${who}</span>!${affiliation === '' ? '' : html` <span class="signature-affiliation">${affiliation}</span>`} <span class="signature-place">${place}</span> <time datetime="${new Date(s.createdAt).toISOString()}">${view.t('signatures.on', { date: view.date(s.createdAt) })}</time></li>`
}

export function organisationItem (view: View, o: OrganisationItem): string {
  const type = o.organisationType === null ? '' : view.t(`form.types.${o.organisationType}`)
  const members = o.members === null ? '' : view.t('organisations.members', { count: o.members })
  return html`<li class="organisation"><span class="organisation-name">${o.organisation ?? ''}</span> <span class="organisation-details">${[type, view.country(o.country), members].filter(Boolean).join(' · ')}</span></li>`
}

export function eventItem (view: View, e: SolidarityEvent): string {
  const place = [e.city, view.country(e.country)].filter(Boolean).join(', ')
  return html`<li class="event"><span class="event-title">${e.title}</span> <time datetime="${e.startsAt.toISOString()}" data-local-time>${view.eventTime(e)}</time> <span class="event-place">${place}</span>!${e.approximate ? html` <span class="event-approximate">(${view.i18n('fielddata')('events.approximate')})</span>` : ''}!${e.attendance === null ? '' : html` <span class="event-attendance">${view.t('events.attendance', { count: e.attendance })}</span>`}!${e.link === null ? '' : html` <a class="event-link" href="${e.link}" rel="noopener noreferrer">${view.t('events.more')}</a>`}!${e.organiser === null ? '' : html` <span class="event-organiser">${view.i18n('fielddata')('events.organisedBy', { name: e.organiser })}</span>`}!${e.description === null ? '' : html`<p class="event-description">${e.description}</p>`}!${e.reportStatus === 'approved' && e.reportText !== null ? html`<p class="event-report">${e.reportText}</p>` : ''}</li>`
}

/** Under an appeal's events: add your own (the public form), and the calendar feed of those to come. */
export function eventLinks (view: View, slug: string): string {
  const f = view.i18n('fielddata')
  return html`<p class="event-actions"><a class="button secondary" href="/appeals/${slug}/events/new">${f('events.addYours')}</a> <a href="/api/appeals/${slug}/events.ics" type="text/calendar">${f('events.calendar')}</a></p>`
}

/** Plain share links: nothing is loaded from the networks until the reader clicks one. */
export function shareLinks (view: View, url: string, text: AppealText): string {
  const u = encodeURIComponent(url)
  const message = encodeURIComponent(`${text.title} ${url}`)
  const links: Array<[string, string]> = [
    [view.t('appeal.shareEmail'), `mailto:?subject=${encodeURIComponent(view.t('appeal.shareEmailSubject', { title: text.title }))}&body=${message}`],
    ['WhatsApp', `https://wa.me/?text=${message}`],
    ['Telegram', `https://t.me/share/url?url=${u}&text=${encodeURIComponent(text.title)}`],
    ['Facebook', `https://www.facebook.com/sharer/sharer.php?u=${u}`],
    ['X', `https://x.com/intent/post?text=${message}`],
    ['Bluesky', `https://bsky.app/intent/compose?text=${message}`]
  ]
  return html`<section class="share" aria-labelledby="share-heading"><h2 id="share-heading">${view.t('appeal.share')}</h2>
<ul class="share-links">!${links.map(([label, href]) => html`<li><a href="${href}" rel="noopener noreferrer">${label}</a></li>`)}</ul>
<p class="share-url"><label for="share-url">${view.t('appeal.copyLink')}</label> <input id="share-url" type="url" value="${url}" readonly></p></section>`
}

/** The counts, with the element ids and data attributes the browser code updates live. */
export function counter (view: View, stats: AppealStats, goal: number | null): string {
  const t = view.t
  const ratio = goal === null ? 0 : Math.min(1, stats.signatures / goal)
  return html`<section class="counter" id="counter" aria-labelledby="counter-heading" data-goal="${goal ?? ''}">
<h2 id="counter-heading">${t('counter.heading')}</h2>
<p class="count"><data id="signature-count" value="${stats.signatures}">${view.number(stats.signatures)}</data></p>
!${goal === null ? '' : html`<p class="goal"><progress id="goal-progress" max="${goal}" value="${Math.min(stats.signatures, goal)}" aria-labelledby="goal-text"></progress> <span id="goal-text">${t('counter.progress', { ratio })}</span> · <span>${t('counter.goal', { goal })}</span></p>`}
<p id="people-summary" data-individuals="${stats.individuals}" data-countries="${stats.countries}">${t('counter.people', { count: stats.individuals })} ${t('counter.fromCountries', { count: stats.countries })}</p>
<p id="organisation-summary" data-organisations="${stats.organisations}" data-members="${stats.membersRepresented}"!${stats.organisations === 0 ? ' hidden' : ''}>${t('counter.organisations', { count: stats.organisations })} ${t('counter.members', { count: stats.membersRepresented })}</p>
!${stats.events === 0 ? '' : html`<p id="event-summary">${t('counter.events', { count: stats.events })} ${t('counter.inCountries', { count: stats.eventCountries })}</p>`}
</section>`
}

/**
 * Where the browser code draws the map, with the legend under it (never over the countries it explains).
 * The map is a picture for the eye and one tab stop; its note points keyboard and screen reader to the table.
 */
export function mapFrame (view: View): string {
  return html`<section id="map" class="map" aria-label="${view.t('map.label')}" aria-describedby="map-note" hidden></section>
<div class="map-legend" id="map-legend" hidden></div>
<p class="visually-hidden" id="map-note">${view.t('map.note')}</p>`
}

/** How many countries the appeal page's table shows before the others, which a reader opens. */
export const TOP_COUNTRIES = 10

const countryRow = (view: View, [code, n]: [string, number]): string =>
  html`<tr data-country="${code}"><th scope="row">${view.country(code)}</th><td><data value="${n}">${view.number(n)}</data></td></tr>`

/**
 * Counts by country as a table: what a reader without JavaScript or a screen reader gets for the map. With
 * `top`, the countries past the first `top` are in a second table that opens from a summary (a native
 * `details`, so it opens without JavaScript too); it is written, empty and hidden, for the live counts to fill.
 */
export function countryTable (view: View, byCountry: Record<string, number>, top = Infinity): string {
  const t = view.t
  const rows = Object.entries(byCountry).sort(([a, x], [b, y]) => y - x || view.country(a).localeCompare(view.country(b), view.lang))
  const rest = rows.slice(top)
  const head = html`<thead><tr><th scope="col">${t('map.country')}</th><th scope="col">${t('map.count')}</th></tr></thead>`
  return html`<table class="country-table" id="country-table"!${top === Infinity ? '' : html` data-top="${top}"`}>
<caption>${t('map.tableCaption')}</caption>
!${head}
<tbody>!${rows.length === 0 ? html`<tr><td colspan="2">${t('map.noData')}</td></tr>` : rows.slice(0, top).map((row) => countryRow(view, row))}</tbody>
</table>
!${top === Infinity
    ? ''
    : html`<details class="more-countries" id="more-countries"!${rest.length === 0 ? ' hidden' : ''}>
<summary id="more-countries-summary">${t('map.otherCountries', { count: rest.length })}</summary>
<table class="country-table" aria-labelledby="more-countries-summary">
!${head}
<tbody>!${rest.map((row) => countryRow(view, row))}</tbody>
</table>
</details>`}`
}
