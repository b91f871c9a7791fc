import t from 'tap'
import { build, eachDatabase, json } from '../helpers/app.js'
import { appeal, organisation, organiser, person, sign, signatureRows } from '../helpers/fixtures.js'
import { byClass, byId, fill, hrefs, options, startTag, strings, text } from './html.js'

const en = strings('en', 'pages')
const text_ = (title: string) => ({ title, summary: `${title} summary`, body: `${title} body`, demands: [] })

/** Signs through the API, failing loudly if the signature is refused. */
async function signed (app: Parameters<typeof sign>[0], slug: string, body: Record<string, unknown>): Promise<void> {
  const response = await sign(app, slug, body)
  if (response.statusCode !== 201) throw new Error(`signing failed: ${response.statusCode} ${response.body}`)
}

const cards = (body: string): Map<string, string> => new Map(body.split('<li class="appeal-card">').slice(1).map((card) => {
  const title = text(/<h2[^>]*>([\s\S]*?)<\/h2>/.exec(card)?.[1] ?? '')
  return [title, card]
}))

eachDatabase(t, 'the home page lists the open appeals with their counts', async (t, { app }) => {
  const owner = await organiser(app)
  const alpha = await appeal(app, owner, { text: text_('Appeal Alpha') })
  const beta = await appeal(app, owner, { text: text_('Appeal Beta') })
  await appeal(app, owner, { text: text_('Appeal Draft') }, false)
  const closed = await appeal(app, owner, { text: text_('Appeal Closed') })
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${closed}/close`, headers: owner.auth })).statusCode, 200)
  await signed(app, alpha, person())
  await signed(app, alpha, organisation())
  await signed(app, beta, person())

  const home = await app.inject({ url: '/' })
  t.equal(home.statusCode, 200)
  t.match(home.body, /<html lang="en"/)
  t.equal(text(/<h1>([\s\S]*?)<\/h1>/.exec(home.body)?.[1] ?? ''), en.home.title)
  const listed = cards(home.body)
  t.same([...listed.keys()].sort(), ['Appeal Alpha', 'Appeal Beta'], 'open appeals only: no draft, no closed one')
  t.equal(text(byClass(listed.get('Appeal Alpha') ?? '', 'p', 'appeal-count')[0] ?? ''), fill(en.home.signatures_other, { count: 2 }))
  t.equal(text(byClass(listed.get('Appeal Beta') ?? '', 'p', 'appeal-count')[0] ?? ''), fill(en.home.signatures_one, { count: 1 }))
  t.ok(hrefs(listed.get('Appeal Alpha') ?? '').includes(`/appeals/${alpha}`), 'each card links to its appeal')
  t.ok(hrefs(listed.get('Appeal Beta') ?? '').includes(`/appeals/${beta}#sign`), 'and to its form')

  const es = strings('es', 'pages')
  const spanish = await app.inject({ url: '/', headers: { 'accept-language': 'es' } })
  t.equal(text(/<h1>([\s\S]*?)<\/h1>/.exec(spanish.body)?.[1] ?? ''), es.home.title)
  t.equal(text(byClass(cards(spanish.body).get('Appeal Alpha') ?? '', 'p', 'appeal-count')[0] ?? ''), fill(es.home.signatures_other, { count: 2 }))
  t.match(spanish.body, /<h2 lang="en"><a href="\/appeals\//, 'a title in another language is marked as such')
})

t.test('the home page does not offer appeals whose signing period is over', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  await appeal(app, owner, { text: text_('Still Running') })
  const ended = await appeal(app, owner, { text: text_('Period Over'), opensAt: '2020-01-01T00:00:00Z', closesAt: '2020-02-01T00:00:00Z' })
  const page = await app.inject({ url: `/appeals/${ended}` })
  t.equal(text(byClass(page.body, 'p', 'notice')[0] ?? ''), en.appeal.closed, 'its own page says it is closed')
  const listed = cards((await app.inject({ url: '/' })).body)
  t.ok(listed.has('Still Running'))
  t.notOk(listed.has('Period Over'), 'an appeal past its closing date is not listed under "Open appeals" with a "Read and sign" button')
})

