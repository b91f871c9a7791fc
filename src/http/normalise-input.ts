// Text from people arrives with stray spaces, decomposed accents and invisible control characters.
// Everything is cleaned before validation, so length limits and duplicate checks see what is stored.

// Multi-line: an appeal's text, and in the dashboard's forms the demands (one a line) and an update's
// body in each language (body_en, body_es, ...), and the fund's rates (one a line), its purpose and its ways
// (blocks between "---" lines) in each language. Pasted CSV keeps its tabs too (they may separate its columns).
const MULTILINE_FIELDS = new Set(['body', 'summary', 'demandsText', 'csv', 'rates'])
const MULTILINE_FORM_FIELD = /^(body|purpose|ways)_[a-z]{2,3}$/
const TABULAR_FIELDS = new Set(['csv'])
// Multi-line where the name alone is ambiguous, by the place in a JSON body ('*' is any key or item): the
// fund's texts in the API (`texts.es.purpose`, `texts.es.ways[0].text`) are Markdown, though a spending's
// `purpose` and other `text` fields are one line.
const MULTILINE_PATHS: ReadonlyArray<readonly string[]> = [['texts', '*', 'purpose'], ['texts', '*', 'ways', '*', 'text']]

function matchesPath (pattern: readonly string[], path: readonly string[]): boolean {
  return pattern.length === path.length && pattern.every((part, i) => part === '*' || part === path[i])
}
// C0 and C1 controls and DEL; line breaks and tabs are handled separately.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g

export function normaliseText (value: string, multiline: boolean, tabular = false): string {
  let text = value.normalize('NFC').replace(/\r\n?/g, '\n').replace(CONTROL, '')
  if (!tabular) text = multiline ? text.replace(/\t/g, '  ') : text.replace(/[\n\t]+/g, ' ')
  return text.trim()
}

// No form or API body nests deeper than a few levels; a body of 50,000 `[` fits in the size limit
// and would otherwise overflow the stack here.
export const MAX_DEPTH = 32

/** A body nested deeper than MAX_DEPTH (answered 400 NESTING_TOO_DEEP by the error handler). */
export class NestingTooDeepError extends RangeError {}

/**
 * Returns a copy of a JSON body with every string normalised; a string that is empty once cleaned
 * counts as not given, so optional fields can be left blank and required ones report "required".
 * A body nested deeper than any request needs is refused.
 */
export function normaliseInput (value: unknown, key = '', depth = 0, path: readonly string[] = []): unknown {
  if (typeof value === 'string') {
    const multiline = MULTILINE_FIELDS.has(key) || MULTILINE_FORM_FIELD.test(key) || MULTILINE_PATHS.some((pattern) => matchesPath(pattern, path))
    const text = normaliseText(value, multiline, TABULAR_FIELDS.has(key))
    return text === '' ? undefined : text
  }
  // An uploaded file (the dashboard's paper signatures) is left as it came; it is read as CSV later.
  if (Buffer.isBuffer(value)) return value
  if (value !== null && typeof value === 'object' && depth >= MAX_DEPTH) throw new NestingTooDeepError(`nested deeper than ${MAX_DEPTH}`)
  if (Array.isArray(value)) {
    return value.map((item) => normaliseInput(item, key, depth + 1, [...path, '*'])).filter((item) => item !== undefined)
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const cleaned = normaliseInput(v, k, depth + 1, [...path, k])
      if (cleaned !== undefined) out[k] = cleaned
    }
    return out
  }
  return value
}
