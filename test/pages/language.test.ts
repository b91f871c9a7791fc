import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { build } from '../helpers/app.js'
import { appeal, organiser, type Organiser } from '../helpers/fixtures.js'
import { byClass, byId, fill, hrefs, languageName, meta, options, startTag, strings, text } from './html.js'

const spanish = { title: 'Manos fuera de Venezuela', summary: 'Con los trabajadores venezolanos', body: 'Estamos **con** ellos.', demands: ['Fin de las sanciones'] }
const french = { title: 'Bas les pattes du Venezuela', summary: 'Aux côtés des travailleurs vénézuéliens', body: 'Nous sommes **avec** eux.', demands: ['Levée des sanctions'] }

const htmlLang = (body: string): string | undefined => /<html lang="([^"]*)"/.exec(body)?.[1]
const htmlDir = (body: string): string | undefined => /<html [^>]*dir="([^"]*)"/.exec(body)?.[1]
const h1 = (body: string): string => text(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(body)?.[1] ?? '')
const langCookie = (response: { cookies: Array<{ name: string, value: string }> }) => response.cookies.find((c) => c.name === 'lang')

async function spanishAppeal (app: FastifyInstance, owner: Organiser): Promise<string> {
  return appeal(app, owner, { originalLanguage: 'es', text: spanish })
}

async function putText (app: FastifyInstance, owner: Organiser, slug: string, language: string, body: Record<string, unknown>): Promise<void> {
  const response = await app.inject({ method: 'PUT', url: `/api/admin/appeals/${slug}/texts/${language}`, headers: owner.auth, payload: body })
  if (response.statusCode !== 200) throw new Error(`putting the ${language} text failed: ${response.statusCode} ${response.body}`)
}

t.test('without any preference a reader gets the appeal in its original language', async (t) => {
  const app = await build(t)
  const slug = await spanishAppeal(app, await organiser(app))
  const response = await app.inject({ url: `/appeals/${slug}` })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/html; charset=utf-8/)
  t.equal(htmlLang(response.body), 'es')
  t.equal(htmlDir(response.body), 'ltr')
  t.equal(h1(response.body), spanish.title)
  t.ok(startTag(response.body, 'signing-form') !== undefined, 'the form is there')
  t.equal(byClass(response.body, 'div', 'translation-notice').length, 0, 'no "only available in" notice when the text is in the page language')
  t.equal(text(byId(response.body, 'sign-heading') ?? ''), strings('es', 'pages').form.heading, 'the page around the text is Spanish too')
  t.equal(langCookie(response), undefined, 'no cookie is set without an explicit choice')
  t.match(response.headers.vary, /accept-language/, 'caches keep the languages apart')
  t.match(response.headers.vary, /cookie/)
  t.equal(response.headers['cache-control'], 'no-cache', 'and revalidate: counts and texts change')
})

t.test('?lang= wins over the cookie, which wins over Accept-Language, which wins over the original language', async (t) => {
  const app = await build(t)
  const slug = await spanishAppeal(app, await organiser(app))
  const page = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers })

  const accepted = await page(`/appeals/${slug}`, { 'accept-language': 'de-AT,de;q=0.9,en;q=0.5' })
  t.equal(htmlLang(accepted.body), 'de', 'Accept-Language over the original language')
  t.equal(text(byId(accepted.body, 'sign-heading') ?? ''), strings('de', 'pages').form.heading)

  const weighted = await page(`/appeals/${slug}`, { 'accept-language': 'xx;q=1, it;q=0.4, pt;q=0.8' })
  t.equal(htmlLang(weighted.body), 'pt', 'the best supported language by q-value')

  const cookie = await page(`/appeals/${slug}`, { 'accept-language': 'de', cookie: 'lang=fr' })
  t.equal(htmlLang(cookie.body), 'fr', 'the cookie over Accept-Language')
  t.equal(langCookie(cookie), undefined, 'the cookie is not set again')

  const query = await page(`/appeals/${slug}?lang=it`, { 'accept-language': 'de', cookie: 'lang=fr' })
  t.equal(htmlLang(query.body), 'it', '?lang= over the cookie')
  t.equal(langCookie(query)?.value, 'it', 'and the choice replaces the cookie')
})

