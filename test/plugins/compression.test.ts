import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import t from 'tap'
import { noneMatch } from '../../src/http/conditional.js'
import { build } from '../helpers/app.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'

t.test('weak comparison of If-None-Match (RFC 9110 13.1.2)', async (t) => {
  const etag = '"abc"'
  t.ok(noneMatch('"abc"', etag))
  t.ok(noneMatch('W/"abc"', etag), 'a tag a compressing proxy weakened')
  t.ok(noneMatch('"x", W/"abc"', etag), 'one of a list')
  t.ok(noneMatch('*', etag))
  t.ok(noneMatch('W/"abc"', 'W/"abc"'))
  t.notOk(noneMatch('"abcd"', etag))
  t.notOk(noneMatch('"x" , "y"', etag))
  t.notOk(noneMatch('', etag))
  t.notOk(noneMatch(undefined, etag))
})

t.test('pages, JSON and streamed exports are compressed; conditional GET works through it', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (let i = 0; i < 30; i++) t.equal((await sign(app, slug, person({ name: `Signer ${i}` }))).statusCode, 201)

  const plainPage = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-encoding': 'identity' } })
  t.equal(plainPage.statusCode, 200)
  t.notOk(plainPage.headers['content-encoding'], 'identity asked, identity sent')
  const brPage = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-encoding': 'gzip, deflate, br' } })
  t.equal(brPage.headers['content-encoding'], 'br', 'brotli preferred when offered')
  t.match(brPage.headers.vary, /accept-encoding/i)
  const html = brotliDecompressSync(brPage.rawPayload).toString()
  t.match(html, /<html/)
  t.ok(brPage.rawPayload.length < html.length / 3, `the appeal page: ${brPage.rawPayload.length} bytes on the wire for ${html.length}`)

  const gzPage = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-encoding': 'gzip' } })
  t.equal(gzPage.headers['content-encoding'], 'gzip')
  t.match(gunzipSync(gzPage.rawPayload).toString(), /<html/)

  const list = await app.inject({ url: `/api/appeals/${slug}/signatures?limit=50`, headers: { 'accept-encoding': 'br' } })
  t.equal(list.headers['content-encoding'], 'br', 'JSON over the threshold')
  t.equal(JSON.parse(brotliDecompressSync(list.rawPayload).toString()).items.length, 30)

  // The stats answer is under the threshold: compressing it would make it bigger.
  const stats = await app.inject({ url: `/api/appeals/${slug}/stats`, headers: { 'accept-encoding': 'br, gzip' } })
  t.equal(stats.statusCode, 200)
  t.notOk(stats.headers['content-encoding'])
  const etag = String(stats.headers.etag)
  for (const ifNoneMatch of [etag, `W/${etag}`, `"other", W/${etag}`, '*']) {
    const again = await app.inject({ url: `/api/appeals/${slug}/stats`, headers: { 'accept-encoding': 'br, gzip', 'if-none-match': ifNoneMatch } })
    t.equal(again.statusCode, 304, `If-None-Match: ${ifNoneMatch}`)
    t.equal(again.body, '')
    t.equal(again.headers.etag, etag)
  }
  const changed = await app.inject({ url: `/api/appeals/${slug}/stats`, headers: { 'if-none-match': 'W/"stale"' } })
  t.equal(changed.statusCode, 200)

  // The export is a stream: compressed as it goes, so there is no length to announce.
  const plain = await app.inject({ url: `/api/admin/appeals/${slug}/export.csv`, headers: { ...owner.auth, 'accept-encoding': 'identity' } })
  const compressed = await app.inject({ url: `/api/admin/appeals/${slug}/export.csv`, headers: { ...owner.auth, 'accept-encoding': 'br' } })
  t.equal(compressed.headers['content-encoding'], 'br')
  t.notOk(compressed.headers['content-length'], 'streamed, not buffered to measure it')
  t.equal(brotliDecompressSync(compressed.rawPayload).toString(), plain.body)
  const ndjson = await app.inject({ url: `/api/admin/appeals/${slug}/export.ndjson`, headers: { ...owner.auth, 'accept-encoding': 'gzip' } })
  t.equal(ndjson.headers['content-encoding'], 'gzip')
  t.equal(gunzipSync(ndjson.rawPayload).toString().trim().split('\n').length, 30)
})
