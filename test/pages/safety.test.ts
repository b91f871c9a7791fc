import t from 'tap'
import { build, eachDatabase, type TestContext } from '../helpers/app.js'
import { appeal, organisation, organiser, person, sign, signatureRows } from '../helpers/fixtures.js'
import { attr, byClass, byId, hrefs, meta, postForm, scriptTags, text } from './html.js'

const evilName = '<img src=x onerror=alert(1)>'
const evilOrganisation = '<script>alert(1)</script>'
const evilCity = '"><svg onload=alert(1)>'

/** Nothing a signer or an organiser typed became markup. */
function assertInert (t: TestContext, body: string, where: string): void {
  t.notMatch(body, /<img src=x/i, `${where}: no img element from a name`)
  t.notMatch(body, /<script>alert/i, `${where}: no script element from a name`)
  t.notMatch(body, /<svg/i, `${where}: no svg element from a city`)
  for (const tag of scriptTags(body)) {
    t.ok(attr(tag, 'src') !== undefined || attr(tag, 'type') === 'application/json', `${where}: ${tag} is an external or data script`)
  }
}

eachDatabase(t, 'what signers typed is shown as text on the appeal page and the lists', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await sign(app, slug, person({ name: evilName, organisation: evilOrganisation, role: '<b>chair</b>', city: evilCity }))).statusCode, 201)
  t.equal((await sign(app, slug, organisation({ organisation: '<script>alert(2)</script> Union' }))).statusCode, 201)

  const page = await app.inject({ url: `/appeals/${slug}` })
  t.equal(page.statusCode, 200)
  assertInert(t, page.body, 'appeal page')
  const latest = byId(page.body, 'latest-signatures') ?? ''
  const names = byClass(latest, 'span', 'signature-name').map(text)
  t.ok(names.includes(evilName), 'the name is shown as typed')
  t.ok(page.body.includes('&#60;img src&#61;x onerror&#61;alert(1)&#62;') || page.body.includes('&lt;img src=x onerror=alert(1)&gt;'), 'escaped in the HTML')
  t.ok(byClass(latest, 'span', 'signature-affiliation').map(text).includes(`<b>chair</b>, ${evilOrganisation}`), 'role and organisation as text')
  t.ok(byClass(latest, 'span', 'signature-place').map(text).includes(`${evilCity}, Venezuela`), 'the city as text')

  const list = await app.inject({ url: `/appeals/${slug}/signatures` })
  t.equal(list.statusCode, 200)
  assertInert(t, list.body, 'signatures page')
  t.ok(byClass(list.body, 'span', 'signature-name').map(text).includes(evilName))
  t.ok(byClass(list.body, 'span', 'signature-affiliation').map(text).includes(`<b>chair</b>, ${evilOrganisation}`))

  const organisations = await app.inject({ url: `/appeals/${slug}/organisations` })
  t.equal(organisations.statusCode, 200)
  assertInert(t, organisations.body, 'organisations page')
  t.same(byClass(organisations.body, 'span', 'organisation-name').map(text), ['<script>alert(2)</script> Union'])
})

eachDatabase(t, 'what a signer typed into a refused form comes back as text', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const response = await postForm(app, slug, { kind: 'individual', name: evilName, email: '"><script>alert(1)</script>', country: 'VE', city: evilCity })
  t.equal(response.statusCode, 400)
  assertInert(t, response.body, 'form page')
  t.match(response.body, /<input id="field-name" name="name" type="text" value="&#60;img src&#61;x onerror&#61;alert\(1\)&#62;"/)
  t.equal((await signatureRows(app)).length, 0)
})

