import type { FastifyRequest } from 'fastify'
import { matchLanguage, parseAcceptLanguage, referenceLanguage } from '../i18n/index.js'

export const LANGUAGE_COOKIE = 'lang'

/**
 * The reader's language: ?lang=, then the language cookie, then the language a form or JSON body names,
 * then Accept-Language, then `fallback` (a page's: its appeal's original language), then English.
 */
export function requestLanguage (request: FastifyRequest, fallback?: string): string {
  const query = request.query as Record<string, unknown> | undefined
  const body = request.body as Record<string, unknown> | undefined
  return matchLanguage([
    typeof query?.lang === 'string' ? query.lang : undefined,
    request.cookies?.[LANGUAGE_COOKIE],
    typeof body?.locale === 'string' ? body.locale : undefined,
    ...parseAcceptLanguage(request.headers['accept-language']),
    fallback
  ]) ?? referenceLanguage
}
