import { createServer } from 'node:net'
import t from 'tap'
import { build, json, type TestContext } from '../helpers/app.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'

/** redis:// on a loopback port nothing listens on (taken from the system, then released). */
async function closedPortUrl (): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return `redis://127.0.0.1:${port}`
}

async function started (t: TestContext, skip: boolean) {
  const begun = Date.now()
  const app = await build(t, { REDIS_URL: await closedPortUrl(), RATE_LIMIT_SKIP_ON_STORE_ERROR: String(skip) })
  t.ok(Date.now() - begun < 5000, `the instance starts with Redis unreachable (in ${Date.now() - begun} ms)`)
  return app
}

t.test('with RATE_LIMIT_SKIP_ON_STORE_ERROR=true an instance starts and serves while Redis is unreachable', async (t) => {
  const app = await started(t, true)
  t.equal((await app.inject('/api/appeals')).statusCode, 200, 'a limited route answers, its limit skipped')
  const slug = await appeal(app, await organiser(app))
  t.equal((await sign(app, slug, person())).statusCode, 201, 'signing (its own shared limiter) too')
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'and it is ready: Redis is not needed to serve')
})

t.test('with RATE_LIMIT_SKIP_ON_STORE_ERROR=false the limited routes answer 503 in the error shape', async (t) => {
  const app = await started(t, false)
  // Made through the service: every limited route, creating appeals included, refuses meanwhile.
  const slug = 'redis-down'
  const created = await app.services.appeals.create(null, {
    slug, originalLanguage: 'en', requireConfirmation: false, text: { title: 'Solidarity', summary: 'Stand with them', body: 'Text', demands: [] }
  } as Parameters<typeof app.services.appeals.create>[1])
  await app.services.appeals.setStatus(created, 'open')
  for (const request of [{ method: 'GET' as const, url: '/api/appeals' }, { method: 'POST' as const, url: `/api/appeals/${slug}/signatures`, payload: person() }]) {
    const response = await app.inject(request)
    t.equal(response.statusCode, 503, `${request.method} ${request.url}`)
    t.equal(response.headers['retry-after'], '2')
    t.equal(json(response).error.code, 'SERVICE_UNAVAILABLE')
  }
  t.equal((await app.inject(`/api/appeals/${slug}/stats`)).statusCode, 200, 'a route exempt from limits still answers')
  t.equal((await app.inject('/health/live')).statusCode, 200, 'and so does liveness')
})