t.test('an appeal\'s Markdown cannot run scripts, load images or link to javascript:', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const body = [
    'Intro with **bold** text and a [good link](https://example.org/info).',
    '<script>alert(1)</script>',
    '[x](javascript:alert(1)) and [y](JaVaScRiPt:alert(2)) and [z](data:text/html;base64,PHNjcmlwdD4=)',
    '![t](https://tracker.example/p.png)',
    '<img src="https://tracker.example/raw.png" onerror="alert(3)">',
    '<a href="javascript:alert(4)">raw link</a> <iframe src="https://evil.example"></iframe>'
  ].join('\n\n')
  const demands = ['Stop the <b>sanctions</b>', 'Respect **the** vote', 'Free them all']
  const slug = await appeal(app, owner, { text: { title: 'Hands off', summary: 'Now', body, demands } })
  const page = await app.inject({ url: `/appeals/${slug}` })
  t.equal(page.statusCode, 200)
  const content = byClass(page.body, 'div', 'appeal-text')[0] ?? ''
  t.match(content, /<strong>bold<\/strong>/, 'Markdown emphasis becomes <strong>')
  t.match(content, /<a href="https:\/\/example\.org\/info" rel="noopener noreferrer">good link<\/a>/, 'an ordinary link works, without leaking the reader')
  t.notMatch(content, /<script/i, 'no script element')
  t.match(content, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'raw HTML is shown as text')
  t.notMatch(content, /<img/i, 'no img element: images are off')
  t.notMatch(content, /<iframe/i, 'no iframe')
  t.notMatch(page.body, /<img/i, 'no img element anywhere on the page')
  t.notMatch(page.body, /src="https:\/\/tracker\.example/, 'nothing is loaded from the tracker')
  for (const href of hrefs(page.body)) {
    t.notMatch(href.trim(), /^(javascript|vbscript|data):/i, `no script link: ${href.slice(0, 40)}`)
  }
  const ol = byClass(content, 'ol', 'demands')
  t.equal(ol.length, 1, 'the demands are an ordered list')
  const items = [...(ol[0] ?? '').matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => text(m[1] ?? ''))
  t.same(items, demands, 'one item per demand, as text (no Markdown or HTML in demands)')
})

t.test('an appeal\'s title and summary cannot break out of the page head', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const title = 'Hands off </title><script>alert(1)</script>'
  const summary = '"><script>alert(2)</script>'
  const slug = await appeal(app, owner, { text: { title, summary, body: 'Text', demands: [] } })
  const event = await app.inject({
    method: 'POST', url: `/api/admin/appeals/${slug}/events`, headers: owner.auth,
    payload: { title: '</script><script>alert(3)</script>', startsAt: '2026-05-01T10:00:00Z', country: 'VE', city: 'Caracas', latitude: 10.5, longitude: -66.9 }
  })
  t.equal(event.statusCode, 201)
  for (const url of [`/appeals/${slug}`, '/', `/appeals/${slug}/signatures`, `/appeals/${slug}/events`]) {
    const page = await app.inject({ url })
    t.equal(page.statusCode, 200, url)
    assertInert(t, page.body, url)
  }
  const page = await app.inject({ url: `/appeals/${slug}` })
  t.equal(text(/<title>([\s\S]*?)<\/title>/.exec(page.body)?.[1] ?? ''), `${title} · Solidaria`)
  t.equal(meta(page.body, 'og:title'), title)
  t.equal(meta(page.body, 'og:description'), summary)
  const data = /<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/.exec(page.body)?.[1] ?? ''
  t.notMatch(data, /<\//, 'the page data cannot close its script element')
  t.equal(JSON.parse(data).events[0]?.title, '</script><script>alert(3)</script>', 'and still carries the event as typed')
})

t.test('pages allow scripts from the site only, and have no inline script', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const pages = [
    await app.inject({ url: `/appeals/${slug}` }),
    await app.inject({ url: `/appeals/${slug}?lang=ar` }),
    await app.inject({ url: '/' }),
    await app.inject({ url: `/appeals/${slug}/thanks` }),
    await app.inject({ url: `/appeals/${slug}/signatures` }),
    await app.inject({ url: '/appeals/no-such-appeal' }),
    await postForm(app, slug, { kind: 'individual', name: '', email: 'x', country: 'VE' })
  ]
  for (const page of pages) {
    const where = `${page.raw.req.method ?? ''} ${page.raw.req.url ?? ''} (${page.statusCode})`
    t.match(page.headers['content-type'], /^text\/html/, where)
    const csp = String(page.headers['content-security-policy'] ?? '')
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name = '', ...values]) => [name, values]))
    t.same(directives.get('script-src'), ["'self'"], `${where}: script-src is 'self' only`)
    t.notMatch(csp, /unsafe-inline|unsafe-eval/, `${where}: no unsafe-inline or unsafe-eval anywhere`)
    t.same(directives.get('object-src'), ["'none'"], `${where}: no plugins`)
    t.ok(directives.has('frame-ancestors'), `${where}: framing is restricted`)
    t.equal(page.headers['x-content-type-options'], 'nosniff', where)
    const inline = scriptTags(page.body).filter((tag) => attr(tag, 'src') === undefined && attr(tag, 'type') !== 'application/json')
    t.same(inline, [], `${where}: no inline script element`)
    t.notMatch(page.body, /\son[a-z]+="/i, `${where}: no inline event handler attribute`)
  }
  const api = await app.inject({ url: `/api/appeals/${slug}` })
  t.match(api.headers['content-type'], /^application\/json/)
  t.equal(api.headers['content-security-policy'], undefined, 'JSON answers do not carry the page policy')
})
