import Ajv from 'ajv'
import addFormats from 'ajv-formats'

// Unknown fields are an error, not silently dropped, and every bad field is reported at once. Query
// strings and path parameters arrive as text and are coerced to their types; JSON bodies are not,
// since coercion would quietly turn a rejected `"goal": 0` into `null`.
const options = { removeAdditional: false, allErrors: true, useDefaults: true, strict: false } as const
// ajv is CommonJS: under NodeNext its class is the default import's `default`.
const { default: AjvClass } = Ajv
const bodyAjv = addFormats.default(new AjvClass({ ...options, coerceTypes: false }))
const textAjv = addFormats.default(new AjvClass({ ...options, coerceTypes: 'array' }))

/** Fastify's validator compiler: strict for bodies, coercing for what arrives as text. */
export function validatorCompiler ({ schema, httpPart }: { schema: object, httpPart?: string }) {
  return (httpPart === 'body' ? bodyAjv : textAjv).compile(schema)
}

/** The same strict checking a JSON body gets, for input that arrives another way (an HTML form). */
export function compileBodyValidator (schema: object) {
  return bodyAjv.compile(schema)
}
