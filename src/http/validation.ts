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
const serializers = new Map<string, (data: unknown) => string>()

function once<T> (cache: Map<string, T>, key: string, compile: () => T): T {
  let compiled = cache.get(key)
  if (compiled === undefined) {
    compiled = compile()
    cache.set(key, compiled)
  }
  return compiled
}

/** Fastify's validator compiler: strict for bodies, coercing for what arrives as text. */
export function validatorCompiler ({ schema, httpPart }: { schema: object, httpPart?: string }) {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv
  return once(validators, `${ajv === bodyAjv ? 'body' : 'text'}:${JSON.stringify(schema)}`, () => ajv.compile(schema))
}

/** Fastify's serializer compiler (fast-json-stringify, as Fastify's own), compiled once per schema. */
export function serializerCompiler ({ schema }: { schema: object }) {
  return once(serializers, JSON.stringify(schema), () => fastJsonStringify(schema))
}

/** The same strict checking a JSON body gets, for input that arrives another way (an HTML form). */
export function compileBodyValidator (schema: object) {
  return bodyAjv.compile(schema)
}