t.test('the home page says when nothing is open', async (t) => {
  const app = await build(t)
  const home = await app.inject({ url: '/' })
  t.equal(home.statusCode, 200)
  t.ok(text(home.body).includes(en.home.empty))
  t.equal(cards(home.body).size, 0)
})

eachDatabase(t, 'the signatures page filters by country and pages through them', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (let i = 0; i < 53; i++) await signed(app, slug, person({ name: `Venezolana ${i}`, country: 'VE' }))
  for (let i = 0; i < 3; i++) await signed(app, slug, person({ name: `Briton ${i}`, country: 'GB' }))
  await signed(app, slug, person({ name: 'Private Person', country: 'VE', public: false }))

  const first = await app.inject({ url: `/appeals/${slug}/signatures?country=VE` })
  t.equal(first.statusCode, 200)
  const firstNames = byClass(first.body, 'span', 'signature-name').map(text)
  t.equal(firstNames.length, 50, 'fifty to a page')
  t.ok(firstNames.every((n) => n.startsWith('Venezolana ')), 'Venezuelans only')
  t.ok(byClass(first.body, 'span', 'signature-place').map(text).every((p) => p === 'Venezuela'))
  t.same(options(first.body, 'filter-country').map((o) => o.value), ['', 'GB', 'VE'], 'the filter offers the countries that have signatures')
  t.same(options(first.body, 'filter-country').filter((o) => o.selected).map((o) => o.value), ['VE'])
  t.equal(firstNames[0], 'Venezolana 52', 'newest first')

  const next = /<a href="([^"]*)" rel="next">/.exec(first.body)
  t.ok(next !== null, 'a rel="next" link leads to the older ones')
  const nextUrl = (next?.[1] ?? '').replace(/&#61;/g, '=').replace(/&#38;|&amp;/g, '&')
  t.match(nextUrl, new RegExp(`^/appeals/${slug}/signatures\\?country=VE&cursor=`), 'keeping the filter')
  const second = await app.inject({ url: nextUrl })
  t.equal(second.statusCode, 200)
  const secondNames = byClass(second.body, 'span', 'signature-name').map(text)
  t.same(secondNames, ['Venezolana 2', 'Venezolana 1', 'Venezolana 0'], 'the rest, in order')
  t.notMatch(second.body, /rel="next"/, 'the last page has no next link')
  t.ok(hrefs(second.body).includes(`/appeals/${slug}/signatures?country=VE`), 'but a link back to the newest')
  t.equal(new Set([...firstNames, ...secondNames]).size, 53, 'no signature twice, none missing')

  const lower = await app.inject({ url: `/appeals/${slug}/signatures?country=gb` })
  t.same(byClass(lower.body, 'span', 'signature-name').map(text), ['Briton 2', 'Briton 1', 'Briton 0'], 'a lower-case code works too')

  const all = await app.inject({ url: `/appeals/${slug}/signatures?country=` })
  t.equal(all.statusCode, 200, 'the empty "all countries" choice')
  t.equal(byClass(all.body, 'span', 'signature-name').length, 50)
  for (const page of [first, second, lower, all]) t.notMatch(page.body, /Private Person/, 'a signer who did not agree is never listed')

  const badCursor = await app.inject({ url: `/appeals/${slug}/signatures?cursor=nonsense` })
  t.equal(badCursor.statusCode, 400, 'a broken cursor is refused')
  t.match(badCursor.headers['content-type'], /^text\/html/, 'with a page')
}, { RATE_LIMIT_SIGN_MAX: '1000' })

