import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { connect } from 'node:net'
import t from 'tap'
import { appError } from '../src/errors/app-error.js'
import { build, eachDatabase, json } from './helpers/app.js'
import { appeal, organiser, person } from './helpers/fixtures.js'

t.test('the OpenAPI document at /docs describes every route with its responses', async (t) => {
  const app = await build(t)
  const response = await app.inject({ url: '/docs/json' })
  t.equal(response.statusCode, 200)
  const doc = json(response)
  t.match(doc.openapi, /^3\./)
  for (const path of ['/api/appeals/{slug}/signatures', '/api/appeals/{slug}/stats', '/api/admin/appeals/{slug}/export.csv', '/api/admin/session']) {
    t.ok(doc.paths[path], `${path} is documented`)
  }
  const sign = doc.paths['/api/appeals/{slug}/signatures'].post
  t.ok(sign.requestBody, 'the signing body is described')
  t.same(Object.keys(sign.responses).sort(), ['201', '400', '404', '409', '413', '414', '415', '429', '500', '503'])
  t.equal((await app.inject({ url: '/docs/' })).statusCode, 200, 'the browsable page is served')
})

eachDatabase(t, 'the signing service refuses a draft appeal with APPEAL_NOT_OPEN', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, {}, false)
  const draft = await app.services.appeals.getManaged({ id: owner.id, email: owner.email, name: 'x', role: 'organiser', via: 'token', cap: null, twoFactor: false, credentialId: owner.id, ipHash: null }, slug)
  await t.rejects(app.services.signatures.sign(draft, person() as never, { ip: '192.0.2.1', source: 'import' }), appError('APPEAL_NOT_OPEN'))
})

t.test('a request arriving while the instance shuts down gets 503 in the usual error shape', async (t) => {
  // Without Connection: close on the last answers, close() would wait out the 72 s keep-alive timeout.
  t.setTimeout(30_000)
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  // A connection that has sent half its request is busy, so shutdown waits for it; the rest of the
  // request arrives once shutdown has begun.
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let answer = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => { answer += chunk })
  socket.write('GET /api/appeals HTTP/1.1\r\nHost: localhost\r\n')
  await new Promise((resolve) => setTimeout(resolve, 200))
  const closed = app.close()
  await new Promise((resolve) => setTimeout(resolve, 200))
  socket.write('Accept-Language: es\r\n\r\n')
  await once(socket, 'close')
  await closed
  const [head = '', body = ''] = answer.split('\r\n\r\n')
  t.match(head, /^HTTP\/1\.1 503/)
  t.match(head, /connection: close/i)
  const { error } = JSON.parse(body)
  t.equal(error.code, 'SERVICE_UNAVAILABLE')
  t.not(error.message, 'The service is restarting. Please try again in a moment.', 'translated (Spanish asked)')
})
