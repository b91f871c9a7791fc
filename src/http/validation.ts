import Ajv, { type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import fastJsonStringify from 'fast-json-stringify'

// Unknown fields are an error, not silently dropped, and every bad field is reported at once. Query
// strings and path parameters arrive as text and are coerced to their types; JSON bodies are not,
// since coercion would quietly turn a rejected `"goal": 0` into `null`.
const options = { removeAdditional: false, allErrors: true, useDefaults: true, strict: false } as const
// ajv is CommonJS: under NodeNext its class is the default import's `default`.
const { default: AjvClass } = Ajv
const bodyAjv = addFormats.default(new AjvClass({ ...options, coerceTypes: false }))
const textAjv = addFormats.default(new AjvClass({ ...options, coerceTypes: 'array' }))

// Compiling a schema is the slowest part of building the app, and many routes share one (a slug's
// params, the error body): each distinct schema is compiled once per process. Fastify hands each route
// (and each app instance) its own copy of a schema, so they are told apart by their text.
const validators = new Map<string, ValidateFunction>()
const textValidators = new Map<string, TextValidator>()
const serializers = new Map<string, (data: unknown) => string>()

function once<T> (cache: Map<string, T>, key: string, compile: () => T): T {
  let compiled = cache.get(key)
  if (compiled === undefined) {
    compiled = compile()
    cache.set(key, compiled)
  }
  return compiled
}

interface TextError { instancePath: string, schemaPath: string, keyword: string, params: Record<string, unknown> }
type TextValidator = ((data: unknown) => boolean) & { errors?: TextError[] | null }

// Ajv coerces with Number(), which reads "0x1f", "1e3", " 31" and "+31" as numbers: `DELETE
// …/signatures/0x1f` would erase signature 31. So a number that arrives as text must be written in
// plain decimal first. And no control character in a path or query string (a NUL, which PostgreSQL
// refuses, above all) gets past this into a handler, whatever the parameter's own schema says.
const INTEGER_TEXT = /^-?(0|[1-9][0-9]{0,15})$/
const NUMBER_TEXT = /^-?(0|[1-9][0-9]{0,15})(\.[0-9]{1,16})?$/
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/

function textErrors (schema: { properties?: Record<string, { type?: unknown }> }, data: unknown): TextError[] {
  const errors: TextError[] = []
  if (data === null || typeof data !== 'object') return errors
  for (const [name, given] of Object.entries(data)) {
    const type = schema.properties?.[name]?.type
    for (const value of Array.isArray(given) ? given as unknown[] : [given]) {
      if (typeof value !== 'string') continue
      if (CONTROL.test(value)) errors.push({ instancePath: `/${name}`, schemaPath: '#/pattern', keyword: 'pattern', params: {} })
      else if ((type === 'integer' && !INTEGER_TEXT.test(value)) || (type === 'number' && !NUMBER_TEXT.test(value))) {
        errors.push({ instancePath: `/${name}`, schemaPath: '#/type', keyword: 'type', params: { type } })
      }
    }
  }
  return errors
}

function checkingText (schema: object, validate: ValidateFunction): TextValidator {
  const validator: TextValidator = (data) => {
    const errors = textErrors(schema, data)
    if (errors.length > 0) {
      validator.errors = errors
      return false
    }
    const valid = validate(data)
    validator.errors = validate.errors as TextError[] | null | undefined
    return valid
  }
  return validator
}

/** Fastify's validator compiler: strict for bodies, coercing (from plain decimal only) for what arrives as text. */
export function validatorCompiler ({ schema, httpPart }: { schema: object, httpPart?: string }) {
  if (httpPart === 'body') return once(validators, `body:${JSON.stringify(schema)}`, () => bodyAjv.compile(schema))
  return once(textValidators, JSON.stringify(schema), () => checkingText(schema, textAjv.compile(schema)))
}

/** Fastify's serializer compiler (fast-json-stringify, as Fastify's own), compiled once per schema. */
export function serializerCompiler ({ schema }: { schema: object }) {
  return once(serializers, JSON.stringify(schema), () => fastJsonStringify(schema))
}

/** The same strict checking a JSON body gets, for input that arrives another way (an HTML form). */
export function compileBodyValidator (schema: object) {
  return bodyAjv.compile(schema)
}
