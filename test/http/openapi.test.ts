import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { projectRoot } from '../../src/config.js'
import { errorCodes } from '../../src/errors/app-error.js'
import { build, json } from '../helpers/app.js'

const run = promisify(execFile)

t.test('the served OpenAPI document is exact and passes Redocly\'s recommended rules', async (t) => {
  const app = await build(t)
  const document = json(await app.inject('/docs/json'))
  const operations = Object.entries(document.paths as Record<string, Record<string, any>>)
    .flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation })))
  t.ok(operations.length > 40)

  const ids = operations.map(({ operation }) => operation.operationId)
  t.equal(new Set(ids).size, ids.length, 'one operationId per operation')
  t.same(document.components.schemas.Error.properties.error.properties.code.enum, Object.keys(errorCodes))
  for (const { path, method, operation } of operations) {
    const name = `${method.toUpperCase()} ${path}`
    // Signing in (both steps), the first admin's set-up, an invitation's acceptance and a password reset come before any credentials.
    const open = ['/api/admin/session', '/api/admin/session/code', '/api/admin/setup', '/api/admin/invitations/accept', '/api/admin/password-reset',
      '/api/admin/password-reset/complete'].includes(path) || !path.startsWith('/api/admin/')
    t.same(operation.security, open ? [] : [{ session: [] }, { token: [] }], `${name}: security`)
    for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
      t.not(response.description, 'Default Response', `${name} ${status} is described`)
      if (Number(status) >= 400) t.same(response.content, { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } }, `${name} ${status}: the error shape`)
      if (status === '429' || status === '503') t.ok(response.headers['Retry-After'], `${name} ${status}: Retry-After`)
    }
    if (!path.startsWith('/health/')) t.ok(operation.responses['503'] && operation.responses['429'], `${name}: 429 and 503`)
    if (operation.requestBody !== undefined) t.ok(operation.responses['413'] && operation.responses['415'], `${name}: 413 and 415`)
  }
  const get = (path: string) => document.paths[path].get
  t.same(Object.keys(get('/api/admin/appeals/{slug}/export.csv').responses['200'].content), ['text/csv'])
  t.same(Object.keys(get('/api/admin/appeals/{slug}/export.ndjson').responses['200'].content), ['application/x-ndjson'])
  t.same(Object.keys(get('/api/admin/appeals/{slug}/export.xlsx').responses['200'].content), ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'])
  t.ok(get('/api/appeals/{slug}/stats').responses['200'].headers.ETag)
  t.ok(get('/api/appeals/{slug}/stats').responses['304'].headers.ETag)
  t.ok(get('/oembed').responses['404'] && get('/oembed').responses['501'])

  const file = join(t.testdir(), 'openapi.json')
  writeFileSync(file, JSON.stringify(document))
  const redocly = join(projectRoot, 'node_modules', '.bin', 'redocly')
  // Redocly exits 1 on an error; a warning it only prints (one `warning  rule-name: count` line per rule).
  const { stdout, stderr } = await run(redocly, ['lint', file, '--config', join(projectRoot, 'redocly.yaml'), '--format', 'summary'], {
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }
  })
  t.match(stderr, /validated in/, 'Redocly ran')
  t.notMatch(stdout + stderr, /^\s*(error|warning)\s+[a-z0-9-]+:/m, `Redocly's recommended rules: no error, no warning\n${stdout}${stderr}`)
})