eachDatabase(t, 'the organisations and events pages list what the appeal has', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  await signed(app, slug, organisation({ organisation: 'Transport Workers Union', members: 120000, country: 'GB' }))
  await signed(app, slug, organisation({ organisation: 'Hidden Union', public: false }))
  await signed(app, slug, person({ organisation: 'UNETE' }))
  const event = await app.inject({
    method: 'POST', url: `/api/admin/appeals/${slug}/events`, headers: owner.auth,
    payload: { title: 'Rally in Caracas', startsAt: '2026-05-01T10:00:00Z', city: 'Caracas', country: 'VE', link: 'https://example.org/rally', attendance: 3000 }
  })
  t.equal(event.statusCode, 201)

  const organisations = await app.inject({ url: `/appeals/${slug}/organisations` })
  t.equal(organisations.statusCode, 200)
  t.equal(text(/<h1>([\s\S]*?)<\/h1>/.exec(organisations.body)?.[1] ?? ''), en.organisations.heading)
  t.same(byClass(organisations.body, 'span', 'organisation-name').map(text), ['Transport Workers Union'], 'public organisations only, not individuals')
  t.equal(text(byClass(organisations.body, 'span', 'organisation-details')[0] ?? ''), `Trade union · United Kingdom · ${fill(en.organisations.members_other, { count: '120,000' })}`)
  t.ok(hrefs(organisations.body).includes(`/appeals/${slug}`), 'a link back to the appeal')

  const de = strings('de', 'pages')
  const events = await app.inject({ url: `/appeals/${slug}/events`, headers: { 'accept-language': 'de' } })
  t.equal(events.statusCode, 200)
  t.equal(text(/<h1>([\s\S]*?)<\/h1>/.exec(events.body)?.[1] ?? ''), de.events.heading)
  t.same(byClass(events.body, 'span', 'event-title').map(text), ['Rally in Caracas'])
  t.equal(text(byClass(events.body, 'span', 'event-place')[0] ?? ''), 'Caracas, Venezuela')
  t.match(events.body, /<time datetime="2026-05-01T10:00:00.000Z" data-local-time>1\. Mai 2026 um 10:00 UTC<\/time>/, 'the date and time in German, in the event\'s own zone')
  t.ok(hrefs(events.body).includes('https://example.org/rally'))

  const empty = await appeal(app, owner)
  t.ok(text((await app.inject({ url: `/appeals/${empty}/events` })).body).includes(en.events.empty))
  t.ok(text((await app.inject({ url: `/appeals/${empty}/organisations` })).body).includes(en.organisations.empty))
})

