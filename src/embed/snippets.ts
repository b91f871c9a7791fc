import { html } from 'ghtml'
import { EMBED_SCRIPT } from './script.js'
import { optionsQuery, widgets, type Widget } from './options.js'

/**
 * The height a widget's frame starts at, before embed.js fits it to its content, and the plain iframe's
 * fixed height: as tall as the widget is in a phone's frame (its tallest: narrower is taller), in English and
 * Arabic, so nothing is cut. test/browser/phone-and-keyboard.test.ts measures them.
 */
export const WIDGET_HEIGHTS: Record<Widget, number> = { map: 500, counter: 520, sign: 1280 }

export interface SnippetOptions {
  /** The Solidaria site's address, without a trailing slash. */
  base: string
  slug: string
  lang: string
  accent?: string
  theme?: 'light' | 'dark'
  /** The frame's accessible name, per widget, in `lang`. */
  title: (widget: Widget) => string
}

export interface Snippet {
  /** The widget page itself. */
  url: string
  /** The script snippet: embed.js puts the frame where it stands and keeps it sized to its content. */
  script: string
  /** A plain frame of fixed height, for sites that allow no scripts. */
  iframe: string
}

export function widgetUrl (o: Omit<SnippetOptions, 'title'>, widget: Widget): string {
  const query = optionsQuery({ lang: o.lang, theme: o.theme ?? 'light', ...(o.accent !== undefined && { accent: o.accent }) })
  return `${o.base}/embed/${o.slug}/${widget}?${query}`
}

export function iframeSnippet (o: SnippetOptions, widget: Widget, size: { width?: number, height?: number } = {}): string {
  const width = size.width === undefined ? '100%' : String(size.width)
  return html`<iframe src="${widgetUrl(o, widget)}" title="${o.title(widget)}" width="${width}" height="${size.height ?? WIDGET_HEIGHTS[widget]}" style="border:0;max-width:100%" loading="lazy"></iframe>`
}

export function scriptSnippet (o: SnippetOptions, widget: Widget): string {
  return html`<script async src="${o.base}/${EMBED_SCRIPT}" data-appeal="${o.slug}" data-widget="${widget}" data-lang="${o.lang}"!${o.accent === undefined ? '' : html` data-accent="${o.accent.replace('#', '')}"`}!${o.theme === undefined || o.theme === 'light' ? '' : html` data-theme="${o.theme}"`}></script>`
}

/** Every widget's snippets, as the organiser API hands them out. */
export function snippets (o: SnippetOptions): Record<Widget, Snippet> {
  return Object.fromEntries(widgets.map((w) => [w, { url: widgetUrl(o, w), script: scriptSnippet(o, w), iframe: iframeSnippet(o, w) }])) as
    Record<Widget, Snippet>
}
