import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { build, json } from '../helpers/app.js'
import { appeal, organiser } from '../helpers/fixtures.js'
import { attr } from '../pages/html.js'
import { fromOurFrame, readResize, resizeMessage, RESIZE } from '../../web/embed/messages.js'
import { projectRoot } from '../../src/config.js'

// embed.js itself, the one message it accepts, and the snippets organisers are given.

const built = join(projectRoot, 'dist', 'embed', 'embed.js')

t.test('embed.js is small, served at a fixed address, cached for an hour and compressed', async (t) => {
  const source = readFileSync(built)
  const gzipped = gzipSync(source, { level: 9 }).length
  t.ok(gzipped <= 5 * 1024, `embed.js is ${gzipped} B gzipped, at most 5 KB`)
  t.notMatch(source.toString(), /document\.cookie|localStorage|sessionStorage/, 'it touches no cookie or storage')
  t.notMatch(source.toString(), /https?:\/\//, 'it names no host: everything it loads comes from where it was loaded from')

  const app = await build(t)
  const plain = await app.inject({ url: '/embed.js' })
  t.equal(plain.statusCode, 200)
  t.match(plain.headers['content-type'], /javascript/)
  t.match(plain.headers['cache-control'], /max-age=3600/)
  t.notMatch(plain.headers['cache-control'], /immutable/, 'a fixed address must not be cached for ever')
  t.ok(plain.headers.etag, 'revalidated by its ETag')
  t.equal(plain.headers['set-cookie'], undefined)
  t.equal(plain.headers['cross-origin-resource-policy'], 'cross-origin', 'other sites may load it')
  t.same(plain.rawPayload, source)
  const again = await app.inject({ url: '/embed.js', headers: { 'if-none-match': String(plain.headers.etag) } })
  t.equal(again.statusCode, 304)
  const br = await app.inject({ url: '/embed.js', headers: { 'accept-encoding': 'br, gzip' } })
  t.equal(br.headers['content-encoding'], 'br')
  t.same(br.rawPayload, readFileSync(`${built}.br`))
  for (const url of ['/embed.js.gz', '/embed.js.br']) t.equal((await app.inject({ url })).statusCode, 404, `${url} is not served on its own`)
})

t.test('only a well-formed resize message is read; anything else is ignored', async (t) => {
  t.same(readResize(resizeMessage(412.3, 'Solidarity map')), { type: RESIZE, height: 413, title: 'Solidarity map' }, 'what a frame sends')
  const forged: unknown[] = [
    null, undefined, 'solidaria:resize', 412, [RESIZE, 412, 't'],
    { type: RESIZE, height: 412 },
    { type: RESIZE, height: '412', title: '' },
    { type: RESIZE, height: 412.5, title: '' },
    { type: RESIZE, height: -1, title: '' },
    { type: RESIZE, height: 20_001, title: '' },
    { type: RESIZE, height: Number.NaN, title: '' },
    { type: RESIZE, height: 412, title: 'x'.repeat(301) },
    { type: RESIZE, height: 412, title: 7 },
    { type: RESIZE, height: 412, title: '', src: 'https://evil.example/' },
    { type: 'solidaria:navigate', height: 412, title: '' }
  ]
  for (const data of forged) t.equal(readResize(data), undefined, JSON.stringify(data) ?? String(data))

  const ours = { contentWindow: { name: 'ours' } } as unknown as HTMLIFrameElement
  const other = { contentWindow: { name: 'other' } } as unknown as HTMLIFrameElement
  const origin = 'https://solidaria.example.org'
  t.equal(fromOurFrame({ origin, source: ours.contentWindow }, origin, [other, ours]), ours, 'a message from our frame is matched to it')
  t.equal(fromOurFrame({ origin: 'https://evil.example', source: ours.contentWindow }, origin, [ours]), undefined, 'another origin is ignored')
  t.equal(fromOurFrame({ origin, source: { name: 'stranger' } as unknown as Window }, origin, [ours]), undefined, 'a window we did not frame is ignored')
  t.equal(fromOurFrame({ origin, source: null }, origin, [ours]), undefined)
})

t.test('organisers get ready snippets for each widget; no one else does', async (t) => {
  const app = await build(t, { PUBLIC_URL: 'https://solidaria.example.org' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await app.inject({ url: `/api/admin/appeals/${slug}/embed?lang=es&accent=0a7&theme=dark`, headers: owner.auth })
  t.equal(response.statusCode, 200, response.body)
  const body = json(response)
  for (const widget of ['map', 'counter', 'sign']) {
    const snippet = body.widgets[widget]
    t.equal(snippet.url, `https://solidaria.example.org/embed/${slug}/${widget}?lang=es&accent=0a7&theme=dark`, `${widget}: its page`)
    t.equal(snippet.script, `<script async src="https://solidaria.example.org/embed.js" data-appeal="${slug}" data-widget="${widget}" data-lang="es" data-accent="0a7" data-theme="dark"></script>`)
    const frame = /<iframe\b[^>]*>/.exec(snippet.iframe)?.[0] ?? ''
    t.equal(attr(frame, 'src'), snippet.url, `${widget}: a plain frame of the same page`)
    t.ok((attr(frame, 'title') ?? '').length > 0, `${widget}: with a title`)
    const page = await app.inject({ url: snippet.url.replace('https://solidaria.example.org', '') })
    t.equal(page.statusCode, 200, `${widget}: the snippet's page exists`)
  }
  t.equal(body.oembed, `https://solidaria.example.org/oembed?url=${encodeURIComponent(`https://solidaria.example.org/appeals/${slug}`)}`)
  t.same(body.embedOrigins, [])

  const stranger = await organiser(app)
  t.equal((await app.inject({ url: `/api/admin/appeals/${slug}/embed`, headers: stranger.auth })).statusCode, 404, 'another organiser cannot see the appeal')
  t.equal((await app.inject({ url: `/api/admin/appeals/${slug}/embed` })).statusCode, 401, 'nor can anyone signed out')
})
