import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { projectRoot } from '../../src/config.js'

// Small, dependency-free helpers for reading the server-rendered pages in tests.

const localesDir = join(projectRoot, 'locales')

/** A namespace of a language's strings, as the locale files hold them. */
export function strings (language: string, namespace: 'pages' | 'errors'): any {
  return JSON.parse(readFileSync(join(localesDir, language, `${namespace}.json`), 'utf8'))
}

/** A string with {{name}} placeholders filled in, as i18next would (no formatting). */
export function fill (template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{\s*(\w+)[^}]*\}\}/g, (_m, name: string) => String(values[name]))
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' }

/** HTML character references decoded (numeric and the usual named ones). */
export function decode (text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') return String.fromCodePoint(ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1)))
    return NAMED[ref.toLowerCase()] ?? whole
  })
}

/** Text content of an HTML fragment: tags removed, references decoded, white space collapsed. */
export function text (fragment: string): string {
  return decode(fragment.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()
}

/** The inner HTML of the first element with this id (elements of the same name nested inside are not expected). */
export function byId (html: string, id: string): string | undefined {
  const match = new RegExp(`<([a-z0-9]+)[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</\\1>`, 'i').exec(html)
  return match?.[2]
}

/** The inner HTML of every element with this class. */
export function byClass (html: string, tag: string, className: string): string[] {
  const re = new RegExp(`<${tag}\\b[^>]*\\sclass="(?:[^"]*\\s)?${className}(?:\\s[^"]*)?"[^>]*>([\\s\\S]*?)</${tag}>`, 'gi')
  return [...html.matchAll(re)].map((m) => m[1] ?? '')
}

/** An attribute of a start tag, decoded. */
export function attr (tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)
  return match?.[1] === undefined ? undefined : decode(match[1])
}

/** The start tag of the element with this id. */
export function startTag (html: string, id: string): string | undefined {
  return new RegExp(`<[a-z0-9]+\\b[^>]*\\sid="${id}"[^>]*>`, 'i').exec(html)?.[0]
}

/** The content of a <meta property|name="..."> tag. */
export function meta (html: string, key: string): string | undefined {
  const tag = new RegExp(`<meta\\s+(?:property|name)="${key}"[^>]*>`, 'i').exec(html)?.[0]
  return tag === undefined ? undefined : attr(tag, 'content')
}

export interface Option { value: string, label: string, selected: boolean }

/** The options of the <select> with this id. */
export function options (html: string, id: string): Option[] {
  const select = new RegExp(`<select[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</select>`, 'i').exec(html)?.[1] ?? ''
  return [...select.matchAll(/<option([^>]*)>([^<]*)<\/option>/g)].map((m) => ({
    value: attr(m[1] ?? '', 'value') ?? '',
    label: decode(m[2] ?? ''),
    selected: /\sselected\b/.test(m[1] ?? '')
  }))
}

/** The value an <input id="field-NAME"> was rendered with. */
export function inputValue (html: string, name: string): string | undefined {
  const tag = startTag(html, `field-${name}`)
  return tag === undefined ? undefined : attr(tag, 'value')
}

/** Every <script> start tag. */
export function scriptTags (html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0])
}

/** The hrefs of every link, decoded. */
export function hrefs (html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*>/gi)].map((m) => attr(m[0], 'href') ?? '')
}

/** Posts the signing form as a browser without JavaScript would. */
export async function postForm (app: FastifyInstance, slug: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: `/appeals/${slug}/sign`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString()
  })
}

/** A language's name in another language, as the pages show it ("anglais"). */
export const languageName = (reader: string, language: string): string =>
  new Intl.DisplayNames([reader], { type: 'language' }).of(language) ?? language
