import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { i18n } from 'i18next'
import { isDatabaseUnavailable } from '../db/unavailable.js'
import { requestLanguage } from '../http/language.js'
import { MAX_DEPTH, NestingTooDeepError } from '../http/normalise-input.js'
import { AppError, appError, type ErrorCode, type FieldError } from './app-error.js'

interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
}

// Fields whose pattern or enum failures deserve a more specific message than "not in the expected format".
const FIELD_MESSAGES: Record<string, string> = {
  country: 'country',
  slug: 'slug',
  locale: 'language',
  language: 'language',
  lang: 'language',
  originalLanguage: 'language',
  email: 'email',
  password: 'password',
  donationUrl: 'url',
  joinUrl: 'url',
  link: 'url'
}

function fieldName (error: AjvError): string {
  const path = error.instancePath.split('/').filter(Boolean)
  if (error.keyword === 'required') path.push(String(error.params.missingProperty))
  if (error.keyword === 'additionalProperties') path.push(String(error.params.additionalProperty))
  return path.join('.') || '(body)'
}

function fieldError (error: AjvError, field: string): FieldError {
  const last = field.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? field
  const specific = FIELD_MESSAGES[last]
  const limit = error.params.limit
  switch (error.keyword) {
    case 'required': return { key: 'required' }
    case 'additionalProperties': return { key: 'unknown' }
    case 'minLength': return { key: last === 'password' ? 'password' : 'tooShort', params: { limit } }
    case 'maxLength': return { key: 'tooLong', params: { limit } }
    case 'maxItems': return { key: 'tooMany', params: { limit } }
    case 'minimum': return { key: 'tooSmall', params: { limit } }
    case 'maximum': return { key: 'tooLarge', params: { limit } }
    case 'format': {
      const format = String(error.params.format)
      return { key: format === 'email' ? 'email' : format === 'uri' ? 'url' : format === 'date-time' ? 'date' : 'format' }
    }
    case 'pattern': return { key: specific ?? 'format' }
    case 'enum': case 'const': case 'anyOf': return { key: specific ?? 'choice' }
    case 'type': {
      const type = String(error.params.type)
      return { key: type === 'integer' || type === 'number' ? 'wholeNumber' : type === 'boolean' ? 'boolean' : 'invalid' }
    }
    default: return { key: 'invalid' }
  }
}

/** Ajv's list of failures, turned into one message per field (the first failure of each field wins). */
export function validationError (errors: AjvError[]): AppError {
  const fields: Record<string, FieldError> = {}
  for (const error of errors) {
    const field = fieldName(error)
    fields[field] ??= fieldError(error, field)
  }
  return appError('VALIDATION_FAILED', {}, fields)
}

const statusCodes: Partial<Record<number, ErrorCode>> = { 413: 'BODY_TOO_LARGE', 414: 'URL_TOO_LONG', 415: 'UNSUPPORTED_MEDIA_TYPE', 431: 'HEADERS_TOO_LARGE' }

function toAppError (error: FastifyError | AppError | Error): AppError {
  if (error instanceof AppError) return error
  if (error instanceof NestingTooDeepError) return appError('NESTING_TOO_DEEP', { max: MAX_DEPTH })
  const fe = error as FastifyError & { validation?: AjvError[] }
  if (fe.validation !== undefined) return validationError(fe.validation)
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return appError('BODY_TOO_LARGE')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return appError('UNSUPPORTED_MEDIA_TYPE')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': case 'FST_ERR_CTP_INVALID_JSON_BODY': return appError('INVALID_JSON')
    case 'FST_CSRF_MISSING_SECRET': case 'FST_CSRF_INVALID_TOKEN': return appError('CSRF_INVALID')
    case 'FST_REQ_FILE_TOO_LARGE': case 'FST_FILES_LIMIT': case 'FST_PARTS_LIMIT': case 'FST_FIELDS_LIMIT': return appError('BODY_TOO_LARGE')
  }
  if (error instanceof SyntaxError && fe.statusCode === 400) return appError('INVALID_JSON')
  if (fe.statusCode === 404) return appError('NOT_FOUND')
  if (fe.statusCode === 503) return appError('SERVICE_UNAVAILABLE')
  // Any other refusal by Fastify or a plugin (a bad Content-Length, a malformed header) is the client's
  // and says so in our shape; Fastify's own message may quote the request, and is not passed on.
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) return appError(statusCodes[fe.statusCode] ?? 'BAD_REQUEST')
  return appError('INTERNAL')
}

/** The JSON body of every error Solidaria answers, translated for the request's reader. */
export function errorBody (request: FastifyRequest, error: AppError): { error: TranslatedError } {
  return { error: translateError(request.server.i18n, requestLanguage(request), error) }
}

export interface TranslatedError { code: string, message: string, fields: Record<string, string> }

export function translateError (i18n: i18n, lng: string, error: AppError): TranslatedError {
  const t = i18n.getFixedT(lng, 'errors')
  const fields: Record<string, string> = {}
  for (const [name, f] of Object.entries(error.fields)) fields[name] = t(`validation.${f.key}`, f.params ?? {})
  return { code: error.code, message: t(`code.${error.code}`, error.params), fields }
}

export function sendError (request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(errorBody(request, error))
}

// Soon enough for a client to find the instance (or its database) back, late enough not to hammer it.
const RETRY_AFTER_SECONDS = 2

// A reader who follows a broken link gets a page in their language; a program gets the JSON error.
export function answerError (request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const { pages } = request.server
  if (error.statusCode === 503) reply.header('retry-after', RETRY_AFTER_SECONDS)
  return pages.wantsPage(request) ? pages.sendError(request, reply, error) : sendError(request, reply, error)
}

async function errorHandler (app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    // An outage is logged once, by its first failure, not with a stack for every request it fails.
    if (isDatabaseUnavailable(error)) {
      app.outages.database.failed(error)
      return answerError(request, reply, appError('SERVICE_UNAVAILABLE'))
    }
    const appErr = toAppError(error)
    // A 5xx body never carries internals; the log keeps them. Our own 503s (an outage, draining, pressure)
    // are each logged once by what raised them.
    const ours = error instanceof AppError && error.code === 'SERVICE_UNAVAILABLE'
    if (appErr.statusCode >= 500 && !ours) request.log.error({ err: error }, 'request failed')
    return answerError(request, reply, appErr)
  })
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (request, reply) => answerError(request, reply, appError('NOT_FOUND')))
}

/**
 * Fastify's `frameworkErrors`: an address it cannot route (malformed percent-encoding, a path parameter
 * over maxParamLength) answered like every other error, never quoting the address back.
 */
export function frameworkErrors (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  answerError(request, reply, appError(error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'URL_TOO_LONG' : 'BAD_REQUEST'))
}

export default fp(errorHandler, { name: 'error-handler', dependencies: ['i18n', '@fastify/rate-limit', 'pages', 'outages'] })
