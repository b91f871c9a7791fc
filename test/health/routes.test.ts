import t from 'tap'
import { build, eachDatabase, json } from '../helpers/app.js'

eachDatabase(t, 'liveness and readiness answer 200 while the database is reachable', async (t, { app }) => {
  const live = await app.inject('/health/live')
  t.equal(live.statusCode, 200)
  t.same(json(live), { status: 'ok' })
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200)
  t.same(json(ready), { status: 'ok' })
})

t.test('load balancers may ask as often as they like: the checks are not rate-limited', async (t) => {
  const app = await build(t, { RATE_LIMIT_GLOBAL_MAX: '1' })
  for (let i = 0; i < 3; i++) {
    t.equal((await app.inject('/health/live')).statusCode, 200)
    t.equal((await app.inject('/health/ready')).statusCode, 200)
  }
  t.equal((await app.inject('/api/appeals')).statusCode, 200, 'the one allowed request is still there')
  t.equal((await app.inject('/api/appeals')).statusCode, 429, 'and other routes are limited as before')
})

t.test('once shutdown begins readiness answers 503 in the error shape, liveness still 200', async (t) => {
  const app = await build(t)
  app.draining.begin()
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503)
  t.equal(ready.headers['retry-after'], '2')
  t.equal(ready.headers.connection, 'close', 'and the connection is closed after the answer')
  t.equal(json(ready).error.code, 'SERVICE_UNAVAILABLE')
  t.type(json(ready).error.message, 'string')
  const live = await app.inject('/health/live')
  t.equal(live.statusCode, 200)
  const other = await app.inject('/api/appeals')
  t.equal(other.statusCode, 503, 'other requests are sent elsewhere')
})

t.test('the health checks are in the OpenAPI document', async (t) => {
  const app = await build(t)
  const { paths } = json(await app.inject('/docs/json'))
  t.ok(paths['/health/live']?.get, '/health/live')
  t.ok(paths['/health/ready']?.get?.responses?.['503'], '/health/ready, with its 503')
})

t.test('a page asked for while the instance is unavailable is the translated page saying so', async (t) => {
  const app = await build(t)
  app.draining.begin()
  const page = await app.inject({ url: '/', headers: { 'accept-language': 'fr' } })
  t.equal(page.statusCode, 503)
  t.match(page.headers['content-type'], /text\/html/)
  t.equal(page.headers['retry-after'], '2')
  t.match(page.body, 'Le service est momentanément indisponible')
})
