import { createHash } from 'node:crypto'
import t from 'tap'
import { build, eachDatabase, json } from '../helpers/app.js'
import { appeal, organiser, person, signatureRows } from '../helpers/fixtures.js'
import { attr, byId, decode, fill, startTag, strings, text } from '../pages/html.js'
import { contrast, themeStyle } from '../../src/embed/options.js'

// The widget pages other sites frame: what they show, in which language and colours, who may frame them.

const HOST = 'https://union.example.org'
const en = strings('en', 'pages')
const es = strings('es', 'pages')

/** The Content Security Policy's directives as a map. */
function policy (header: unknown): Map<string, string[]> {
  return new Map(String(header).split(';').map((d) => d.trim().split(/\s+/)).map(([name = '', ...values]) => [name, values]))
}

function styleElement (html: string): string {
  return /<style>([^<]*)<\/style>/.exec(html)?.[1] ?? ''
}

t.test('each widget is a page of its own, without the site around it, in the language asked for', async (t) => {
  const app = await build(t)
  const slug = await appeal(app, await organiser(app), { goal: 100 })
  for (const widget of ['map', 'counter', 'sign']) {
    const response = await app.inject({ url: `/embed/${slug}/${widget}?lang=es`, headers: { 'accept-language': 'fr' } })
    t.equal(response.statusCode, 200, widget)
    t.match(response.headers['content-type'], /^text\/html/)
    const html = response.body
    t.match(html, /<html lang="es" dir="ltr" data-theme="light" class="widget widget-/, `${widget}: Spanish, as asked, over the browser's French`)
    t.notMatch(html, /class="site-header"|class="site-footer"|class="languages"/, `${widget}: no header, footer or language switcher`)
    t.match(html, /<meta name="robots" content="noindex">/, `${widget}: kept out of search engines`)
    t.equal(response.headers['set-cookie'], undefined, `${widget}: no cookie, not even for ?lang=`)
    t.equal(response.headers['x-frame-options'], undefined, `${widget}: no X-Frame-Options, which cannot allow other sites`)
    const credit = /<p class="widget-credit">(.*?)<\/p>/s.exec(html)?.[1] ?? ''
    t.equal(attr(credit, 'href'), `http://localhost:80/appeals/${slug}?lang=es`, `${widget}: links to the appeal in the same language`)
    t.equal(attr(credit, 'target'), '_blank', `${widget}: the link leaves the frame`)
    t.match(text(credit), es.embed.newTab, `${widget}: and says so`)
    t.match(decode(html), fill(es.embed.titles[widget], { title: 'Hands off Venezuela' }), `${widget}: the document title names the widget in Spanish`)
  }
  const counter = await app.inject({ url: `/embed/${slug}/counter?lang=es` })
  t.match(text(byId(counter.body, 'counter') ?? ''), '0', 'the counter shows the count')
  t.match(counter.body, /<progress id="goal-progress" max="100" value="0"/, 'and the progress to the goal')
  const map = await app.inject({ url: `/embed/${slug}/map?lang=es` })
  t.match(map.body, /<section id="map" class="map"/, 'the map widget has the map')
  t.match(map.body, /<table class="country-table"/, 'and the table of counts by country, for readers without the map')
  const sign = await app.inject({ url: `/embed/${slug}/sign?lang=es` })
  t.equal(attr(/<form[^>]*>/.exec(sign.body)?.[0] ?? '', 'action'), `/embed/${slug}/sign?lang=es`, 'the signing widget posts to itself, keeping its options')
  t.match(text(byId(sign.body, 'sign-heading') ?? ''), es.form.heading)

  const browser = await app.inject({ url: `/embed/${slug}/counter`, headers: { 'accept-language': 'fr-CA,fr;q=0.9' } })
  t.match(browser.body, /<html lang="fr"/, 'without ?lang=, the browser\'s language')
  const none = await app.inject({ url: `/embed/${slug}/counter` })
  t.match(none.body, /<html lang="en"/, 'else the appeal\'s own')
})

t.test('widgets answer for public appeals only, with a page that may be framed', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const draft = await appeal(app, owner, {}, false)
  for (const url of [`/embed/${draft}/counter?lang=es`, '/embed/no-such-appeal/map?lang=es', '/embed/no-such-appeal/sign']) {
    const response = await app.inject({ url })
    t.equal(response.statusCode, 404, url)
    t.match(response.headers['content-type'], /^text\/html/, 'a page, shown inside the frame')
    t.match(response.body, /class="widget widget-error"/, 'as a widget, without the site around it')
    t.notMatch(response.body, /class="site-header"/)
    t.equal(response.headers['set-cookie'], undefined, 'setting no cookie')
    t.same(policy(response.headers['content-security-policy']).get('frame-ancestors'), ['*'], 'which any site may frame')
    t.equal(response.headers['x-frame-options'], undefined)
  }
  const slug = await appeal(app, owner)
  t.match((await app.inject({ url: `/embed/${slug}/counter` })).body, /class="widget-action"/, 'an open appeal\'s counter invites signing')
  const expired = await appeal(app, owner, { closesAt: '2020-01-01T00:00:00Z' })
  const closedCounter = await app.inject({ url: `/embed/${expired}/counter` })
  t.equal(closedCounter.statusCode, 200, 'an appeal past its closing date still shows its count')
  t.notMatch(closedCounter.body, /class="widget-action"/, 'without inviting anyone to sign')
  const unknown = await app.inject({ url: `/embed/${slug}/petition` })
  t.equal(unknown.statusCode, 404, 'an unknown widget does not exist')
  const site = await app.inject({ url: `/appeals/${slug}` })
  t.same(policy(site.headers['content-security-policy']).get('frame-ancestors'), ["'self'"], 'the site\'s own pages still may not be framed')
  t.equal(site.headers['x-frame-options'], 'SAMEORIGIN')
})

