import { html } from 'ghtml'
import type { Appeal } from '../appeals/service.js'
import type { EntryAssets } from '../pages/assets.js'
import { countryTable, counter, mapFrame } from '../pages/templates/parts.js'
import { scriptJson } from '../pages/templates/layout.js'
import { signingSection } from '../pages/templates/appeal.js'
import type { FormState } from '../pages/templates/signing-form.js'
import type { View } from '../pages/view.js'
import type { AppealStats } from '../stats/appeal-stats.js'
import type { Widget, WidgetOptions } from './options.js'

// Widget pages: made to sit in another site's iframe, so no header, footer or language switcher; one
// heading, the widget, and a link to the appeal's own page, which opens outside the frame.

export interface WidgetMeta {
  widget: Widget | 'thanks' | 'error' | 'fund'
  title: string
  options: WidgetOptions
  /** The colours, as a style element's text (see themeStyle). */
  style: string
  /** The appeal's page, which links in the widget open in a new tab (none on an error page). */
  appealUrl?: string
  data?: unknown
}

/** A link that leaves the frame for the appeal's site, saying so to screen readers. */
function outLink (view: View, href: string, text: string, className = ''): string {
  return html`<a href="${href}" target="_blank" rel="noopener"!${className === '' ? '' : html` class="${className}"`}>${text}<span class="visually-hidden"> ${view.t('embed.newTab')}</span></a>`
}

export function widgetDocument (view: View, assets: EntryAssets, meta: WidgetMeta, main: string): string {
  return '<!doctype html>\n' + html`<html lang="${view.lang}" dir="${view.dir}" data-theme="${meta.options.theme}" class="widget widget-${meta.widget}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${meta.title}</title>
<meta name="description" content="${meta.title}">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
!${assets.styles.map((href) => html`<link rel="stylesheet" href="${href}">`)}
<style>!${meta.style}</style>
!${assets.preloads.map((href) => html`<link rel="modulepreload" href="${href}">`)}
!${assets.scripts.map((src) => html`<script type="module" src="${src}"></script>`)}
</head>
<body>
<main id="content">
!${main}
</main>
!${meta.appealUrl === undefined ? '' : html`<p class="widget-credit">!${outLink(view, meta.appealUrl, view.t('embed.readAppeal'))}</p>`}
!${meta.data === undefined ? '' : `<script type="application/json" id="page-data">${scriptJson(meta.data)}</script>`}
</body>
</html>
`
}

const heading = (title: string, language: string, view: View): string =>
  html`<h1 class="widget-title"!${language === view.lang ? '' : html` lang="${language}"`}>${title}</h1>`

export interface AppealHeading { title: string, language: string }

export function counterWidget (
  view: View, d: { heading: AppealHeading, stats: AppealStats, goal: number | null, appealUrl: string, signable: boolean }
): string {
  return html`!${heading(d.heading.title, d.heading.language, view)}
!${counter(view, d.stats, d.goal)}
!${d.signable ? html`<p class="widget-action">!${outLink(view, `${d.appealUrl}#sign`, view.t('embed.signCta'), 'button')}</p>` : ''}`
}

export function mapWidget (view: View, d: { heading: AppealHeading, stats: AppealStats }): string {
  return html`!${heading(d.heading.title, d.heading.language, view)}
!${mapFrame(view)}
<details class="map-table"><summary>${view.t('map.tableCaption')}</summary>
!${countryTable(view, d.stats.byCountry)}
</details>`
}

export function signWidget (view: View, d: { heading: AppealHeading, appeal: Appeal, form: FormState, action: string, now: Date }): string {
  return html`!${heading(d.heading.title, d.heading.language, view)}
!${signingSection(view, d.appeal, d.form, d.action, d.now)}`
}

export function thanksWidget (view: View, d: { heading: AppealHeading, pending: boolean, appealUrl: string }): string {
  return html`<section class="thanks" id="thanks" tabindex="-1">
<h1>${view.t('thanks.title')}</h1>
<p class="thanks-status">${d.pending ? view.t('thanks.pending') : view.t('thanks.confirmed', { title: d.heading.title })}</p>
<p>!${outLink(view, d.appealUrl, view.t('embed.shareFromAppeal'))}</p>
</section>`
}

/** An error inside a widget's frame: the message alone, without the site around it. */
export function errorWidget (view: View, d: { title: string, message: string, fields: Record<string, string> }): string {
  return html`<section class="widget-error" role="alert">
<h1 class="widget-title">${d.title}</h1>
<p>${d.message}</p>
!${Object.keys(d.fields).length === 0 ? '' : html`<ul>!${Object.entries(d.fields).map(([field, problem]) => html`<li><code>${field}</code>: ${problem}</li>`)}</ul>`}
</section>`
}
