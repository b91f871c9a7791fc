import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { build, eachDatabase, json } from '../helpers/app.js'
import { signedInBrowser } from '../helpers/dashboard.js'
import { appeal, idOf, organiser, person, sign, signatureRows } from '../helpers/fixtures.js'

const inShape = (t: Test, body: unknown, code: string): void => {
  t.match(body, { error: { code, message: String, fields: Object } }, code)
}

t.test('what Fastify refuses itself answers in the error shape, never quoting the address', async (t) => {
  const app = await build(t)
  const badUrl = await app.inject({ url: '/api/appeals/%E0%A4%A' })
  t.equal(badUrl.statusCode, 400)
  inShape(t, json(badUrl), 'BAD_REQUEST')
  t.notMatch(badUrl.body, '%E0')
  const longParam = await app.inject({ url: `/api/appeals/${'a'.repeat(150)}` })
  t.equal(longParam.statusCode, 414)
  inShape(t, json(longParam), 'URL_TOO_LONG')
  t.notMatch(longParam.body, 'aaaa')
  const page = await app.inject({ url: `/appeals/${'a'.repeat(150)}?lang=es`, headers: { 'accept-language': 'es' } })
  t.equal(page.statusCode, 414)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, '<html lang="es"')
  t.notMatch(page.body, 'aaaa')
  const badPage = await app.inject({ url: '/appeals/%zz' })
  t.equal(badPage.statusCode, 400)
  t.match(badPage.headers['content-type'], /^text\/html/)
  t.notMatch(badPage.body, '%zz')
  const badLength = await app.inject({ method: 'POST', url: '/api/admin/session', headers: { 'content-type': 'application/json', 'content-length': 'x' }, payload: '{}' })
  t.ok(badLength.statusCode < 500, `a bad content-length: ${badLength.statusCode}`)
})

t.test('headers or cookies too large for Node\'s parser answer 431 in the shape', async (t) => {
  const app = await build(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const get = (path: string): Promise<{ status: number, type: string, body: string }> => new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { cookie: `a=${'x'.repeat(20_000)}` } }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => { body += chunk.toString() })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }))
    })
    req.on('error', reject)
    req.end()
  })
  const api = await get('/api/appeals')
  t.equal(api.status, 431)
  inShape(t, JSON.parse(api.body), 'HEADERS_TOO_LARGE')
  const page = await get('/appeals/some-appeal')
  t.equal(page.status, 431)
  t.match(page.type, /^text\/html/)
  t.match(page.body, '<html lang="en"')
})

eachDatabase(t, 'a body in another charset, or nested too deep, is refused before it is read', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const utf16 = await app.inject({
    method: 'POST', url: `/api/appeals/${slug}/signatures`, headers: { 'content-type': 'application/json; charset=utf-16' }, payload: JSON.stringify(person())
  })
  t.equal(utf16.statusCode, 415)
  inShape(t, json(utf16), 'UNSUPPORTED_MEDIA_TYPE')
  const utf8 = await app.inject({
    method: 'POST', url: `/api/appeals/${slug}/signatures`, headers: { 'content-type': 'application/json; charset="UTF-8"' }, payload: JSON.stringify(person())
  })
  t.equal(utf8.statusCode, 201)
  const deep = await app.inject({
    method: 'POST', url: `/api/appeals/${slug}/signatures`, headers: { 'content-type': 'application/json' }, payload: '['.repeat(50_000) + ']'.repeat(50_000)
  })
  t.equal(deep.statusCode, 400)
  inShape(t, json(deep), 'NESTING_TOO_DEEP')
  const deepObject = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/signatures`, payload: { ...person(), city: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) } })
  t.equal(deepObject.statusCode, 400)
  t.equal((await signatureRows(app)).length, 1)
})

eachDatabase(t, 'path parameters are checked against their pattern before the database sees them', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person({ email: 'kept@example.org' }))).statusCode, 201)
  const id = await idOf(app, 'kept@example.org')
  for (const bad of ['0x' + id.toString(16), `${id}e0`, `+${id}`, `%20${id}`, `${id}.0`, `0${id}`]) {
    const response = await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/signatures/${bad}`, headers: owner.auth })
    t.equal(response.statusCode, 400, `id ${bad}`)
    inShape(t, json(response), 'VALIDATION_FAILED')
  }
  t.equal((await signatureRows(app))[0]?.status, 'confirmed', 'nothing was erased')
  for (const url of ['/api/appeals/a%00b', '/api/appeals/a%00b/stats', `/api/appeals/${slug}%01/signatures`, '/api/admin/appeals/a%00b', '/api/appeals/UPPER']) {
    const response = await app.inject({ url, headers: owner.auth })
    t.equal(response.statusCode, 400, url)
    inShape(t, json(response), 'VALIDATION_FAILED')
  }
  for (const url of ['/appeals/a%00b', '/embed/a%00b/counter', '/admin/appeals/a%00b', '/confirm/a%00b', '/remove/a%00b']) {
    const response = await app.inject({ url, headers: owner.auth })
    t.ok(response.statusCode >= 400 && response.statusCode < 500, `${url}: ${response.statusCode}`)
    t.match(response.headers['content-type'], /^text\/html/, url)
  }
  const search = await app.inject({ url: `/api/admin/appeals/${slug}/signatures?q=a%00b`, headers: owner.auth })
  t.equal(search.statusCode, 400, 'a control character in a query string')
})

eachDatabase(t, 'an impossible date in the dashboard\'s filters is a clear 400, not a 500 nor ignored', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const b = await signedInBrowser(app, owner)
  for (const query of ['from=2026-13-45', 'to=2026-02-30', 'from=yesterday']) {
    const response = await b.get(`/admin/appeals/${slug}/signatures?${query}`)
    t.equal(response.statusCode, 400, query)
    t.match(response.headers['content-type'], /^text\/html/)
    t.match(response.body, '<code>' + query.split('=')[0] + '</code>')
  }
  t.equal((await b.get(`/admin/appeals/${slug}/signatures/bulk-hide?emailDomain=example.org&from=2026-13-45T10:00`)).statusCode, 400)
  t.equal((await b.get(`/admin/appeals/${slug}/signatures?from=2026-02-28`)).statusCode, 200)
  const api = await app.inject({ url: `/api/admin/appeals/${slug}/signatures?from=2026-13-45T00:00:00Z`, headers: owner.auth })
  t.equal(api.statusCode, 400)
})