t.test('accent colour and theme come from the address, allowed by the policy\'s hash', async (t) => {
  const app = await build(t)
  const slug = await appeal(app, await organiser(app))
  const response = await app.inject({ url: `/embed/${slug}/counter?accent=0a7&theme=dark` })
  t.equal(response.statusCode, 200)
  t.match(response.body, /data-theme="dark"/)
  const css = styleElement(response.body)
  t.match(css, '--accent:#00aa77', 'the short form is expanded')
  const hash = createHash('sha256').update(css).digest('base64')
  const styles = policy(response.headers['content-security-policy']).get('style-src') ?? []
  t.ok(styles.includes(`'sha256-${hash}'`), 'the style element is allowed by its hash, and nothing else inline is')
  t.notOk(styles.includes("'unsafe-inline'"))

  const bad = await app.inject({ url: `/embed/${slug}/counter?accent=red;}body{display:none` })
  t.equal(bad.statusCode, 400, 'an accent that is not a colour is refused')
  t.match(text(bad.body), `accent : ${strings('en', 'errors').validation.format}`, 'the page says which setting is wrong, and how')
  const theme = await app.inject({ url: `/embed/${slug}/counter?theme=purple` })
  t.equal(theme.statusCode, 400, 'as is an unknown theme')
})

t.test('whatever the accent, text in it stays readable on the widget\'s background', async (t) => {
  for (const theme of ['light', 'dark'] as const) {
    for (const accent of ['#ffff00', '#000000', '#b3261e', '#00aa77', '#ffffff', '#3366ff']) {
      const css = themeStyle({ lang: 'en', theme, accent }).css
      const value = (name: string): string => new RegExp(`--${name}:(#[0-9a-f]{6})`).exec(css)?.[1] ?? ''
      const paper = theme === 'dark' ? '#17171c' : '#fffdf9'
      t.ok(contrast(value('link'), paper) >= 4.5, `${theme} ${accent}: links ${value('link')} on ${paper}`)
      t.ok(contrast(value('on-accent'), accent) >= 4.5 || contrast(value('on-accent'), accent) >= contrast(value('on-accent') === '#ffffff' ? '#000000' : '#ffffff', accent),
        `${theme} ${accent}: button text is the more readable of black and white`)
    }
  }
})

