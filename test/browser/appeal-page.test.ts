/// <reference lib="dom" />
// Functions passed to page.evaluate and waitForFunction run in the browser, hence the DOM types.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import t from 'tap'
import { screenshotsDir, seriousViolations, withSite, type Site } from '../helpers/browser.js'
import { projectRoot } from '../../src/config.js'

// A supporter's view of an appeal, in a real browser against the real server with the demo campaign.
t.setTimeout(600_000)

const SLUG = 'hands-off-venezuela'
const SPANISH_ONLY = 'control-obrero-guayana'

type Strings = Record<string, any>
const strings = (lang: string, ns = 'pages'): Strings => JSON.parse(readFileSync(join(projectRoot, 'locales', lang, `${ns}.json`), 'utf8')) as Strings

let counter = 0
const uniqueEmail = (): string => `browser-${process.pid}-${Date.now()}-${counter++}@example.org`

async function count (page: Page): Promise<number> {
  return Number(await page.locator('#signature-count').getAttribute('value'))
}

/** The counter on a freshly loaded page, once the server's cached counts (STATS_TTL_MS) have caught up. */
async function reloadedCount (page: Page, url: string, expected: number): Promise<number> {
  const deadline = Date.now() + 10_000
  for (;;) {
    await page.goto(url)
    const n = await count(page)
    if (n === expected || Date.now() > deadline) return n
    await page.waitForTimeout(250)
  }
}

async function countryWithoutSignatures (s: Site): Promise<string> {
  const response = await fetch(`${s.origin}/api/appeals/${SLUG}/stats`)
  const stats = await response.json() as { byCountry: Record<string, number> }
  const candidate = ['IS', 'MN', 'NA', 'KZ', 'PG', 'LA', 'MG', 'BW'].find((code) => stats.byCountry[code] === undefined)
  if (candidate === undefined) throw new Error('every candidate country already has signatures')
  return candidate
}

/** Fills in the form as a person would (the country chosen by typing into the search box) and sends it. */
async function signWithJavaScript (page: Page, country: string, name: string): Promise<void> {
  await page.fill('#field-name', name)
  await page.fill('#field-email', uniqueEmail())
  await page.selectOption('#field-country', country)
  await page.check('#field-public')
  await page.click('#signing-form button[type="submit"]')
}

