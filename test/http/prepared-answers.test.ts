import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { countryCodes } from '../../src/http/schemas.js'
import { build, type TestContext } from '../helpers/app.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'

// The counts are answered from prepared bytes (src/http/prepared-answers.ts) once the app has answered
// them: every answer here is compared with the app's own, header by header and byte by byte. An answer
// holds while its counts and its appeal are fresh: where a test counts which requests reached the app,
// both are kept for a minute, or a slow machine would see them taken again part-way (seen in CI).

interface Answer { status: number, headers: IncomingHttpHeaders, body: Buffer }

/** A GET over a real connection (app.inject never reaches the server), with exactly these headers. */
async function get (app: FastifyInstance, path: string, headers: Record<string, string> = {}, method = 'GET', agent: Agent | false = false): Promise<Answer & { reused: boolean }> {
  const { port } = app.server.address() as AddressInfo
  return new Promise((resolve, reject) => {
    const sent = httpRequest({ host: '127.0.0.1', port, path, headers, agent, method }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => { resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), reused: sent.reusedSocket }) })
      response.on('error', reject)
    })
    sent.on('error', reject)
    sent.end()
  })
}

/** The headers a client reads, without those each response has of its own (its date, its framing). */
const comparable = (headers: IncomingHttpHeaders): IncomingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name)))

