import { randomBytes } from 'node:crypto'
import { connect, createServer, type Socket } from 'node:net'
import t from 'tap'
import { build, json, redisUrl, type TestContext } from '../helpers/app.js'
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
  // Its first connection attempt is refused at once; build() failing would fail the test.
  const app = await build(t, { REDIS_URL: await closedPortUrl(), RATE_LIMIT_SKIP_ON_STORE_ERROR: String(skip) })
  t.equal(app.outages.redis.down, true, 'the instance starts with Redis unreachable, and knows it')
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
  // Stats of an appeal the instance has read (and cached) are exempt from limits; another slug costs a query and is limited.
  await app.services.appeals.getPublic(slug)
  t.equal((await app.inject(`/api/appeals/${slug}/stats`)).statusCode, 200, 'a route exempt from limits still answers')
  t.equal((await app.inject('/api/appeals/no-such-appeal/stats')).statusCode, 503, 'but not for a slug it does not know')
  t.equal((await app.inject('/health/live')).statusCode, 200, 'and so does liveness')
})

t.test('an instance reconnects by itself when Redis comes back', { skip: redisUrl === undefined ? 'needs TEST_REDIS_URL' : false }, async (t) => {
  // A proxy in front of the test Redis stands in for Redis going away and coming back on the same address.
  const target = new URL(redisUrl!)
  const sockets = new Set<Socket>()
  const proxy = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname)
    for (const socket of [client, upstream]) { sockets.add(socket); socket.on('error', () => {}).on('close', () => sockets.delete(socket)) }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const { port } = proxy.address() as { port: number }
  t.teardown(() => { proxy.close(); for (const socket of sockets) socket.destroy() })
  const app = await build(t, { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_SKIP_ON_STORE_ERROR: 'false', RATE_LIMIT_REDIS_PREFIX: `solidaria-test-${randomBytes(6).toString('hex')}:` })
  t.equal((await app.inject('/api/appeals')).statusCode, 200, 'served while Redis is up')

  const closed = new Promise((resolve) => proxy.close(resolve))
  for (const socket of sockets) socket.destroy()
  await closed
  const down = await app.inject('/api/appeals')
  t.equal(down.statusCode, 503, 'refused while it is away')
  t.equal(json(down).error.code, 'SERVICE_UNAVAILABLE')

  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve))
  const back = Date.now()
  let status = 0
  for (let i = 0; i < 60 && status !== 200; i++) {
    status = (await app.inject('/api/appeals')).statusCode
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.equal(status, 200, `served again ${Date.now() - back} ms after Redis came back`)
  t.ok(Date.now() - back < 2000, 'within 2 s')
})
