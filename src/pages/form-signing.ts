import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Appeal } from '../appeals/service.js'
import { AppError } from '../errors/app-error.js'
import { translateError, validationError } from '../errors/handler.js'
import { requestLanguage } from '../http/language.js'
import { compileBodyValidator } from '../http/validation.js'
import { SignatureInput } from '../signatures/schemas.js'
import type { SignatureInput as SignatureFields, SigningContext } from '../signatures/signature.js'
import type { FormState } from './templates/signing-form.js'

// Signing through a page's own form: the appeal page's and the signing widget's (src/embed/). Without
// JavaScript the form arrives form-encoded and a refusal comes back as the form with its errors; the
// form's script sends the same fields as JSON to the same address and reads a JSON answer. Either way
// the input meets the API's schema and the signing service, so the rules cannot drift apart.

const checkSignature = compileBodyValidator(SignatureInput)
const FORM_FIELDS = ['kind', 'name', 'email', 'country', 'city', 'organisation', 'role', 'organisationType', 'members', 'locale', 'website'] as const

/** An HTML form's fields as the JSON API would receive them: empty means absent, ticked means true. */
function formToSignature (body: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const name of FORM_FIELDS) {
    const value = body[name]
    if (value !== undefined && value !== '') input[name] = value
  }
  input.public = body.public === 'on'
  input.contact = body.contact === 'on'
  if (typeof input.members === 'string' && /^\d{1,10}$/.test(input.members)) input.members = Number(input.members)
  // Without JavaScript the organisation's fields stay on screen; someone signing for themselves may
  // have filled them in before choosing.
  if (input.kind !== 'organisation') {
    delete input.organisationType
    delete input.members
  }
  return input
}

/** Whether the form's script sent this (JSON, answered with JSON) rather than the browser (a form post). */
export const sentByScript = (request: FastifyRequest): boolean => request.headers['content-type']?.startsWith('application/json') === true

/** Signs from a JSON body; a refusal is thrown and answered in the API's error shape. */
export async function signFromScript (app: FastifyInstance, request: FastifyRequest, appeal: Appeal, context: SigningContext) {
  const input = request.body
  if (!checkSignature(input)) throw validationError(checkSignature.errors ?? [])
  return app.services.signatures.sign(appeal, input as SignatureFields, context)
}

export type FormOutcome =
  | { signed: true, status: 'pending' | 'confirmed' | 'erased' }
  | { signed: false, form: FormState, statusCode: number }

/** Signs from a posted form; a refusal comes back as the form's state (values kept, errors translated). */
export async function signFromForm (app: FastifyInstance, request: FastifyRequest, appeal: Appeal, context: SigningContext): Promise<FormOutcome> {
  const body = (request.body ?? {}) as Record<string, unknown>
  const input = formToSignature(body)
  const values = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]))
  const form: FormState = { values: { ...values, public: input.public === true, contact: input.contact === true }, errors: {} }
  try {
    if (!checkSignature(input)) throw validationError(checkSignature.errors ?? [])
    const result = await app.services.signatures.sign(appeal, input as unknown as SignatureFields, context)
    return { signed: true, status: result.status }
  } catch (err) {
    if (!(err instanceof AppError) || err.statusCode >= 500) throw err
    const translated = translateError(app.i18n, requestLanguage(request, appeal.originalLanguage), err)
    // A field the form does not show (an unknown one) is reported in the summary instead.
    const shown = new Set<string>(FORM_FIELDS)
    for (const [field, message] of Object.entries(translated.fields)) {
      if (shown.has(field)) form.errors[field] = message
      else form.message ??= translated.message
    }
    if (Object.keys(translated.fields).length === 0 || err.code !== 'VALIDATION_FAILED') form.message = translated.message
    return { signed: false, form, statusCode: err.statusCode }
  }
}
