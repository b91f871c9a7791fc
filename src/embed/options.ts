import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { matchLanguage, parseAcceptLanguage, referenceLanguage } from '../i18n/index.js'

export const widgets = ['map', 'counter', 'sign'] as const
export type Widget = typeof widgets[number]

/** What an embedding site may choose, in the widget's address. Unknown parameters are ignored. */
export const WidgetQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 35 })),
  accent: Type.Optional(Type.String({ pattern: '^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$', description: 'Accent colour, hex ("b3261e" or "#b3261e")' })),
  theme: Type.Optional(Type.Union([Type.Literal('light'), Type.Literal('dark')])),
  // The embedding page's origin, carried from one page of the frame to the next (see embedderOrigin).
  origin: Type.Optional(Type.String({ maxLength: 300 }))
})

export interface WidgetQueryValues { lang?: string, accent?: string, theme?: 'light' | 'dark', origin?: string }

export interface WidgetOptions {
  lang: string
  theme: 'light' | 'dark'
  /** The accent as given, normalised to #rrggbb; undefined for the site's own. */
  accent?: string
}

/**
 * The widget's language: the one asked for, else the reader's browser's, else the appeal's. No cookie
 * is read or set: a widget lives on other sites, where it must neither track nor depend on one.
 */
export function widgetOptions (request: FastifyRequest, query: WidgetQueryValues, fallback: string): WidgetOptions {
  const lang = matchLanguage([query.lang, ...parseAcceptLanguage(request.headers['accept-language']), fallback]) ?? referenceLanguage
  const options: WidgetOptions = { lang, theme: query.theme ?? 'light' }
  if (query.accent !== undefined) options.accent = expandHex(query.accent)
  return options
}

/** The options as query parameters, for the widget's own links and form and for snippets (its language always named). */
export function optionsQuery (options: WidgetOptions, origin?: string): string {
  const params = new URLSearchParams({ lang: options.lang })
  if (options.accent !== undefined) params.set('accent', options.accent.replace('#', ''))
  if (options.theme !== 'light') params.set('theme', options.theme)
  if (origin !== undefined) params.set('origin', origin)
  return params.toString()
}

/** A string that is exactly a web origin, normalised as browsers compare them, or undefined. */
export function asOrigin (value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined
  try {
    const url = new URL(value)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
    return url.origin
  } catch {
    return undefined
  }
}

/**
 * The origin of the page that frames the widget, or undefined. The frame's first request (the widget's
 * GET) carries it as its Referer (embed.js asks for the origin alone); the widget then passes it on in its
 * own form and links as ?origin=, since their requests come from the frame itself. Only an origin is
 * ever kept: the embedding page's path may say more about the reader than we need to know. It is what
 * the browser, or whoever sends the request, says; where the appeal names its sites, only one of them
 * is kept.
 */
export function embedderOrigin (
  request: FastifyRequest, query: WidgetQueryValues, d: { firstRequest: boolean, own: string[], allowed: string[] }
): string | undefined {
  const referer = d.firstRequest ? asOrigin(request.headers.referer) : undefined
  const origin = referer !== undefined && !d.own.includes(referer) ? referer : asOrigin(query.origin)
  if (origin === undefined || d.own.includes(origin)) return undefined
  return d.allowed.length === 0 || d.allowed.includes(origin) ? origin : undefined
}

// Colours: the site's accent, its darker shade for hovering, a text colour readable on it, and a shade
// for links and figures readable on the page's background (light or dark), whatever accent is chosen.

const DEFAULT_ACCENT = '#b3261e'
const PAPER = { light: '#fffdf9', dark: '#17171c' }

function expandHex (value: string): string {
  const hex = value.replace('#', '').toLowerCase()
  return '#' + (hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex)
}

type Rgb = [number, number, number]
const toRgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb
const toHex = (rgb: Rgb): string => '#' + rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')
const mix = (a: Rgb, b: Rgb, share: number): Rgb => a.map((c, i) => c * (1 - share) + (b[i] ?? 0) * share) as Rgb

function luminance ([r, g, b]: Rgb): number {
  const channel = (c: number): number => {
    const s = c / 255
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4)
  }
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/** WCAG contrast ratio of two colours. */
export function contrast (a: string, b: string): number {
  const [x, y] = [luminance(toRgb(a)), luminance(toRgb(b))].sort((p, q) => q - p) as [number, number]
  return (x + 0.05) / (y + 0.05)
}

/** The widget's colours as CSS custom properties, in a style element of its own (allowed by its hash). */
export function themeStyle (options: WidgetOptions): { css: string, hash: string } {
  const accent = options.accent ?? DEFAULT_ACCENT
  const rgb = toRgb(accent)
  const paper = PAPER[options.theme]
  const towards: Rgb = options.theme === 'dark' ? [255, 255, 255] : [0, 0, 0]
  let link = accent
  for (let share = 0.1; contrast(link, paper) < 4.5 && share <= 1; share += 0.1) link = toHex(mix(rgb, towards, share))
  const onAccent = contrast('#ffffff', accent) >= contrast('#000000', accent) ? '#ffffff' : '#000000'
  const css = `:root{--accent:${accent};--accent-dark:${toHex(mix(rgb, [0, 0, 0], 0.22))};--on-accent:${onAccent};--link:${link}}`
  return { css, hash: `sha256-${createHash('sha256').update(css).digest('base64')}` }
}
