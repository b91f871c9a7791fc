import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import t from 'tap'
import { errorCodes } from '../src/errors/app-error.js'
import { projectRoot } from '../src/config.js'

const localesDir = join(projectRoot, 'locales')
const reference = 'en'
const languages = readdirSync(localesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/

/** Every leaf of a JSON document as "a.b.c" → value. */
function flatten (value: unknown, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix === '' ? key : `${prefix}.${key}`, into)
  } else {
    into.set(prefix, value)
  }
  return into
}

/** Namespace (file name) → flattened keys, for one language. */
function load (language: string): Map<string, Map<string, unknown>> {
  const dir = join(localesDir, language)
  const namespaces = new Map<string, Map<string, unknown>>()
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    namespaces.set(file.replace(/\.json$/, ''), flatten(JSON.parse(readFileSync(join(dir, file), 'utf8'))))
  }
  return namespaces
}

/**
 * The keys `language` must have for `keys` of English: the same, except that a plural (key_one, key_other)
 * takes the plural forms of that language (Arabic has six, Japanese one).
 */
function expectedKeys (englishKeys: Iterable<string>, language: string): Set<string> {
  const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories
  const expected = new Set<string>()
  for (const key of englishKeys) {
    if (PLURAL_SUFFIX.test(key)) {
      const base = key.replace(PLURAL_SUFFIX, '')
      for (const category of categories) expected.add(`${base}_${category}`)
    } else {
      expected.add(key)
    }
  }
  return expected
}

const placeholders = (text: string): string[] => [...new Set([...text.matchAll(/\{\{\s*([^}\s,]+)[^}]*\}\}/g)].map((m) => m[1]!))].sort()

const english = load(reference)

t.test('English is there and has texts', async (t) => {
  t.ok(languages.includes(reference), 'locales/en exists')
  t.ok(english.size > 0, 'with at least one namespace')
  for (const [namespace, keys] of english) {
    for (const [key, value] of keys) t.ok(typeof value === 'string' && value.trim() !== '', `${reference}/${namespace}: ${key} is a non-empty string`)
  }
})

for (const language of languages.filter((l) => l !== reference)) {
  t.test(`${language} has every key English has, and no other`, async (t) => {
    const translation = load(language)
    t.same([...translation.keys()], [...english.keys()], `${language} has the same files as ${reference}`)
    for (const [namespace, englishKeys] of english) {
      const keys = translation.get(namespace) ?? new Map<string, unknown>()
      const expected = expectedKeys(englishKeys.keys(), language)
      t.same([...expected].filter((k) => !keys.has(k)), [], `${language}/${namespace}.json lacks no key`)
      t.same([...keys.keys()].filter((k) => !expected.has(k)), [], `${language}/${namespace}.json has no extra key`)
      const empty = [...keys].filter(([, value]) => typeof value !== 'string' || value.trim() === '').map(([k]) => k)
      t.same(empty, [], `${language}/${namespace}.json: every value is a non-empty string`)
    }
  })

  t.test(`${language} keeps every placeholder`, async (t) => {
    const translation = load(language)
    for (const [namespace, englishKeys] of english) {
      const keys = translation.get(namespace) ?? new Map<string, unknown>()
      for (const [key, value] of englishKeys) {
        if (typeof value !== 'string') continue
        const wanted = placeholders(value)
        const candidates = PLURAL_SUFFIX.test(key)
          ? [...keys].filter(([k]) => k.replace(PLURAL_SUFFIX, '') === key.replace(PLURAL_SUFFIX, ''))
          : [[key, keys.get(key)] as const]
        for (const [translatedKey, translated] of candidates) {
          if (typeof translated !== 'string') continue
          const found = placeholders(translated)
          // A plural form for exactly one (or zero) may spell the number out instead of using {{count}}.
          const required = /_(zero|one|two)$/.test(translatedKey) ? wanted.filter((p) => p !== 'count') : wanted
          t.same(required.filter((p) => !found.includes(p)), [], `${language}/${namespace}: ${translatedKey} keeps ${wanted.join(', ') || 'no placeholder'}`)
          t.same(found.filter((p) => !wanted.includes(p)), [], `${language}/${namespace}: ${translatedKey} adds no placeholder`)
        }
      }
    }
  })
}

/** Every .ts file under src/. */
function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [])
}

/**
 * The message keys the code can produce under `validation.`: the string literals a `key:` property can take
 * (including both branches of a conditional: `key: x === 'a' ? 'b' : 'c'` gives b and c, not a), and the values
 * of the handler's FIELD_MESSAGES table.
 */
