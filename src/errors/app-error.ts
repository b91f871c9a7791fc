/**
 * Every error a client can see: a stable code, an HTTP status, a message key in locales/<lang>/errors.json
 * and, for validation, a message key per field. The error handler translates and shapes it.
 */
export class AppError extends Error {
  constructor (
    readonly statusCode: number,
    readonly code: ErrorCode,
    readonly params: Record<string, unknown> = {},
    readonly fields: Record<string, FieldError> = {}
  ) {
    super(code)
    this.name = 'AppError'
  }
}

/** A field's problem: a key under `validation.` in errors.json, with its interpolation values. */
export interface FieldError { key: string, params?: Record<string, unknown> }

export const errorCodes = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  NESTING_TOO_DEEP: 400,
  SPAM_SUSPECTED: 400,
  ORGANISATIONS_NOT_ALLOWED: 400,
  IMPORT_UNREADABLE: 400,
  IMPORT_EMPTY: 400,
  IMPORT_TOO_LARGE: 400,
  IMPORT_MAPPING_INCOMPLETE: 400,
  UPDATE_ORIGINAL_REQUIRED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  TWO_FACTOR_CODE_INVALID: 401,
  FORBIDDEN: 403,
  SETUP_TOKEN_INVALID: 403,
  CSRF_INVALID: 403,
  TWO_FACTOR_REQUIRED: 403,
  NOT_FOUND: 404,
  APPEAL_NOT_FOUND: 404,
  SIGNATURE_NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  EVENT_REPORT_NOT_FOUND: 404,
  EVENT_REPORT_TOO_EARLY: 409,
  UPDATE_NOT_FOUND: 404,
  ORGANISER_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  ACCOUNT_LINK_INVALID: 404,
  PUBLIC_LIST_DISABLED: 404,
  FUND_NOT_FOUND: 404,
  CONTRIBUTION_NOT_FOUND: 404,
  SPENDING_NOT_FOUND: 404,
  RECEIPT_NOT_FOUND: 404,
  APPEAL_NOT_OPEN: 409,
  APPEAL_NOT_YET_OPEN: 409,
  APPEAL_CLOSED: 409,
  SLUG_TAKEN: 409,
  ORGANISER_EXISTS: 409,
  SETUP_DONE: 409,
  ORIGINAL_TEXT_REQUIRED: 409,
  UPDATE_LOCKED: 409,
  TWO_FACTOR_ALREADY_ON: 409,
  TWO_FACTOR_NOT_STARTED: 409,
  REQUEST_TIMEOUT: 408,
  BODY_TOO_LARGE: 413,
  RECEIPT_TOO_LARGE: 413,
  URL_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  OEMBED_FORMAT_UNSUPPORTED: 501,
  SERVICE_UNAVAILABLE: 503
} as const

export type ErrorCode = keyof typeof errorCodes

export function appError (code: ErrorCode, params: Record<string, unknown> = {}, fields: Record<string, FieldError> = {}): AppError {
  return new AppError(errorCodes[code], code, params, fields)
}

/** A 400 for one or more fields, e.g. invalidFields({ email: { key: 'email' } }). */
export function invalidFields (fields: Record<string, FieldError>): AppError {
  return appError('VALIDATION_FAILED', {}, fields)
}
