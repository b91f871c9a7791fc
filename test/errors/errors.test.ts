import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createApp } from '../../src/app.js'
import { loadConfig, projectRoot } from '../../src/config.js'
import { errorCodes } from '../../src/errors/app-error.js'
import { build, eachDatabase, json, testEnv } from '../helpers/app.js'

const localesDir = join(projectRoot, 'locales')
const languages = readdirSync(localesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
const errorsIn = (language: string): { code?: Record<string, unknown>, validation?: Record<string, unknown> } =>
  JSON.parse(readFileSync(join(localesDir, language, 'errors.json'), 'utf8'))
const english = errorsIn('en')

t.test('an unknown API route answers 404 in the one error shape', async (t) => {
  const app = await build(t)
  for (const [method, url] of [['GET', '/api/no-such-thing'], ['POST', '/api/appeals'], ['DELETE', '/api/admin/nothing']] as const) {
    const response = await app.inject({ method, url })
    t.equal(response.statusCode, 404, `${method} ${url}`)
    t.match(response.headers['content-type'], /^application\/json/)
    t.same(json(response), { error: { code: 'NOT_FOUND', message: english.code?.NOT_FOUND, fields: {} } })
  }
})

t.test('an unknown page answers 404 with a page in the reader\'s language', async (t) => {
  const app = await build(t)
  const pages = (lang: string): { error: Record<string, string> } => JSON.parse(readFileSync(join(projectRoot, 'locales', lang, 'pages.json'), 'utf8'))
  for (const [method, url] of [['GET', '/no-such-page'], ['POST', '/appeals/nothing/else']] as const) {
    const response = await app.inject({ method, url, headers: { 'accept-language': 'es' } })
    t.equal(response.statusCode, 404, `${method} ${url}`)
    t.match(response.headers['content-type'], /^text\/html/)
    t.match(response.body, '<html lang="es"')
    t.match(response.body, pages('es').error.notFoundTitle)
  }
})

t.test('a 500 carries no internals', async (t) => {
  const config = loadConfig(testEnv())
  const app = await createApp(config)
  t.teardown(() => app.close())
  const secret = 'connection to db.internal:5432 failed for user solidaria password=hunter2'
  app.get('/api/boom', async () => { throw new Error(secret) })
  app.get('/boom', async () => { throw new Error(secret) })
  app.get('/api/boom-with-status', async () => {
    const err = new Error(`upstream said: ${secret}`) as Error & { statusCode: number, code: string }
    err.statusCode = 502
    err.code = 'ECONNRESET'
    throw err
  })
  app.get('/api/boom-sync', () => { throw new TypeError(`Cannot read properties of undefined (reading '${secret}')`) })
  await app.ready()

  for (const url of ['/api/boom', '/api/boom-with-status', '/api/boom-sync']) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 500, url)
    t.same(json(response), { error: { code: 'INTERNAL', message: english.code?.INTERNAL, fields: {} } }, `${url}: only the generic message`)
    t.notMatch(response.body, /hunter2|db\.internal|stack|\bat .*\.ts:\d+|ECONNRESET|TypeError|upstream/, `${url}: nothing of the thrown error leaks`)
  }
  const german = await app.inject({ method: 'GET', url: '/api/boom', headers: { 'accept-language': 'de' } })
  t.equal(json(german).error.message, errorsIn('de').code?.INTERNAL, 'the 500 message is translated too')
  const page = await app.inject({ method: 'GET', url: '/boom' })
  t.equal(page.statusCode, 500, 'a page that fails answers with the error page')
  t.match(page.headers['content-type'], /^text\/html/)
  t.notMatch(page.body, /hunter2|db\.internal|stack|\bat .*\.ts:\d+/, 'which tells nothing of the thrown error')
})

t.test('every error code has a message in every language', async (t) => {
  const codes = Object.keys(errorCodes)
  t.ok(codes.length > 0)
  for (const language of languages) {
    const messages = errorsIn(language).code ?? {}
    const missing = codes.filter((code) => typeof messages[code] !== 'string' || (messages[code] as string).trim() === '')
    t.same(missing, [], `${language}: a message for every code`)
  }
  t.same(Object.keys(english.code ?? {}).sort(), [...codes].sort(), 'English has messages for exactly the codes there are')
  for (const [code, status] of Object.entries(errorCodes)) {
    t.ok(Number.isInteger(status) && status >= 400 && status < 600, `${code} has an error status (${status})`)
  }
})

t.test('README.md documents every error code', async (t) => {
  const readme = join(projectRoot, 'README.md')
  if (!existsSync(readme)) {
    t.fail('README.md does not exist yet; it must list every error code')
    return
  }
  const text = readFileSync(readme, 'utf8')
  const undocumented = Object.keys(errorCodes).filter((code) => !new RegExp(`\\b${code}\\b`).test(text))
  t.same(undocumented, [], 'every code appears in README.md')
})

eachDatabase(t, 'error messages are translated for the reader', async (t, { app }) => {
  const german = errorsIn('de').code?.APPEAL_NOT_FOUND
  t.not(german, english.code?.APPEAL_NOT_FOUND, 'the German message differs from the English one')

  const response = await app.inject({ method: 'GET', url: '/api/appeals/no-such-appeal', headers: { 'accept-language': 'de-DE,de;q=0.9' } })
  t.equal(response.statusCode, 404)
  t.same(json(response), { error: { code: 'APPEAL_NOT_FOUND', message: german, fields: {} } })

  const plain = await app.inject({ method: 'GET', url: '/api/appeals/no-such-appeal' })
  t.equal(json(plain).error.message, english.code?.APPEAL_NOT_FOUND, 'English without a preference')
  const unsupported = await app.inject({ method: 'GET', url: '/api/appeals/no-such-appeal', headers: { 'accept-language': 'tlh, de;q=0.5' } })
  t.equal(json(unsupported).error.message, german, 'the first language we speak wins')
  const viaQuery = await app.inject({ method: 'GET', url: '/api/appeals/no-such-appeal?lang=fr', headers: { 'accept-language': 'de' } })
  t.equal(json(viaQuery).error.message, errorsIn('fr').code?.APPEAL_NOT_FOUND, '?lang= overrides Accept-Language')

  const notFound = await app.inject({ method: 'GET', url: '/api/nothing-here', headers: { 'accept-language': 'es' } })
  t.equal(json(notFound).error.message, errorsIn('es').code?.NOT_FOUND, 'the 404 for an unknown route is translated')
})