function validationKeysInSource (): Map<string, string> {
  const found = new Map<string, string>()
  for (const file of sourceFiles(join(projectRoot, 'src'))) {
    const text = readFileSync(file, 'utf8')
    const where = relative(projectRoot, file)
    for (const match of text.matchAll(/\bkey:\s*([^,}\n]+)/g)) {
      const expression = match[1]!
      for (const literal of expression.matchAll(/(?:^|\?\??|:)\s*'([^']+)'/g)) found.set(literal[1]!, where)
    }
    const table = /FIELD_MESSAGES[^=]*=\s*\{([^}]*)\}/.exec(text)
    if (table !== null) for (const literal of table[1]!.matchAll(/:\s*'([^']+)'/g)) found.set(literal[1]!, where)
  }
  return found
}

t.test('the code uses no message key English lacks', async (t) => {
  const errors = english.get('errors')
  t.ok(errors, 'locales/en/errors.json exists')
  const keys = errors ?? new Map<string, unknown>()
  for (const code of Object.keys(errorCodes)) t.ok(keys.has(`code.${code}`), `code.${code} is in en/errors.json`)

  const used = validationKeysInSource()
  // Sanity check of the scan itself: keys known to be produced by the handler and the services.
  for (const known of ['required', 'unknown', 'tooLong', 'email', 'wholeNumber', 'honeypot', 'organisationRequired', 'closesBeforeOpens', 'country', 'password']) {
    t.ok(used.has(known), `the scan finds '${known}'`)
  }
  for (const [key, where] of used) t.ok(keys.has(`validation.${key}`), `validation.${key} (used in ${where}) is in en/errors.json`)
})

/**
 * Every .ts file that translates, and the namespace of each of its translating functions: `t` in the
 * pages (and the pages links in mails open), the browser code and the dashboard; `t` in the mails;
 * `a` in the dashboard.
 */
const translatingSources = (): Array<{ file: string, namespaces: Record<string, string> }> => [
  ...['pages', 'confirmation', 'erasure'].flatMap((dir) => sourceFiles(join(projectRoot, 'src', dir))),
  ...sourceFiles(join(projectRoot, 'web')).filter((f) => !f.endsWith('vite.config.ts'))
].map((file) => ({ file, namespaces: { t: 'pages' } }))
  .concat(sourceFiles(join(projectRoot, 'src', 'mail')).map((file) => ({ file, namespaces: { t: 'mail' } })))
  .concat(sourceFiles(join(projectRoot, 'src', 'dashboard')).map((file) => ({ file, namespaces: { t: 'pages', a: 'admin' } })))
  .concat(sourceFiles(join(projectRoot, 'src', 'fund')).map((file) => ({ file, namespaces: { t: 'fund' } })))

/**
 * The keys the pages and the browser code translate: `t('ns:key')` or `t('key')` (the pages namespace), and
 * for a key built at run time (`t(\`form.types.${type}\`)`), its fixed beginning.
 */
function translationCalls (): Array<{ namespace: string, key: string, prefix: boolean, where: string }> {
  const calls: Array<{ namespace: string, key: string, prefix: boolean, where: string }> = []
  for (const { file, namespaces } of translatingSources()) {
    const text = readFileSync(file, 'utf8')
    const where = relative(projectRoot, file)
    for (const match of text.matchAll(/\b([ta])\(\s*(?:'([^']+)'|`([^`$]*)(\$\{)?)/g)) {
      const fixed = namespaces[match[1] ?? '']
      if (fixed === undefined) continue
      const literal = match[2] ?? match[3] ?? ''
      const [namespace, key] = literal.includes(':') ? literal.split(':', 2) as [string, string] : [fixed, literal]
      calls.push({ namespace, key, prefix: match[4] !== undefined, where })
    }
  }
  return calls
}

t.test('the pages, the mails, the dashboard and the browser code use no key English lacks', async (t) => {
  const calls = translationCalls()
  t.ok(calls.length > 100, `the scan finds the translation calls (${calls.length})`)
  t.ok(calls.some((c) => c.prefix && c.key === 'form.types.'), 'including keys built at run time')
  t.ok(calls.some((c) => c.namespace === 'errors'), 'and keys of another namespace')
  t.ok(calls.some((c) => c.namespace === 'mail' && c.key === 'greeting'), 'and the mails\' keys')
  t.ok(calls.some((c) => c.key === 'confirm.button'), 'and those of the pages links in mails open')
  t.ok(calls.some((c) => c.namespace === 'admin' && c.key === 'signatures.hide'), 'and the dashboard\'s')
  for (const { namespace, key, prefix, where } of calls) {
    const keys = [...(english.get(namespace)?.keys() ?? [])]
    const found = prefix
      ? keys.some((k) => k.startsWith(key))
      : keys.some((k) => k === key || k.replace(PLURAL_SUFFIX, '') === key)
    t.ok(found, `${namespace}:${key}${prefix ? '…' : ''} (used in ${where}) is in en/${namespace}.json`)
  }
})
