import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors/app-error.js'
import { translateError, validationError } from '../errors/handler.js'
import { requestLanguage } from '../http/language.js'
import { compileBodyValidator } from '../http/validation.js'

// A dashboard form's fields become the JSON the organiser API takes, and meet the API's own schema, so
// the two cannot disagree about what is valid. The form's refusals come back as messages per field.

/** What a refused form shows: its message, and a message per field (by the form's field names). */
export interface Refusal { status: number, message: string, fields: Record<string, string> }

/** The form's fields as the API's JSON: an empty field of a nullable setting means null, an unticked box false. */
export const formValue = {
  text: (body: Record<string, unknown>, name: string): string | undefined => typeof body[name] === 'string' ? body[name] : undefined,
  nullableText: (body: Record<string, unknown>, name: string): string | null => typeof body[name] === 'string' ? body[name] : null,
  /** A whole number as typed, or the text itself (so the schema names what is wrong); empty: null. */
  number: (body: Record<string, unknown>, name: string): number | string | null => {
    const value = body[name]
    if (typeof value !== 'string') return null
    return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value
  },
  checkbox: (body: Record<string, unknown>, name: string): boolean => body[name] === 'on',
  /** A `datetime-local` field, which has no time zone, read as UTC (the form says so). */
  utcTime: (body: Record<string, unknown>, name: string): string | null => {
    const value = body[name]
    if (typeof value !== 'string') return null
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00Z` : value
  },
  lines: (body: Record<string, unknown>, name: string): string[] => typeof body[name] === 'string' ? body[name].split('\n').map((l) => l.trim()).filter((l) => l !== '') : []
}

/** The value of a time for a `datetime-local` field (UTC). */
export const localTime = (value: Date | null | undefined): string => value == null ? '' : value.toISOString().slice(0, 16)

/**
 * Checks a form's JSON against the API's schema, then runs `act`; a refusal from either comes back
 * translated (see `refusal`), its fields renamed to the form's names by `rename`.
 */
export async function throughSchema<T> (
  request: FastifyRequest, schema: object, input: unknown, act: () => Promise<T>, rename: (field: string) => string = (f) => f
): Promise<T | Refusal> {
  const check = compileValidator(schema)
  try {
    if (!check(input)) throw validationError(check.errors ?? [])
    return await act()
  } catch (err) {
    return refusal(request, err, rename)
  }
}

/**
 * A refusal (an AppError under 500) in the reader's language, for the form to show; anything else is
 * thrown on, to the error handler.
 */
export function refusal (request: FastifyRequest, err: unknown, rename: (field: string) => string = (f) => f): Refusal {
  if (!(err instanceof AppError) || err.statusCode >= 500) throw err
  const translated = translateError(request.server.i18n, requestLanguage(request), err)
  const fields: Record<string, string> = {}
  for (const [field, message] of Object.entries(translated.fields)) fields[rename(field)] ??= message
  return { status: err.statusCode, message: translated.message, fields }
}

export const isRefusal = (value: unknown): value is Refusal =>
  typeof value === 'object' && value !== null && 'status' in value && 'message' in value && 'fields' in value

const validators = new WeakMap<object, ReturnType<typeof compileBodyValidator>>()
function compileValidator (schema: object) {
  let check = validators.get(schema)
  if (check === undefined) {
    check = compileBodyValidator(schema)
    validators.set(schema, check)
  }
  return check
}