t.test('?lang= is remembered in a cookie for the next page', async (t) => {
  const app = await build(t)
  const slug = await spanishAppeal(app, await organiser(app))
  const response = await app.inject({ url: `/appeals/${slug}?lang=de` })
  t.equal(htmlLang(response.body), 'de')
  const cookie = langCookie(response) as { value: string, path?: string, maxAge?: number, httpOnly?: boolean, sameSite?: string } | undefined
  t.match(response.headers['set-cookie'], /(^|,\s*)lang=de;/)
  t.equal(cookie?.value, 'de')
  t.equal(cookie?.path, '/', 'for every page of the site')
  t.ok((cookie?.maxAge ?? 0) > 30 * 24 * 3600, 'kept for a long time')
  t.equal(cookie?.sameSite, 'Lax')

  const again = await app.inject({ url: `/appeals/${slug}?lang=de`, headers: { cookie: 'lang=de' } })
  t.equal(langCookie(again), undefined, 'no Set-Cookie when the cookie already says so')

  const next = await app.inject({ url: '/', headers: { cookie: `lang=${cookie?.value ?? ''}` } })
  t.equal(htmlLang(next.body), 'de', 'the next page keeps the choice')

  const regional = await app.inject({ url: `/appeals/${slug}?lang=pt-BR` })
  t.equal(htmlLang(regional.body), 'pt', 'a regional tag chooses its base language')
  t.equal(langCookie(regional)?.value, 'pt')
})

t.test('an unknown ?lang= is ignored', async (t) => {
  const app = await build(t)
  const slug = await spanishAppeal(app, await organiser(app))
  const alone = await app.inject({ url: `/appeals/${slug}?lang=xx` })
  t.equal(alone.statusCode, 200)
  t.equal(htmlLang(alone.body), 'es', 'the original language, as with no ?lang= at all')
  t.equal(langCookie(alone), undefined, 'no cookie for a language the site does not speak')
  const withHeader = await app.inject({ url: `/appeals/${slug}?lang=xx`, headers: { 'accept-language': 'fr' } })
  t.equal(htmlLang(withHeader.body), 'fr')
  const withCookie = await app.inject({ url: `/appeals/${slug}?lang=xx`, headers: { cookie: 'lang=it', 'accept-language': 'fr' } })
  t.equal(htmlLang(withCookie.body), 'it')
  t.equal(langCookie(withCookie), undefined, 'the cookie is left alone')
})

t.test('Arabic pages are right to left, with the foreign text marked left to right', async (t) => {
  const app = await build(t)
  const slug = await spanishAppeal(app, await organiser(app))
  const response = await app.inject({ url: `/appeals/${slug}?lang=ar` })
  t.equal(htmlLang(response.body), 'ar')
  t.equal(htmlDir(response.body), 'rtl')
  t.match(response.body, /<h1 lang="es" dir="ltr">/, 'the Spanish title keeps its own language and direction')
  const english = await app.inject({ url: `/appeals/${slug}?lang=en` })
  t.equal(htmlDir(english.body), 'ltr')
})

t.test('a reader whose language is missing is told so, in their language', async (t) => {
  const app = await build(t)
  const slug = await appeal(app, await organiser(app))
  const response = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': 'fr-FR,fr;q=0.9' } })
  const fr = strings('fr', 'pages')
  const anglais = languageName('fr', 'en')
  t.equal(anglais, 'anglais')
  t.equal(htmlLang(response.body), 'fr')
  const notices = byClass(response.body, 'div', 'translation-notice')
  t.equal(notices.length, 1)
  t.equal(text(notices[0] ?? ''), fill(fr.appeal.notTranslated, { reader: languageName('fr', 'fr'), language: anglais }))
  t.equal(byClass(response.body, 'p', 'also-in').length, 0, 'no other language to offer')
  t.equal(text(byClass(response.body, 'p', 'original-language')[0] ?? ''), fill(fr.appeal.firstPublishedIn, { language: anglais }))
  t.equal(h1(response.body), 'Hands off Venezuela', 'the English text is shown')
  t.match(response.body, /<h1 lang="en" dir="ltr">/, 'marked as English for screen readers and translators')
  t.match(response.body, /<div class="appeal-text" lang="en"/)
  t.equal(text(byId(response.body, 'sign-heading') ?? ''), fr.form.heading, 'while the page around it is French')
})

