import t from 'tap'
import { build, json } from '../helpers/app.js'
import { appeal, organiser } from '../helpers/fixtures.js'
import { attr, decode, fill, strings } from '../pages/html.js'

// oEmbed (https://oembed.com): a CMS given an appeal's link asks this endpoint what to embed.

const BASE = 'https://solidaria.example.org'
const oembed = (url: string, extra = ''): string => `/oembed?url=${encodeURIComponent(url)}${extra}`

t.test('an appeal\'s link gives a valid rich oEmbed answer framing its signing form', async (t) => {
  const app = await build(t, { PUBLIC_URL: BASE })
  const slug = await appeal(app, await organiser(app))
  const response = await app.inject({ url: oembed(`${BASE}/appeals/${slug}`, '&format=json') })
  t.equal(response.statusCode, 200, response.body)
  t.match(response.headers['content-type'], /^application\/json/)
  t.equal(response.headers['access-control-allow-origin'], '*', 'readable from a browser too')
  const body = json(response)
  t.equal(body.version, '1.0')
  t.equal(body.type, 'rich')
  t.equal(body.title, 'Hands off Venezuela')
  t.equal(body.provider_name, 'Solidaria')
  t.equal(body.provider_url, `${BASE}/`)
  for (const key of ['width', 'height', 'cache_age']) t.ok(Number.isInteger(body[key]) && body[key] > 0, `${key} is a positive integer`)
  const frame = /<iframe\b[^>]*>/.exec(body.html)?.[0] ?? ''
  t.equal(attr(frame, 'src'), `${BASE}/embed/${slug}/sign?lang=en`, 'the rich HTML frames the signing widget')
  t.equal(attr(frame, 'title'), fill(strings('en', 'pages').embed.titles.sign, { title: 'Hands off Venezuela' }), 'with an accessible name')
  t.equal(Number(attr(frame, 'width')), body.width)
  t.equal(Number(attr(frame, 'height')), body.height)
  t.match(body.html, `<script async src="${BASE}/embed.js"></script>`, 'and embed.js, to fit it, where the CMS lets scripts run')

  const sized = json(await app.inject({ url: oembed(`${BASE}/appeals/${slug}?lang=es`, '&maxwidth=300&maxheight=200') }))
  t.equal(sized.width, 300, 'maxwidth is respected')
  t.equal(sized.height, 200, 'maxheight is respected')
  t.match(decode(sized.html), `/embed/${slug}/sign?lang=es`, 'the link\'s language is kept')

  const widget = json(await app.inject({ url: oembed(`${BASE}/embed/${slug}/map?lang=fr`) }))
  t.match(decode(widget.html), `${BASE}/embed/${slug}/map?lang=fr`, 'a widget\'s own address embeds that widget')
})

t.test('oEmbed answers 404 for what is not an appeal here, and 501 for formats it does not offer', async (t) => {
  const app = await build(t, { PUBLIC_URL: BASE })
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const draft = await appeal(app, owner, {}, false)
  for (const url of [
    `${BASE}/appeals/no-such-appeal`,
    `${BASE}/appeals/${draft}`,
    `https://elsewhere.example.org/appeals/${slug}`,
    `${BASE}/appeals/${slug}/signatures`,
    `${BASE}/embed/${slug}/petition`,
    'not a url'
  ]) {
    const response = await app.inject({ url: oembed(url) })
    t.equal(response.statusCode, 404, url)
    t.match(response.headers['content-type'], /^application\/json/, 'answered in JSON, as oEmbed clients expect')
    t.ok(typeof json(response).error.message === 'string')
  }
  const xml = await app.inject({ url: oembed(`${BASE}/appeals/${slug}`, '&format=xml'), headers: { 'accept-language': 'de' } })
  t.equal(xml.statusCode, 501)
  t.equal(json(xml).error.message, strings('de', 'errors').code.OEMBED_FORMAT_UNSUPPORTED, 'translated')
  const missing = await app.inject({ url: '/oembed' })
  t.equal(missing.statusCode, 400, 'the url is required')
})

t.test('appeal pages announce their oEmbed address', async (t) => {
  const app = await build(t, { PUBLIC_URL: BASE })
  const slug = await appeal(app, await organiser(app))
  const page = await app.inject({ url: `/appeals/${slug}` })
  const link = /<link rel="alternate" type="application\/json\+oembed"[^>]*>/.exec(page.body)?.[0]
  t.ok(link, 'a discovery link')
  const href = attr(link ?? '', 'href') ?? ''
  t.equal(href, `${BASE}/oembed?url=${encodeURIComponent(`${BASE}/appeals/${slug}`)}&format=json`)
  const response = await app.inject({ url: href.slice(BASE.length) })
  t.equal(response.statusCode, 200, 'which answers')
  t.equal(json(response).type, 'rich')
})

/** PHP's htmlspecialchars_decode with its default flags (ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML401): these five entities only. */
const htmlspecialcharsDecode = (text: string): string => text.replace(/&(amp|quot|#039|lt|gt);/g, (_m, name: string) =>
  ({ amp: '&', quot: '"', '#039': '\'', lt: '<', gt: '>' })[name] ?? '')

t.test('WordPress finds the discovery link: its own regular expressions and decoding lead to a 200', async (t) => {
  const app = await build(t, { PUBLIC_URL: BASE })
  const slug = await appeal(app, await organiser(app))
  const page = (await app.inject({ url: `/appeals/${slug}?lang=es` })).body
  // WP_oEmbed::discover(): each <link> tag in the page, the JSON type named in it, the href between quotes, decoded.
  const links = page.match(/<link([^<>]+)>/gi) ?? []
  const link = links.find((tag) => tag.includes('application/json+oembed'))
  t.ok(link, 'a JSON oEmbed discovery link')
  const href = /href=(['"])(.+?)\1/.exec(link ?? '')?.[2] ?? ''
  const provider = new URL(htmlspecialcharsDecode(href))
  t.equal(provider.origin, BASE)
  t.equal(provider.searchParams.get('format'), 'json')
  t.equal(provider.searchParams.get('url'), `${BASE}/appeals/${slug}`)
  const response = await app.inject({ url: provider.pathname + provider.search })
  t.equal(response.statusCode, 200, response.body)
  t.equal(json(response).type, 'rich')
})
