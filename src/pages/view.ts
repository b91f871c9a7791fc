import type { FastifyReply, FastifyRequest } from 'fastify'
import type { TFunction } from 'i18next'
import { LANGUAGE_COOKIE, requestLanguage } from '../http/language.js'
import { countryCodes } from '../http/schemas.js'
import { directionOf, matchLanguage, parseAcceptLanguage } from '../i18n/index.js'

const ONE_YEAR_S = 365 * 24 * 3600

export interface Country { code: string, name: string }

/** What every template needs to speak the reader's language: words, numbers, dates and country names. */
export interface View {
  lang: string
  dir: 'ltr' | 'rtl'
  t: TFunction
  number: (n: number) => string
  date: (d: Date | string) => string
  country: (code: string) => string
  /** Every country, in this language's alphabetical order. */
  countries: Country[]
  /** A language's name in the reader's language ("Spanish"). */
  languageName: (code: string) => string
  /** The path and query of this page, for links that switch language. */
  path: string
  /** The words of another namespace of locales/ in this language. */
  i18n: (namespace: string) => TFunction
  /** An event's date and time at its own place, with its time zone's name, in the reader's language. */
  eventTime: (event: { startsAt: Date, timeZone: string }) => string
}

// Sorting 250 names with a collator is not free, and every appeal page shows the list.
const countryListCache = new Map<string, Country[]>()
const displayNameCache = new Map<string, Intl.DisplayNames>()

function displayNames (lang: string, type: 'region' | 'language'): Intl.DisplayNames {
  const key = `${lang}:${type}`
  let names = displayNameCache.get(key)
  if (names === undefined) {
    names = new Intl.DisplayNames([lang], { type, fallback: 'code' })
    displayNameCache.set(key, names)
  }
  return names
}

function countryName (lang: string, code: string): string {
  return displayNames(lang, 'region').of(code) ?? code
}

function countryList (lang: string): Country[] {
  let list = countryListCache.get(lang)
  if (list === undefined) {
    const collator = new Intl.Collator(lang)
    list = countryCodes.map((code) => ({ code, name: countryName(lang, code) })).sort((a, b) => collator.compare(a.name, b.name))
    countryListCache.set(lang, list)
  }
  return list
}

/** A language's name in its own language ("español"), as the language switcher shows it. */
export function autonym (code: string): string {
  const name = displayNames(code, 'language').of(code) ?? code
  return name.charAt(0).toLocaleUpperCase(code) + name.slice(1)
}

/**
 * The page's language, chosen as for every request (src/http/language.ts) with the appeal's original
 * language last. A ?lang= choice is remembered in the cookie, so the next page keeps it.
 */
export function pageLanguage (request: FastifyRequest, reply: FastifyReply, fallback?: string): string {
  const query = request.query as Record<string, unknown> | undefined
  const chosen = typeof query?.lang === 'string' ? matchLanguage([query.lang]) : undefined
  if (chosen !== undefined && request.cookies[LANGUAGE_COOKIE] !== chosen) {
    reply.setCookie(LANGUAGE_COOKIE, chosen, { path: '/', maxAge: ONE_YEAR_S, sameSite: 'lax', httpOnly: true, secure: request.protocol === 'https' })
  }
  return requestLanguage(request, fallback)
}

/** The country of the reader's language region (es-VE → VE), never looked up from the address. */
export function countryFromLanguage (request: FastifyRequest): string | undefined {
  for (const tag of parseAcceptLanguage(request.headers['accept-language'])) {
    try {
      const region = new Intl.Locale(tag).region
      if (region !== undefined && countryCodes.includes(region)) return region
    } catch { /* not a well-formed tag: try the next one */ }
  }
  return undefined
}

/** `path` is the page's own address when the request's is another (a form post answered with the form). */
export function createView (request: FastifyRequest, lang: string, path?: string): View {
  const numberFormat = new Intl.NumberFormat(lang)
  const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' })
  const url = new URL(path ?? request.url, 'http://localhost')
  url.searchParams.delete('lang')
  return {
    lang,
    dir: directionOf(lang),
    t: request.server.i18n.getFixedT(lang, 'pages'),
    number: (n) => numberFormat.format(n),
    date: (d) => dateFormat.format(typeof d === 'string' ? new Date(d) : d),
    country: (code) => countryName(lang, code),
    get countries () { return countryList(lang) },
    languageName: (code) => displayNames(lang, 'language').of(code) ?? code,
    path: url.pathname + url.search,
    i18n: (namespace) => request.server.i18n.getFixedT(lang, namespace),
    eventTime: (event) => {
      const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }
      // An event stored before its zone was checked shows in UTC rather than failing the page.
      try {
        return new Intl.DateTimeFormat(lang, { ...options, timeZone: event.timeZone }).format(event.startsAt)
      } catch {
        return new Intl.DateTimeFormat(lang, { ...options, timeZone: 'UTC' }).format(event.startsAt)
      }
    }
  }
}