eachDatabase(t, 'a closed appeal shows its notice instead of the form', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  await signed(app, slug, person({ name: 'Early Signer' }))
  const open = await app.inject({ url: `/appeals/${slug}` })
  t.ok(startTag(open.body, 'signing-form') !== undefined, 'an open appeal has the form')
  const closed = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/close`, headers: owner.auth })
  t.equal(closed.statusCode, 200)
  t.equal(json(closed).status, 'closed')

  const page = await app.inject({ url: `/appeals/${slug}` })
  t.equal(page.statusCode, 200, 'a closed appeal is still public')
  t.equal(text(byClass(page.body, 'p', 'notice')[0] ?? ''), en.appeal.closed)
  t.notMatch(page.body, /<form[^>]*id="signing-form"/, 'no signing form')
  t.ok(byClass(page.body, 'span', 'signature-name').map(text).includes('Early Signer'), 'the signatures are still shown')
  t.match(byId(page.body, 'counter'), /<data id="signature-count" value="1">1<\/data>/, 'and counted')
  t.equal((await signatureRows(app)).length, 1)
})

t.test('an appeal that is not open yet, or closes on a date, says when', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const future = await appeal(app, owner, { opensAt: '2099-03-01T12:00:00Z' })
  const page = await app.inject({ url: `/appeals/${future}`, headers: { 'accept-language': 'en' } })
  t.equal(page.statusCode, 200)
  t.equal(text(byClass(page.body, 'p', 'notice')[0] ?? ''), fill(en.appeal.notYetOpen, { date: 'March 1, 2099' }))
  t.equal(startTag(page.body, 'signing-form'), undefined, 'no form before it opens')

  const closing = await appeal(app, owner, { closesAt: '2099-06-30T23:00:00Z' })
  const open = await app.inject({ url: `/appeals/${closing}`, headers: { 'accept-language': 'en' } })
  t.ok(startTag(open.body, 'signing-form') !== undefined)
  t.equal(text(byClass(open.body, 'p', 'closes')[0] ?? ''), fill(en.appeal.closesOn, { date: 'June 30, 2099' }))
})

t.test('an appeal that keeps its list private shows no names', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { showPublicList: false })
  const page = await app.inject({ url: `/appeals/${slug}` })
  t.equal(byId(page.body, 'latest-signatures'), undefined, 'no latest signatures on the appeal page')
  t.notOk(hrefs(page.body).includes(`/appeals/${slug}/signatures`), 'and no link to the list')
  const list = await app.inject({ url: `/appeals/${slug}/signatures` })
  t.equal(list.statusCode, 200)
  t.ok(text(list.body).includes(en.signatures.listHidden))
  t.equal(byClass(list.body, 'span', 'signature-name').length, 0)
})

t.test('a missing appeal is a translated page, and JSON under /api', async (t) => {
  const app = await build(t)
  const de = strings('de', 'pages')
  const page = await app.inject({ url: '/appeals/nope', headers: { 'accept-language': 'de' } })
  t.equal(page.statusCode, 404)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /<html lang="de"/)
  t.equal(text(/<h1>([\s\S]*?)<\/h1>/.exec(page.body)?.[1] ?? ''), de.error.notFoundTitle)
  t.equal(text(/<title>([\s\S]*?)<\/title>/.exec(page.body)?.[1] ?? ''), `${de.error.notFoundTitle} · Solidaria`)
  t.ok(text(page.body).includes(de.error.notFoundText))
  t.match(page.body, /<meta name="robots" content="noindex">/)
  t.ok(hrefs(page.body).includes('/'), 'a way back to the list of appeals')

  for (const url of ['/appeals/nope/signatures', '/appeals/nope/organisations', '/appeals/nope/events', '/appeals/nope/thanks']) {
    const sub = await app.inject({ url })
    t.equal(sub.statusCode, 404, url)
    t.match(sub.headers['content-type'], /^text\/html/, url)
  }

  const api = await app.inject({ url: '/api/appeals/nope', headers: { 'accept-language': 'de' } })
  t.equal(api.statusCode, 404)
  t.match(api.headers['content-type'], /^application\/json/)
  t.same(json(api), { error: { code: 'APPEAL_NOT_FOUND', message: strings('de', 'errors').code.APPEAL_NOT_FOUND, fields: {} } })
})

t.test('a draft appeal does not exist for the public', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { text: text_('Secret Draft') }, false)
  for (const url of [`/appeals/${slug}`, `/appeals/${slug}/signatures`, `/appeals/${slug}/thanks`]) {
    const page = await app.inject({ url })
    t.equal(page.statusCode, 404, url)
    t.match(page.headers['content-type'], /^text\/html/)
    t.equal(text(/<h1>([\s\S]*?)<\/h1>/.exec(page.body)?.[1] ?? ''), en.error.notFoundTitle)
    t.notMatch(page.body, /Secret Draft/, 'nothing of the draft is shown')
  }
  const opened = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/open`, headers: owner.auth })
  t.equal(opened.statusCode, 200)
  const page = await app.inject({ url: `/appeals/${slug}` })
  t.equal(page.statusCode, 200, 'once opened it is there at once')
  t.equal(text(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(page.body)?.[1] ?? ''), 'Secret Draft')
})

t.test('the country table shows the top ten, the others in a details below; the sign link is there while signing is', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const countries = ['VE', 'VE', 'AR', 'BR', 'CL', 'CO', 'CU', 'EC', 'ES', 'FR', 'GB', 'MX', 'PE']
  for (const country of countries) await signed(app, slug, person({ country }))
  const page = (await app.inject({ url: `/appeals/${slug}` })).body
  const rows = (html: string): string[] => [...html.matchAll(/<tr data-country="([A-Z]{2})">/g)].map((m) => m[1]!)
  const first = byId(page, 'country-table') ?? ''
  t.equal(rows(first).length, 10, 'ten countries in the table')
  t.equal(rows(first)[0], 'VE', 'the most signatures first')
  const more = byId(page, 'more-countries') ?? ''
  t.equal(rows(more).length, 2, 'the other two in the details below')
  t.equal(text(byId(page, 'more-countries-summary') ?? ''), fill(en.map.otherCountries, { count: 2 }))
  t.same([...rows(first), ...rows(more)].sort(), [...new Set(countries)].sort(), 'every country, once')
  t.match(page, /<a class="skip-link sign-link" href="#sign">/, 'a link to the form, first on the page')

  await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/close`, headers: owner.auth })
  t.notMatch((await app.inject({ url: `/appeals/${slug}` })).body, /sign-link/, 'no link to a form that is not there')
})
