import { request as httpRequest } from 'node:http'
import { Readable } from 'node:stream'
import t from 'tap'
import { build, json } from '../helpers/app.js'

// REQUEST_HANDLER_TIMEOUT_MS (plugins/deadline.ts): a request not answered in time answers 503, a
// streamed answer still running is cut short, a route may have a longer deadline of its own.
t.test('a request not answered within its deadline answers 503 in the error shape; a longer deadline of its own is kept', async (t) => {
  const never = new Promise<never>(() => {})
  let warnings = 0
  const app = await build(t, { REQUEST_HANDLER_TIMEOUT_MS: '300' }, (app) => {
    // Every warning of a late request that a request's logger gives is counted (each logger wrapped once:
    // without a log level, every request shares one).
    const counted = new WeakSet<object>()
    app.addHook('onRequest', async (request) => {
      if (counted.has(request.log)) return
      counted.add(request.log)
      const warn = request.log.warn.bind(request.log)
      request.log.warn = ((...args: unknown[]) => {
        if (args.includes('the request was not answered within its deadline')) warnings++
        return (warn as (...args: unknown[]) => void)(...args)
      }) as typeof warn
    })
    app.get('/api/test/hangs', async () => await never)
    app.get('/api/test/slow', { config: { deadlineMs: 5000 } }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 800))
      return { done: true }
    })
  })
  const began = Date.now()
  const hung = await app.inject('/api/test/hangs')
  const took = Date.now() - began
  t.equal(hung.statusCode, 503)
  t.equal(json(hung).error.code, 'SERVICE_UNAVAILABLE')
  t.equal(hung.headers['retry-after'], '2')
  t.ok(took >= 300 && took < 1500, `answered after ${took} ms: past the deadline, within a sweep of it`)

  const slow = await app.inject('/api/test/slow')
  t.equal(slow.statusCode, 200, 'its own deadline is longer than the default')
  t.same(json(slow), { done: true })

  // Requests answered in time leave nothing behind for the sweep (their entries go when they are answered),
  // and nothing is said of them later: the warning a late request gets is counted for every request.
  warnings = 0
  t.equal(app.requestsInFlight, 0, 'none in flight between requests')
  const answered = await Promise.all(Array.from({ length: 20 }, async () => (await app.inject('/health/live')).statusCode))
  t.same(answered, Array(20).fill(200))
  t.equal(app.requestsInFlight, 0, 'each answered request left the map')
  await new Promise((resolve) => setTimeout(resolve, 700))
  t.equal(warnings, 0, 'past their deadline and two sweeps later, none of them was taken for late')
  t.equal((await app.inject('/api/test/hangs')).statusCode, 503, 'while one that is late still is')
  t.equal(warnings, 1, 'and is the one warned of')
  t.equal((await app.inject('/health/live')).statusCode, 200, 'and the next sweeps leave the server answering')
})

t.test('a streamed answer still running at its deadline is cut short, not left open or passed off as whole', async (t) => {
  const app = await build(t, { REQUEST_HANDLER_TIMEOUT_MS: '300' }, (app) => {
    app.get('/test/stream', async (_request, reply) => {
      // One line, then nothing more: the stream never ends by itself.
      const body = new Readable({ read () {} })
      body.push('id,email\r\n')
      return await reply.type('text/csv').send(body)
    })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const outcome = await new Promise<{ status: number, received: string, complete: boolean }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/test/stream' }, (res) => {
      let received = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { received += chunk })
      res.on('close', () => { resolve({ status: res.statusCode ?? 0, received, complete: res.complete }) })
    })
    req.on('error', reject)
    req.end()
  })
  t.equal(outcome.status, 200, 'the answer had begun')
  t.equal(outcome.received, 'id,email\r\n')
  t.equal(outcome.complete, false, 'the client knows the answer is incomplete')
})