t.test('a translated appeal is shown in the reader\'s language without a notice', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  await putText(app, owner, slug, 'fr', french)
  const response = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': 'fr' } })
  const fr = strings('fr', 'pages')
  t.equal(h1(response.body), french.title)
  t.match(response.body, /<h1>/, 'no lang attribute: the title is in the page language')
  t.equal(byClass(response.body, 'div', 'translation-notice').length, 0)
  t.equal(text(byClass(response.body, 'p', 'summary')[0] ?? ''), french.summary)
  t.match(response.body, /Nous sommes <strong>avec<\/strong> eux\./)
  t.equal(text(byClass(response.body, 'ol', 'demands')[0] ?? ''), 'Levée des sanctions')
  t.notMatch(response.body, /Hands off Venezuela/, 'nothing of the English text')
  t.equal(text(byClass(response.body, 'p', 'original-language')[0] ?? ''), fill(fr.appeal.firstPublishedIn, { language: languageName('fr', 'en') }),
    'the original language is still named')
  const alsoIn = byClass(response.body, 'p', 'also-in')[0] ?? ''
  t.ok(hrefs(alsoIn).includes('?lang=en'), 'and linked')

  const english = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': 'en' } })
  t.equal(h1(english.body), 'Hands off Venezuela', 'an English reader still gets the original')
  t.ok(hrefs(byClass(english.body, 'p', 'also-in')[0] ?? '').includes('?lang=fr'), 'with a link to the French text')
})

t.test('link previews describe the appeal in the reader\'s language', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  await putText(app, owner, slug, 'fr', french)
  const fr = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': 'fr' } })
  t.equal(meta(fr.body, 'og:title'), french.title)
  t.equal(meta(fr.body, 'og:description'), french.summary)
  t.equal(meta(fr.body, 'og:locale'), 'fr')
  t.equal(meta(fr.body, 'og:locale:alternate'), 'en')
  t.equal(meta(fr.body, 'og:type'), 'article')
  t.equal(meta(fr.body, 'og:url'), `http://localhost:80/appeals/${slug}`)
  t.equal(meta(fr.body, 'twitter:card'), 'summary')
  t.equal(meta(fr.body, 'twitter:title'), french.title)
  t.equal(meta(fr.body, 'twitter:description'), french.summary)
  t.equal(meta(fr.body, 'description'), french.summary)
  t.equal(text(/<title>([\s\S]*?)<\/title>/.exec(fr.body)?.[1] ?? ''), `${french.title} · Solidaria`)

  const en = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': 'en' } })
  t.equal(meta(en.body, 'og:title'), 'Hands off Venezuela')
  t.equal(meta(en.body, 'og:description'), 'Stand with Venezuelan workers')
  t.equal(meta(en.body, 'og:locale'), 'en')
  t.equal(meta(en.body, 'og:locale:alternate'), 'fr')
  t.equal(meta(en.body, 'twitter:card'), 'summary')

  const de = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': 'de' } })
  t.equal(meta(de.body, 'og:title'), 'Hands off Venezuela', 'without a German text the preview shows the original')
  t.equal(meta(de.body, 'og:locale'), 'en', 'and says it is English')

  const home = await app.inject({ url: '/' })
  t.equal(meta(home.body, 'og:title'), undefined, 'the home page has no appeal preview')
})

t.test('the country list is sorted in the reader\'s language and preselected from its region', async (t) => {
  const app = await build(t)
  const slug = await appeal(app, await organiser(app))
  for (const lang of ['es', 'de', 'ar', 'el']) {
    const response = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': lang } })
    const countries = options(response.body, 'field-country').filter((o) => o.value !== '')
    t.ok(countries.length > 240, `${lang}: every country is offered`)
    const names = countries.map((c) => c.label)
    const collator = new Intl.Collator(lang)
    t.same(names, [...names].sort((a, b) => collator.compare(a, b)), `${lang}: in alphabetical order for that language`)
    const local = new Intl.DisplayNames([lang], { type: 'region' })
    t.equal(countries.find((c) => c.value === 'DE')?.label, local.of('DE'), `${lang}: named in that language`)
  }
  const de = options((await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': 'de' } })).body, 'field-country').map((o) => o.label)
  t.ok(de.indexOf('Ägypten') < de.indexOf('Albanien'), 'Ä sorts with A in German, not after Z')

  const venezuelan = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': 'es-VE,es;q=0.9' } })
  t.equal(htmlLang(venezuelan.body), 'es')
  t.same(options(venezuelan.body, 'field-country').filter((o) => o.selected).map((o) => o.value), ['VE'], 'es-VE preselects Venezuela')
  const spanish = await app.inject({ url: `/appeals/${slug}`, headers: { 'accept-language': 'es' } })
  t.same(options(spanish.body, 'field-country').filter((o) => o.selected).map((o) => o.value), [], 'plain es preselects nothing')
  t.equal(options(spanish.body, 'field-country')[0]?.value, '', 'the first option asks to choose')
})