await withSite(t, {}, async (s) => {
  // The demo appeal asks signers to confirm by mail, as new appeals do (mail-links.test.ts follows that
  // path through the mail); here a signature counts at once, so the counters can be watched going up.
  await s.app.services.appeals.update(await s.app.services.appeals.getPublic(SLUG), { requireConfirmation: false })
  t.test('a supporter signs in English, sees the thanks and the counter go up, and the page stays on its own host', async (t) => {
    const context = await s.context({ locale: 'en-GB' })
    const page = await context.newPage()
    await page.goto(`${s.origin}/appeals/${SLUG}?lang=en`)
    t.equal(await page.getAttribute('html', 'lang'), 'en')
    t.equal(await page.getAttribute('html', 'dir'), 'ltr')
    await page.waitForSelector('#map path[data-country]', { state: 'attached' })
    const before = await count(page)
    await signWithJavaScript(page, 'GB', 'Ada Lovelace')
    await page.waitForSelector('#thanks')
    t.equal(await page.textContent('#thanks h2'), strings('en').thanks.title)
    t.equal(page.url(), `${s.origin}/appeals/${SLUG}?lang=en`, 'no page load: the form was sent in the background')
    await page.waitForFunction((n) => Number(document.getElementById('signature-count')?.getAttribute('value')) === n, before + 1)
    t.equal(await count(page), before + 1)
    // The live count confirms it from the server, not only from the page's own arithmetic.
    t.equal(await reloadedCount(page, page.url(), before + 1), before + 1)
    t.same([...context.hosts], [new URL(s.origin).host], 'every request went to the app itself')
  })

  t.test('a supporter signs in Spanish', async (t) => {
    const context = await s.context({ locale: 'es-VE' })
    const page = await context.newPage()
    await page.goto(`${s.origin}/appeals/${SLUG}`)
    t.equal(await page.getAttribute('html', 'lang'), 'es', 'Accept-Language chooses Spanish')
    t.equal(await page.inputValue('#field-country'), 'VE', 'the country defaults from the language region es-VE')
    t.equal((await page.textContent('#sign-heading'))?.trim(), strings('es').form.heading)
    const before = await count(page)
    await signWithJavaScript(page, 'VE', 'Simón Rodríguez')
    await page.waitForSelector('#thanks')
    t.equal(await page.textContent('#thanks h2'), strings('es').thanks.title)
    await page.waitForFunction((n) => Number(document.getElementById('signature-count')?.getAttribute('value')) === n, before + 1)
  })

  t.test('a supporter signs in Arabic, on a right-to-left page', async (t) => {
    const context = await s.context({ locale: 'ar-EG' })
    const page = await context.newPage()
    await page.goto(`${s.origin}/appeals/${SLUG}?lang=ar`)
    t.equal(await page.getAttribute('html', 'lang'), 'ar')
    t.equal(await page.getAttribute('html', 'dir'), 'rtl')
    t.equal(await page.evaluate(() => getComputedStyle(document.body).direction), 'rtl')
    const before = await count(page)
    await signWithJavaScript(page, 'EG', 'نوال السعداوي')
    await page.waitForSelector('#thanks')
    t.equal(await page.textContent('#thanks h2'), strings('ar').thanks.title)
    await page.waitForFunction((n) => Number(document.getElementById('signature-count')?.getAttribute('value')) === n, before + 1)
  })

  t.test('a signature from a new country shades that country on the map', async (t) => {
    const country = await countryWithoutSignatures(s)
    const context = await s.context()
    const watcher = await context.newPage()
    await watcher.goto(`${s.origin}/appeals/${SLUG}?lang=en`)
    const path = `#map path[data-country="${country}"]`
    await watcher.waitForSelector(path, { state: 'attached' })
    const empty = await watcher.getAttribute(path, 'fill')
    // Someone else signs from that country; the page already open picks it up from the live counts.
    const response = await fetch(`${s.origin}/api/appeals/${SLUG}/signatures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'individual', name: 'Björk', email: uniqueEmail(), country, public: true })
    })
    t.equal(response.status, 201)
    await watcher.waitForFunction(([selector, before]) => document.querySelector(selector!)?.getAttribute('fill') !== before, [path, empty], { timeout: 20_000 })
    t.not(await watcher.getAttribute(path, 'fill'), empty, 'the country is shaded')
    t.ok(await watcher.locator(`.map-section tr[data-country="${country}"]`).count(), 'and it appears in the tables under the map (among the other countries)')
  })

  t.test('without JavaScript the form posts, shows errors next to their fields, keeps the values and thanks', async (t) => {
    const context = await s.context({ javaScriptEnabled: false, locale: 'en-GB' })
    const page = await context.newPage()
    await page.goto(`${s.origin}/appeals/${SLUG}?lang=en`)
    const before = await count(page)
    t.ok(await page.locator('#country-table').isVisible(), 'the table of countries stands in for the map')
    await page.fill('#field-email', 'not-an-address')
    await page.fill('#field-city', 'Leeds')
    await page.click('#signing-form button[type="submit"]')
    t.equal(await page.textContent('#name-error'), strings('en', 'errors').validation.required)
    t.equal(await page.textContent('#email-error'), strings('en', 'errors').validation.email)
    t.equal(await page.getAttribute('#field-email', 'aria-invalid'), 'true')
    t.equal(await page.inputValue('#field-email'), 'not-an-address', 'values are kept')
    t.equal(await page.inputValue('#field-city'), 'Leeds')
    await page.fill('#field-name', 'Mary Barbour')
    await page.fill('#field-email', uniqueEmail())
    await page.selectOption('#field-country', 'GB')
    await page.click('#signing-form button[type="submit"]')
    t.match(page.url(), `/appeals/${SLUG}/thanks`)
    t.equal(await page.textContent('h1'), strings('en').thanks.title)
    t.equal(await reloadedCount(page, `${s.origin}/appeals/${SLUG}`, before + 1), before + 1)
  })

  t.test('the language switcher is remembered on the next page', async (t) => {
    const context = await s.context({ locale: 'en-GB' })
    const page = await context.newPage()
    await page.goto(`${s.origin}/appeals/${SLUG}`)
    t.equal(await page.getAttribute('html', 'lang'), 'en')
    await page.click('nav.languages a[hreflang="de"]')
    t.equal(await page.getAttribute('html', 'lang'), 'de')
    await page.goto(`${s.origin}/`)
    t.equal(await page.getAttribute('html', 'lang'), 'de', 'the choice outlives the ?lang= link')
    t.equal(await page.textContent('h1'), strings('de').home.title)
  })

  t.test('an appeal without a translation shows the original with a notice', async (t) => {
    const context = await s.context({ locale: 'en-GB' })
    const page = await context.newPage()
    await page.goto(`${s.origin}/appeals/${SPANISH_ONLY}`)
    t.equal(await page.getAttribute('html', 'lang'), 'en')
    t.equal((await page.textContent('.translation-notice'))?.trim(), 'This appeal has not been translated into English yet; it is shown in Spanish.')
    t.equal(await page.getAttribute('h1', 'lang'), 'es', 'the Spanish title is marked as Spanish')
    t.match(await page.textContent('.original-language'), 'First published in Spanish')
  })

  t.test('axe finds no serious or critical accessibility problem, and screenshots are written', async (t) => {
    for (const lang of ['en', 'ar']) {
      for (const [device, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
        const context = await s.context({ viewport, locale: lang === 'ar' ? 'ar-EG' : 'en-GB', deviceScaleFactor: 1 })
        const page = await context.newPage()
        await page.goto(`${s.origin}/appeals/${SLUG}?lang=${lang}`)
        await page.waitForSelector('#map path[data-country]', { state: 'attached' })
        await page.screenshot({ path: join(screenshotsDir, `appeal-${lang}-${device}.png`), fullPage: true })
        t.same(await seriousViolations(page), [], `${lang} ${device}: no serious or critical violations`)
        t.same([...context.hosts], [new URL(s.origin).host], `${lang} ${device}: no request left the app's host`)
      }
    }
  })

  t.test('a name written as HTML is shown as text and runs nothing', async (t) => {
    const name = '<img src=x onerror=alert(1)>'
    const response = await fetch(`${s.origin}/api/appeals/${SLUG}/signatures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'individual', name, email: uniqueEmail(), country: 'FR', city: '<script>alert(2)</script>', public: true })
    })
    t.equal(response.status, 201)
    const context = await s.context()
    const page = await context.newPage()
    const dialogs: string[] = []
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss() })
    await page.goto(`${s.origin}/appeals/${SLUG}?lang=en`)
    await page.waitForSelector('#map path[data-country]', { state: 'attached' })
    t.equal(await page.locator('#latest-signatures .signature-name').first().textContent(), name, 'the name reads as typed')
    t.match(await page.locator('#latest-signatures .signature-place').first().textContent(), '<script>alert(2)</script>')
    t.equal(await page.locator('#latest-signatures img').count(), 0, 'no image element was made of it')
    t.same(dialogs, [], 'no script ran')
  })
})
