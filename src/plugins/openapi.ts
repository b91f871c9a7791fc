import { errorCodes, type ErrorCode } from '../errors/app-error.js'

// The routes declare their own parameters, bodies and answers; what every operation shares (who may
// call it, the errors any request can meet, their headers) is added here, once, to the served document,
// so a generated client (test/http/typed-client.test.ts) can rely on it.

/** What an organiser's operation requires: a session cookie or an API token. */
export const ORGANISER_SECURITY: Array<Record<string, string[]>> = [{ session: [] }, { token: [] }]

type Json = Record<string, any>

const ERROR_REF = { $ref: '#/components/schemas/Error' }

/** The one error shape, with every code a client may meet. */
export const errorComponent = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  description: 'Every error: a stable code, a message in the reader\'s language and a message per invalid field',
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'fields'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', enum: Object.keys(errorCodes) },
        message: { type: 'string' },
        fields: { type: 'object', additionalProperties: { type: 'string' } }
      }
    }
  }
}

const RETRY_AFTER = { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } }

const statusDescriptions: Record<string, string> = {
  200: 'Done',
  201: 'Created',
  204: 'Done; nothing to send back',
  304: 'Not modified: the ETag sent in If-None-Match is current',
  400: 'The request is invalid (see error.code, and error.fields for each invalid field)',
  401: 'Not signed in: send the session cookie or an API token',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'The body is larger than the server accepts',
  414: 'A path parameter is too long',
  415: 'Send application/json in UTF-8',
  429: 'Too many requests: Retry-After says when to try again',
  500: 'Our fault; nothing was recorded',
  501: 'Not implemented',
  503: 'Unavailable for a moment (shutting down, overloaded or without its database): Retry-After says when to try again'
}

/** The codes an answer of this status may carry, for its description. */
const codesOf = (status: string): ErrorCode[] => (Object.keys(errorCodes) as ErrorCode[]).filter((code) => String(errorCodes[code]) === status)

function operationId (method: string, path: string): string {
  const words = path.split('/').filter((part) => part !== '' && part !== 'api').flatMap((part) => {
    const param = /^\{(.+)\}$/.exec(part)
    return param?.[1] !== undefined ? ['by', param[1]] : part.split(/[-.]/)
  })
  return method + words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')
}

const isErrorResponse = (response: Json): boolean =>
  response.content?.['application/json']?.schema?.properties?.error !== undefined || response.content?.['application/json']?.schema?.$ref === ERROR_REF.$ref

function errorResponse (status: string): Json {
  const codes = codesOf(status)
  return {
    description: `${statusDescriptions[status] ?? 'Error'}${codes.length > 0 ? `. Codes: ${codes.join(', ')}` : ''}`,
    content: { 'application/json': { schema: ERROR_REF } },
    ...((status === '429' || status === '503') && { headers: { 'Retry-After': RETRY_AFTER } })
  }
}

/** The served document, completed: operationIds, security, every error an operation can answer, headers. */
export function completeDocument (document: Json): Json {
  document.components ??= {}
  document.components.schemas = { ...document.components.schemas, Error: errorComponent }
  for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
    for (const [method, operation] of Object.entries(operations)) {
      operation.operationId ??= operationId(method, path)
      operation.security ??= []
      const responses: Json = operation.responses ?? {}
      const isHealth = path.startsWith('/health/')
      // Any request may be malformed (400 BAD_REQUEST); every one but the health checks is rate-limited
      // and may find the database down.
      const statuses = isHealth ? ['400'] : ['400', '429', '500', '503']
      if (operation.security.length > 0) statuses.push('401')
      if (path.includes('{')) statuses.push('414')
      if (operation.requestBody !== undefined) statuses.push('413', '415')
      for (const status of statuses) responses[status] ??= errorResponse(status)
      for (const [status, response] of Object.entries(responses) as Array<[string, Json]>) {
        if (isErrorResponse(response)) {
          responses[status] = { ...errorResponse(status), ...(response.headers !== undefined && { headers: response.headers }) }
          if (status === '429' || status === '503') responses[status].headers = { 'Retry-After': RETRY_AFTER, ...response.headers }
        } else if (response.description === undefined || response.description === 'Default Response') {
          response.description = statusDescriptions[status] ?? 'Done'
        }
      }
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)))
    }
  }
  return document
}
