import type { FastifyRequest } from 'fastify'
import { matchLanguage, parseAcceptLanguage, referenceLanguage } from '../i18n/index.js'

export const LANGUAGE_COOKIE = 'lang'

/** The reader's language: ?lang=, then the language cookie, then Accept-Language, then English. */
export function requestLanguage (request: FastifyRequest): string {
  const query = request.query as Record<string, unknown> | undefined
  const body = request.body as Record<string, unknown> | undefined
  return matchLanguage([
    typeof query?.lang === 'string' ? query.lang : undefined,
    request.cookies?.[LANGUAGE_COOKIE],
    typeof body?.locale === 'string' ? body.locale : undefined,
    ...parseAcceptLanguage(request.headers['accept-language'])
  ]) ?? referenceLanguage
}
