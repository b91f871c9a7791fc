import { html } from 'ghtml'
import { languages } from '../../i18n/index.js'
import type { PageAssets } from '../assets.js'
import { autonym, type View } from '../view.js'

export interface PageMeta {
  title: string
  description?: string
  /** The page's absolute address, for link previews. */
  url?: string
  /** Open Graph / Twitter card tags are written when set (appeal pages). */
  /** `locale` is the language of the text the preview shows, which may not be the reader's. */
  preview?: { type: 'website' | 'article', locale: string, locales?: string[] }
  /** Data for the browser code, as JSON in a non-executable script element (no inline script runs). */
  data?: unknown
  noindex?: boolean
  /** The page's oEmbed address, announced for CMSs that embed from a link. */
  oembed?: string
  /**
   * Where the signing form is, when the page has one that takes signatures: linked first thing on the page,
   * a button on narrow screens (where the form is screens away) and a skip link on wide ones.
   */
  signLink?: string
}

/** JSON that cannot close the script element it sits in. */
export function scriptJson (value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

function languageLink (view: View, lang: string): string {
  const separator = view.path.includes('?') ? '&' : '?'
  return `${view.path}${separator}lang=${lang}`
}

export function languageSwitcher (view: View): string {
  return html`<nav class="languages" aria-label="${view.t('site.language')}"><ul>!${languages.map((lang) => lang === view.lang
    ? html`<li><a href="${languageLink(view, lang)}" lang="${lang}" hreflang="${lang}" aria-current="true">${autonym(lang)}</a></li>`
    : html`<li><a href="${languageLink(view, lang)}" lang="${lang}" hreflang="${lang}">${autonym(lang)}</a></li>`
  )}</ul></nav>`
}

function previewTags (view: View, meta: PageMeta): string {
  if (meta.preview === undefined) return ''
  const description = meta.description ?? ''
  return html`
<meta property="og:type" content="${meta.preview.type}">
<meta property="og:site_name" content="${view.t('site.name')}">
<meta property="og:title" content="${meta.title}">
<meta property="og:description" content="${description}">
<meta property="og:locale" content="${meta.preview.locale}">
!${(meta.preview.locales ?? []).filter((l) => l !== meta.preview?.locale).map((l) => html`<meta property="og:locale:alternate" content="${l}">`)}
!${meta.url === undefined ? '' : html`<meta property="og:url" content="${meta.url}">`}
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="${meta.title}">
<meta name="twitter:description" content="${description}">`
}

/**
 * An address for an attribute, escaped as PHP's htmlspecialchars would (`&amp;`, never `&#38;` nor `&#61;`):
 * WordPress reads oEmbed discovery links with htmlspecialchars_decode, which undoes only those entities.
 */
export function phpSafeUrl (url: string): string {
  return url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#039;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A whole HTML document around a page's main content. */
export function layout (view: View, assets: PageAssets, meta: PageMeta, main: string): string {
  const title = meta.title === view.t('site.name') ? meta.title : `${meta.title} · ${view.t('site.name')}`
  return '<!doctype html>\n' + html`<html lang="${view.lang}" dir="${view.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<meta name="description" content="${meta.description === undefined || meta.description === '' ? view.t('site.tagline') : meta.description}">
!${meta.noindex === true ? '<meta name="robots" content="noindex">' : ''}
!${previewTags(view, meta)}
!${meta.oembed === undefined ? '' : html`<link rel="alternate" type="application/json+oembed" href="!${phpSafeUrl(meta.oembed)}" title="${meta.title}">`}
!${assets.styles.map((href) => html`<link rel="stylesheet" href="${href}">`)}
!${assets.preloads.map((href) => html`<link rel="modulepreload" href="${href}">`)}
!${assets.scripts.map((src) => html`<script type="module" src="${src}"></script>`)}
</head>
<body>
<a class="skip-link" href="#content">${view.t('site.skipToContent')}</a>
!${meta.signLink === undefined ? '' : html`<a class="skip-link sign-link" href="${meta.signLink}">${view.t('site.skipToSign')}</a>`}
<header class="site-header">
<p class="site-name"><a href="/">${view.t('site.name')}</a></p>
!${languageSwitcher(view)}
</header>
<main id="content" tabindex="-1">
!${main}
</main>
<footer class="site-footer">
<p>${view.t('site.footer')}</p>
<p><a href="/">${view.t('site.home')}</a> · <a href="/docs">${view.t('site.apiDocs')}</a></p>
</footer>
!${meta.data === undefined ? '' : `<script type="application/json" id="page-data">${scriptJson(meta.data)}</script>`}
</body>
</html>
`
}