/** An app listening on 127.0.0.1 that counts the requests reaching Fastify. */
async function listening (t: TestContext, env: Record<string, string> = {}): Promise<{ app: FastifyInstance, reached: () => number }> {
  let reached = 0
  const app = await build(t, env, (app) => { app.addHook('onRequest', async () => { reached++ }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, reached: () => reached }
}

t.test('the counts are sent again from the bytes the app sent, header for header, for each encoding, origin and language', async (t) => {
  const { app, reached } = await listening(t, { STATS_TTL_MS: '60000', APPEAL_CACHE_MS: '60000', RATE_LIMIT_SIGN_MAX: '1000' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  // Signatures from 160 countries: counts of over a kilobyte, which the app compresses where asked.
  const countries = countryCodes.slice(0, 160)
  for (const country of countries) {
    const signed = await sign(app, slug, person({ country }))
    if (signed.statusCode !== 201) t.fail(`signing from ${country}: ${signed.statusCode} ${signed.body}`)
  }
  const path = `/api/appeals/${slug}/stats`
  const variants: Array<Record<string, string>> = [
    {}, { 'accept-encoding': 'gzip' }, { 'accept-encoding': 'br' }, { 'accept-encoding': 'gzip, deflate, br, zstd' },
    { 'accept-encoding': 'identity' }, { origin: 'https://union.example' }, { 'accept-language': 'es' },
    { 'accept-encoding': 'gzip', origin: 'https://union.example', 'accept-language': 'fr-CA, fr;q=0.8' }
  ]
  // The counts depend on the encoding alone (the route says so): the origin and the language share its answers.
  const encodings = new Set(variants.map((headers) => headers['accept-encoding'] ?? ''))
  const reachedBefore = reached()
  let fromTheApp = 0
  for (const headers of variants) {
    const label = JSON.stringify(headers)
    // The app's answer as it would be now, without the server in front (app.inject never reaches it).
    const fromApp = await app.inject({ method: 'GET', url: path, headers })
    const before = reached()
    const first = await get(app, path, headers)
    fromTheApp += reached() - before
    t.equal(first.status, 200, `${label}: answered`)
    t.same(comparable(first.headers), comparable(fromApp.headers as IncomingHttpHeaders), `${label}: the headers the app gives`)
    t.ok(first.body.equals(fromApp.rawPayload), `${label}: the bytes the app gives`)
    const afterFirst = reached()
    for (let i = 0; i < 3; i++) {
      const again = await get(app, path, headers)
      t.equal(reached(), afterFirst, `${label}: the next ones are prepared`)
      t.equal(again.status, first.status)
      t.same(comparable(again.headers), comparable(first.headers), `${label}: the same headers`)
      t.ok(again.body.equals(first.body), `${label}: the same bytes`)
      t.equal(Number(again.headers['content-length']), again.body.length, `${label}: its length`)
    }
  }
  t.equal(fromTheApp, encodings.size, 'the app answered once per encoding')
  t.equal(reached() - reachedBefore, encodings.size + variants.length, 'and otherwise only app.inject reached it')
  // The bytes are the counts, compressed as asked.
  const plain = await get(app, path)
  t.match(JSON.parse(plain.body.toString('utf8')), { signatures: countries.length, countries: countries.length })
  t.ok(plain.body.length > 1024, 'counts long enough to be compressed')
  const gzipped = await get(app, path, { 'accept-encoding': 'gzip' })
  t.equal(gzipped.headers['content-encoding'], 'gzip')
  t.same(JSON.parse(gunzipSync(gzipped.body).toString('utf8')), JSON.parse(plain.body.toString('utf8')), 'the same counts, gzipped')
  t.equal((await get(app, path, { 'accept-encoding': 'br' })).headers['content-encoding'], 'br')
  t.equal(app.preparedAnswers.size, encodings.size, 'one answer kept per encoding')

  // Whatever could make the answer another one goes to the app, every time.
  const alwaysTheApps: Array<Record<string, string>> = [
    { cookie: 'lang=es' }, { 'if-none-match': '"x"' }, { authorization: 'Bearer x' }, { range: 'bytes=0-3' },
    { 'accept-encoding': 'gzip', 'x-no-compression': '1' }, { 'if-modified-since': 'Tue, 01 Dec 2026 00:00:00 GMT' }
  ]
  for (const headers of alwaysTheApps) {
    const before = reached()
    await get(app, path, headers)
    await get(app, path, headers)
    t.equal(reached(), before + 2, `${Object.keys(headers)[0]}: the app's to answer`)
  }
  // HEAD is the app's too.
  let before = reached()
  await get(app, path, {}, 'HEAD')
  t.equal(reached(), before + 1, 'HEAD: the app\'s to answer')
  before = reached()
  const query = await get(app, `${path}?fresh=1`)
  t.equal(reached(), before + 1, 'another query string is another answer')
  t.equal(query.status, 200)
})

t.test('a prepared answer goes when the counts are recounted, the appeal changes, or the instance shuts down', async (t) => {
  // Long enough for the requests below to come within one TTL on a busy machine.
  const { app, reached } = await listening(t, { STATS_TTL_MS: '600' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const path = `/api/appeals/${slug}/stats`
  t.equal((await sign(app, slug, person())).statusCode, 201)
  const counted = async (): Promise<number> => (JSON.parse((await get(app, path)).body.toString('utf8')) as { signatures: number }).signatures
  t.equal(await counted(), 1)
  let before = reached()
  t.equal(await counted(), 1)
  t.equal(reached(), before, 'prepared')

  // Past two TTLs the counts are taken again, by the app: the new signature shows.
  t.equal((await sign(app, slug, person())).statusCode, 201)
  await new Promise((resolve) => setTimeout(resolve, 1300))
  before = reached()
  t.equal(await counted(), 2, 'the new count, not the prepared one')
  t.equal(reached(), before + 1, 'answered by the app')

  // An appeal taken back to a draft is not found, at once, though its counts were prepared.
  await counted()
  before = reached()
  await counted()
  t.equal(reached(), before, 'prepared again')
  const { appeals } = app.services
  await appeals.setStatus(await appeals.getPublic(slug), 'draft')
  const gone = await get(app, path)
  t.equal(gone.status, 404, 'a draft has no public counts')
  t.equal(reached(), before + 1)
  const draft = await appeals.findDraft(slug)
  if (draft === undefined) throw new Error('the appeal is not a draft')
  await appeals.setStatus(draft, 'open')

  // Shutting down, the app answers (503, from its first hook) rather than the prepared bytes.
  await counted()
  before = reached()
  await counted()
  t.equal(reached(), before, 'prepared once more')
  app.draining.begin()
  t.equal((await get(app, path)).status, 503, 'the app answers while shutting down')
})

t.test('prepared answers share a kept-alive connection with the app\'s, and answer pipelined requests in order', async (t) => {
  const { app, reached } = await listening(t, { STATS_TTL_MS: '60000', APPEAL_CACHE_MS: '60000' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person())).statusCode, 201)
  const path = `/api/appeals/${slug}/stats`
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => { agent.destroy() })
  const before = reached()
  const answers = []
  // Prepared, the app's (another path), prepared again: all on one connection.
  for (const url of [path, path, `/api/appeals/${slug}`, path, path]) answers.push(await get(app, url, {}, 'GET', agent))
  t.same(answers.map((a) => a.status), [200, 200, 200, 200, 200])
  t.same(answers.map((a) => a.reused), [false, true, true, true, true], 'one connection throughout')
  t.equal(reached(), before + 2, 'the first counts and the appeal were the app\'s; the rest prepared')
  t.ok(answers[4]!.body.equals(answers[0]!.body))
  t.ok(app.preparedAnswers.lastAnsweredAt > Date.now() - 5000, 'the instance knows it was busy')

  // Three requests written at once on one socket: three answers, in order, the middle one the app's.
  const { port } = app.server.address() as AddressInfo
  const socket = connect(port, '127.0.0.1')
  const received: Buffer[] = []
  socket.on('data', (chunk: Buffer) => received.push(chunk))
  await new Promise<void>((resolve) => socket.once('connect', () => { resolve() }))
  const ask = (url: string, last = false): string => `GET ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\n${last ? 'Connection: close\r\n' : ''}\r\n`
  socket.write(ask(path) + ask(`/api/appeals/${slug}`) + ask(path, true))
  await new Promise((resolve) => socket.once('close', resolve))
  const text = Buffer.concat(received).toString('utf8')
  // Each answer's body ends where the next status line begins (their lengths say so; no line break between).
  const responses = text.split(/(?=HTTP\/1\.1 \d{3} )/)
  t.same(responses.map((response) => response.slice(9, 12)), ['200', '200', '200'], 'three answers')
  const bodies = responses.map((response) => response.slice(response.indexOf('\r\n\r\n') + 4))
  t.match(bodies[0], /"signatures":1/, 'the counts first')
  t.match(bodies[1], /"slug":/, 'then the appeal')
  t.match(bodies[2], /"signatures":1/, 'then the counts again')
})

t.test('the kept answers are bounded whatever a client varies', async (t) => {
  const { app } = await listening(t, { STATS_TTL_MS: '60000', APPEAL_CACHE_MS: '60000' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (let i = 0; i < 520; i++) await get(app, `/api/appeals/${slug}/stats`, { 'accept-encoding': `x-${i}` })
  t.equal(app.preparedAnswers.size, 500)
  // An unknown appeal's 404 is not kept.
  await get(app, '/api/appeals/no-such-appeal/stats')
  t.equal(app.preparedAnswers.size, 500)
})

t.test('only a 200 that sets no cookie, varies by nothing outside the key and is not too long is kept', async (t) => {
  let reached = 0
  const app = await build(t, {}, (app) => {
    app.addHook('onRequest', async () => { reached++ })
    app.get('/test/shared/:case', async (request, reply) => {
      const { case: which } = request.params as { case: string }
      app.preparedAnswers.keep(request.raw, () => { if (which === 'throws') throw new Error('no'); return true })
      if (which === 'cookie') void reply.header('set-cookie', 'seen=1')
      if (which === 'vary') void reply.header('vary', 'Accept-Encoding, Cookie')
      if (which === 'vary-keyed') void reply.header('vary', 'accept-encoding, Origin')
      if (which === 'missing') return reply.code(404).send({ error: 'missing' })
      if (which === 'long') return reply.type('text/plain').send('x'.repeat(64 * 1024))
      if (which === 'message' || which === 'trailer') {
        reply.raw.writeHead(200, 'Fine', { 'content-type': 'text/plain; charset=utf-8', ...(which === 'trailer' && { trailer: 'x-sum' }) })
        if (which === 'trailer') reply.raw.addTrailers({ 'x-sum': '1' })
        reply.raw.end(which)
        return reply.hijack()
      }
      if (which === 'chunks') {
        reply.raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
        reply.raw.write('first, ')
        reply.raw.write(Buffer.from('second, '))
        reply.raw.end('last', 'utf8')
        return reply.hijack()
      }
      return { case: which }
    })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const twice = async (which: string): Promise<number> => {
    const before = reached
    const first = await get(app, `/test/shared/${which}`)
    const second = await get(app, `/test/shared/${which}`)
    t.ok(second.body.equals(first.body), `${which}: the same answer either way`)
    return reached - before
  }
  t.equal(await twice('plain'), 1, 'kept')
  t.equal(await twice('vary-keyed'), 1, 'varying by headers in the key: kept')
  t.equal(await twice('chunks'), 1, 'written in pieces: kept whole')
  t.equal((await get(app, '/test/shared/chunks')).body.toString('utf8'), 'first, second, last')
  for (const which of ['cookie', 'vary', 'missing', 'long', 'message', 'trailer', 'throws']) t.equal(await twice(which), 2, `${which}: not kept`)
  t.equal(app.preparedAnswers.size, 3)
})

t.test('a route says which request headers its answer depends on; if it changes its mind, the path starts afresh', async (t) => {
  let reached = 0
  let keyed: string[] | undefined = ['accept-encoding']
  const app = await build(t, {}, (app) => {
    app.addHook('onRequest', async () => { reached++ })
    app.get('/test/keyed', async (request) => {
      app.preparedAnswers.keep(request.raw, () => true, keyed)
      return { language: request.headers['accept-language'] ?? null }
    })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const ask = async (headers: Record<string, string>): Promise<string> => (await get(app, '/test/keyed', headers)).body.toString('utf8')
  t.equal(await ask({ 'accept-language': 'es' }), '{"language":"es"}')
  t.equal(await ask({ 'accept-language': 'fr' }), '{"language":"es"}', 'keyed by the encoding alone, as the route said')
  t.equal(reached, 1)
  // Keyed by default from now on (the encoding, the origin and the language): the old answers go.
  keyed = undefined
  t.equal(await ask({ 'accept-encoding': 'identity', 'accept-language': 'fr' }), '{"language":"fr"}')
  t.equal(reached, 2)
  t.equal(app.preparedAnswers.size, 1, 'only the answer keyed the new way')
  t.equal(await ask({ 'accept-language': 'de' }), '{"language":"de"}', 'another language, another answer')
  t.equal(await ask({ 'accept-language': 'de' }), '{"language":"de"}')
  t.equal(reached, 3)
})
