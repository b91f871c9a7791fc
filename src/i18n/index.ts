import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { html } from 'ghtml'
import i18next, { type i18n, type Resource } from 'i18next'
import { paths } from '../config.js'

/** The languages Solidaria speaks; English is the reference every other must match key for key. */
export const languages = readdirSync(paths.locales, { withFileTypes: true })
  .filter((d) => d.isDirectory()).map((d) => d.name).sort()

export const referenceLanguage = 'en'

// Read once per process: every app instance (tests build many) shares the parsed files; the paper
// import reads the printed sheet's column names from them too.
let loaded: Resource | undefined
export function loadResources (): Resource {
  if (loaded !== undefined) return loaded
  const resources: Resource = {}
  for (const language of languages) {
    const dir = join(paths.locales, language)
    resources[language] = {}
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      resources[language][file.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(dir, file), 'utf8'))
    }
  }
  loaded = resources
  return resources
}

/** One i18next instance, loaded synchronously from locales/ (the same files the browser gets). */
export function createI18n (): i18n {
  const resources = loadResources()
  const instance = i18next.createInstance()
  void instance.init({
    resources,
    lng: referenceLanguage,
    fallbackLng: referenceLanguage,
    supportedLngs: languages,
    nonExplicitSupportedLngs: true,
    defaultNS: 'common',
    ns: Object.keys(resources[referenceLanguage] ?? {}),
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false
  })
  return instance
}

/** The first supported language among the candidates (exact tag, then its base: es-VE → es). */
export function matchLanguage (candidates: Iterable<string | undefined>): string | undefined {
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '') continue
    const tag = candidate.toLowerCase()
    if (languages.includes(tag)) return tag
    const base = tag.split('-')[0]
    if (base !== undefined && languages.includes(base)) return base
  }
  return undefined
}

const RTL_LANGUAGES = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'ckb', 'yi'])

/** The script direction of a language, for the `dir` of anything written in it (pages and mail alike). */
export const directionOf = (lang: string): 'ltr' | 'rtl' => RTL_LANGUAGES.has(lang.split('-')[0] ?? lang) ? 'rtl' : 'ltr'

/** Language tags from an Accept-Language header, best first. */
export function parseAcceptLanguage (header: string | undefined): string[] {
  if (header === undefined) return []
  return header.split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q.slice(2)) || 0, index }
    })
    .filter((e) => e.tag !== '' && e.tag !== '*' && e.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((e) => e.tag)
}

/** Stands in a translated sentence for markup that is put in after escaping (see withMarkup). */
export const MARKUP_SLOT = '\u0000'

/**
 * A translated sentence as HTML: the text escaped, and `markup` (already safe) where the sentence has
 * MARKUP_SLOT, e.g. t('intro', { title: MARKUP_SLOT }) with the title marked up in its own language.
 */
export function withMarkup (sentence: string, markup: string): string {
  return sentence.split(MARKUP_SLOT).map((part) => html`${part}`).join(markup)
}