eachDatabase(t, 'an appeal can keep its signing widget to its own sites; the map and counter go anywhere', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const open = await app.inject({ url: `/embed/${slug}/sign` })
  t.same(policy(open.headers['content-security-policy']).get('frame-ancestors'), ['*'], 'by default any site may frame the signing form')

  const patch = await app.inject({ method: 'PATCH', url: `/api/admin/appeals/${slug}`, headers: owner.auth, payload: { embedOrigins: ['https://Union.Example.org:443', 'http://127.0.0.1:8080', 'https://union.example.org'] } })
  t.equal(patch.statusCode, 200, patch.body)
  t.same(json(patch).embedOrigins, ['https://union.example.org', 'http://127.0.0.1:8080'], 'origins are stored as browsers compare them, each once')

  for (const path of ['sign', 'thanks']) {
    const response = await app.inject({ url: `/embed/${slug}/${path}` })
    t.same(policy(response.headers['content-security-policy']).get('frame-ancestors'), ["'self'", 'https://union.example.org', 'http://127.0.0.1:8080'], `${path}: only those sites (and ours) may frame it`)
  }
  for (const widget of ['map', 'counter']) {
    const response = await app.inject({ url: `/embed/${slug}/${widget}` })
    t.same(policy(response.headers['content-security-policy']).get('frame-ancestors'), ['*'], `${widget}: still anywhere`)
  }
  const refused = await app.inject({ method: 'POST', url: `/embed/${slug}/sign`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=' })
  t.same(policy(refused.headers['content-security-policy']).get('frame-ancestors'), ["'self'", 'https://union.example.org', 'http://127.0.0.1:8080'], 'a refused form comes back under the same rule')

  for (const bad of [['https://union.example.org/campaign'], ['javascript:alert(1)'], ['union.example.org'], Array.from({ length: 101 }, (_, i) => `https://s${i}.example.org`)]) {
    const response = await app.inject({ method: 'PATCH', url: `/api/admin/appeals/${slug}`, headers: owner.auth, payload: { embedOrigins: bad } })
    t.equal(response.statusCode, 400, `refused: ${bad[0] ?? ''}${bad.length > 1 ? ` and ${bad.length - 1} more` : ''}`)
  }
  const listed = await app.inject({ method: 'POST', url: `/embed/${slug}/sign?origin=${encodeURIComponent('https://union.example.org')}`, payload: person({ email: 'listed@example.org' }) })
  const unlisted = await app.inject({ method: 'POST', url: `/embed/${slug}/sign?origin=${encodeURIComponent('https://elsewhere.example.org')}`, payload: person({ email: 'unlisted@example.org' }) })
  t.same([listed.statusCode, unlisted.statusCode], [201, 201])
  const origins = Object.fromEntries((await signatureRows(app)).map((r) => [r.email, r.embedOrigin]))
  t.equal(origins['listed@example.org'], 'https://union.example.org', 'an origin on the appeal\'s list is recorded')
  t.equal(origins['unlisted@example.org'], null, 'one that is not (a claim no browser would have made) is not')

  const cleared = await app.inject({ method: 'PATCH', url: `/api/admin/appeals/${slug}`, headers: owner.auth, payload: { embedOrigins: [] } })
  t.same(json(cleared).embedOrigins, [])
  const again = await app.inject({ url: `/embed/${slug}/sign` })
  t.same(policy(again.headers['content-security-policy']).get('frame-ancestors'), ['*'], 'an empty list lets any site frame it again')
  const publicView = json(await app.inject({ url: `/api/appeals/${slug}` }))
  t.equal(publicView.embedOrigins, undefined, 'the list is the organisers\' business, not in the public API')
})

eachDatabase(t, 'the signing widget signs like the site, recording the widget and the framing site\'s origin', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  // The frame's first request names the embedding page as its referrer; the form carries its origin on.
  const page = await app.inject({ url: `/embed/${slug}/sign?lang=en&accent=b3261e`, headers: { referer: `${HOST}/news/2026/solidarity?member=123` } })
  const action = attr(/<form[^>]*>/.exec(page.body)?.[0] ?? '', 'action') ?? ''
  t.equal(action, `/embed/${slug}/sign?lang=en&accent=b3261e&origin=${encodeURIComponent(HOST)}`, 'the origin alone travels on, never the page')
  t.equal(page.headers['cache-control'], 'private, no-store', 'a page naming the embedding site is not cached for others')

  const form = { kind: 'individual', name: 'Rosa Embed', email: 'rosa@example.org', country: 'AR', public: 'on', locale: 'en' }
  const signed = await app.inject({ method: 'POST', url: action, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() })
  t.equal(signed.statusCode, 303, signed.body)
  t.equal(signed.headers.location, `/embed/${slug}/thanks?lang=en&accent=b3261e&origin=${encodeURIComponent(HOST)}`, 'on to the thanks, inside the frame')
  const thanks = await app.inject({ url: String(signed.headers.location) })
  t.equal(thanks.statusCode, 200)
  t.match(text(byId(thanks.body, 'thanks') ?? ''), en.thanks.title)
  t.notMatch(thanks.body, /class="site-header"/)

  const [row] = await signatureRows(app)
  t.equal(row?.source, 'embed', 'recorded as signed through a widget')
  t.equal(row?.embedOrigin, HOST, 'from the embedding site\'s origin, without its path')

  // The widget's script sends JSON to the same address and reads JSON back.
  const scripted = await app.inject({ method: 'POST', url: action, payload: { ...person({ email: 'js@example.org' }), locale: 'en' } })
  t.equal(scripted.statusCode, 201, scripted.body)
  t.same(json(scripted), { status: 'confirmed' })
  const duplicate = await app.inject({ method: 'POST', url: action, payload: person({ email: 'JS@example.org' }) })
  t.equal(duplicate.statusCode, 201)
  t.same(json(duplicate), { status: 'confirmed' }, 'a second signature is answered like a first, as on the site')
  const invalid = await app.inject({ method: 'POST', url: `/embed/${slug}/sign?lang=es`, payload: { kind: 'individual', email: 'nope', country: 'VE' } })
  t.equal(invalid.statusCode, 400)
  t.equal(json(invalid).error.fields.email, strings('es', 'errors').validation.email, 'errors are in the widget\'s language')

  // Without JavaScript a second signature gets the same thanks; a refusal comes back as the form with
  // its errors, in the frame, nothing written.
  const again = await app.inject({ method: 'POST', url: action, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...form, name: 'Someone' }).toString() })
  t.equal(again.statusCode, 303)
  t.equal(again.headers.location, signed.headers.location, 'the same thanks as the first time')
  const refused = await app.inject({ method: 'POST', url: action, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...form, email: 'rosa@' }).toString() })
  t.equal(refused.statusCode, 400)
  t.match(refused.body, /class="widget widget-sign"/, 'still the widget')
  t.match(text(byId(refused.body, 'form-errors') ?? ''), strings('en', 'errors').validation.email)
  t.equal(attr(startTag(refused.body, 'field-name') ?? '', 'value'), 'Rosa Embed', 'values kept')

  const rows = await signatureRows(app)
  t.equal(rows.length, 2, 'only the two good signatures were written')
  t.same(rows.map((r) => [r.source, r.embedOrigin]).sort(), [['embed', HOST], ['embed', HOST]])

  // The form's own requests come from the frame: their Referer is this site, never taken for the embedder.
  const fromFrame = await app.inject({ method: 'POST', url: action, headers: { referer: `http://localhost:80/embed/${slug}/sign?lang=en` }, payload: person({ email: 'frame@example.org' }) })
  t.equal(fromFrame.statusCode, 201)
  t.equal((await signatureRows(app)).find((r) => r.email === 'frame@example.org')?.embedOrigin, HOST, 'the origin the form carries is recorded, not the frame\'s own')
  const itself = await app.inject({ url: `/embed/${slug}/sign`, headers: { referer: `http://localhost:80/appeals/${slug}` } })
  t.notMatch(attr(/<form[^>]*>/.exec(itself.body)?.[0] ?? '', 'action') ?? '', 'origin=', 'framed by this site itself, no embedder is recorded')
  const rowsBefore = (await signatureRows(app)).length

  const direct = await app.inject({ method: 'POST', url: `/embed/${slug}/sign?origin=not-an-origin`, payload: person() })
  t.equal(direct.statusCode, 201, 'a signature without a usable origin still counts')
  const all = await signatureRows(app)
  t.equal(all.length, rowsBefore + 1)
  const last = all.reduce((a, b) => (b.id > a.id ? b : a))
  t.equal(last.embedOrigin, null, 'with no origin recorded')

  const site = await app.inject({ method: 'POST', url: `/appeals/${slug}/sign`, payload: person({ email: 'site@example.org' }) })
  t.equal(site.statusCode, 201, 'the appeal page\'s script signs the same way through its own form')
  t.equal((await signatureRows(app)).find((r) => r.email === 'site@example.org')?.source, 'web', 'recorded as from the site')
})

eachDatabase(t, 'the signing widget shares the site\'s signing rate limit', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  let status = 0
  for (let i = 0; i < 40 && status !== 429; i++) {
    status = (await app.inject({ method: 'POST', url: `/embed/${slug}/sign`, payload: person() })).statusCode
  }
  t.equal(status, 429, 'sending too fast is refused')
  const site = await app.inject({ method: 'POST', url: `/api/appeals/${slug}/signatures`, payload: person() })
  t.equal(site.statusCode, 429, 'and the same address is refused on the API too: one limit')
  const form = await app.inject({ method: 'POST', url: `/embed/${slug}/sign?lang=fr`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=x' })
  t.equal(form.statusCode, 429)
  t.match(form.body, /class="widget widget-error"/, 'a form sent without JavaScript hears it inside the frame')
  t.match(decode(form.body), strings('fr', 'errors').code.RATE_LIMITED.split('{{')[0], 'in the widget\'s language')
  t.equal(form.headers['set-cookie'], undefined)
  t.ok(form.headers['retry-after'], 'saying when to come back')
}, { RATE_LIMIT_SIGN_MAX: '5' })
