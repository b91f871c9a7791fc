/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, hence the DOM types.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { asc, eq } from 'drizzle-orm'
import t, { type Test } from 'tap'
import { appeals, events, signatures } from '../../src/db/schema.js'
import { iframeSnippet, WIDGET_HEIGHTS } from '../../src/embed/snippets.js'
import { lighthouseViolations, screenshotsDir, seriousViolations, withSite } from '../helpers/browser.js'
import { organiser } from '../helpers/fixtures.js'
import { linkIn, mailsTo } from '../helpers/mail.js'
import { projectRoot } from '../../src/config.js'

// Every public page, widget and dashboard page, on a phone and on a laptop, in English and in Arabic
// (right to left): nothing scrolls sideways, the map's legend hides none of its data, the form is three
// Tab presses from the top of a phone, the map is passed in three, and axe finds nothing serious. One site,
// one Chromium, one browser profile per width and language. With SCREENSHOTS=1, a full-page screenshot of
// each of the 120 views in test/browser/screenshots/ (a fifth of the file's time, so not by default).
t.setTimeout(300_000)
const SCREENSHOTS = process.env.SCREENSHOTS === '1'

const SLUG = 'hands-off-venezuela'
const WIDTHS = [{ width: 390, height: 844 }, { width: 1366, height: 900 }]
const LANGUAGES = ['en', 'ar']
const PASSWORD = 'a long enough password'
const strings = (lang: string): Record<string, any> => JSON.parse(readFileSync(join(projectRoot, 'locales', lang, 'pages.json'), 'utf8'))

await withSite(t, { STATS_TTL_MS: '0' }, async (s) => {
  await s.app.services.organisers.create({ email: 'organiser@example.org', name: 'Carmen', password: PASSWORD, role: 'admin' })

  // The link pages need a signature waiting for its confirmation mail.
  const { auth } = await organiser(s.app)
  await s.app.inject({ method: 'POST', url: '/api/admin/appeals', headers: auth, payload: { slug: 'confirm-on-a-phone', originalLanguage: 'en', text: { title: 'Free the detained union leaders' } } })
  await s.app.inject({ method: 'POST', url: '/api/admin/appeals/confirm-on-a-phone/open', headers: auth })
  const email = `phone-${Date.now()}@example.org`
  await s.app.inject({ method: 'POST', url: '/api/appeals/confirm-on-a-phone/signatures', payload: { kind: 'individual', name: 'Phone Signer', email, country: 'KR' } })
  await s.app.services.mail.worker.runOnce()
  const mail = mailsTo(s.app, email)[0]!
  const confirmPath = linkIn(mail.text, '/confirm/').pathname
  const removePath = linkIn(mail.text, '/remove/').pathname

  // A campaign site framing the widgets with the plain iframes the snippets hand out.
  const frames = (lang: string): string => (['map', 'counter', 'sign'] as const).map((widget) =>
    iframeSnippet({ base: s.origin, slug: SLUG, lang, title: () => widget }, widget).replace(' loading="lazy"', '')).join('\n')
  const host: Server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>A union's site</title>
<style>body { font-family: sans-serif; margin: 1rem; }</style></head><body><main><h1>A union's site</h1>${frames(request.url === '/ar' ? 'ar' : 'en')}</main></body></html>`)
  })
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { host.close() })
  const hostOrigin = `http://localhost:${(host.address() as { port: number }).port}`

  const pub = `/appeals/${SLUG}`
  const admin = `/admin/appeals/${SLUG}`
  // The pages about one event and one signature: the demo appeal's first of each.
  const [demo] = await s.app.db.select({ id: appeals.id }).from(appeals).where(eq(appeals.slug, SLUG))
  const [event] = await s.app.db.select({ id: events.id }).from(events)
    .where(eq(events.appealId, demo!.id)).orderBy(asc(events.startsAt)).limit(1)
  const [signature] = await s.app.db.select({ id: signatures.id }).from(signatures)
    .where(eq(signatures.appealId, demo!.id)).orderBy(asc(signatures.id)).limit(1)
  const pages: Array<{ name: string, path: string, signIn?: boolean }> = [
    { name: 'home', path: '/' },
    { name: 'appeal', path: pub },
    { name: 'signatures', path: `${pub}/signatures` },
    { name: 'organisations', path: `${pub}/organisations` },
    { name: 'events', path: `${pub}/events` },
    { name: 'thanks', path: `${pub}/thanks` },
    { name: 'confirm', path: confirmPath },
    { name: 'remove', path: removePath },
    { name: 'widget-map', path: `/embed/${SLUG}/map` },
    { name: 'widget-counter', path: `/embed/${SLUG}/counter` },
    { name: 'widget-sign', path: `/embed/${SLUG}/sign` },
    { name: 'admin-sign-in', path: '/admin/sign-in' },
    { name: 'admin-setup', path: '/admin/setup' },
    { name: 'admin-appeals', path: '/admin', signIn: true },
    { name: 'admin-new-appeal', path: '/admin/appeals/new', signIn: true },
    { name: 'admin-appeal', path: admin, signIn: true },
    { name: 'admin-text', path: `${admin}/texts/ar`, signIn: true },
    { name: 'admin-signatures', path: `${admin}/signatures`, signIn: true },
    { name: 'admin-erase', path: `${admin}/signatures/${signature!.id}/erase`, signIn: true },
    { name: 'admin-bulk-hide', path: `${admin}/signatures/bulk-hide?emailDomain=example.org&from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`, signIn: true },
    { name: 'admin-import', path: `${admin}/import`, signIn: true },
    { name: 'admin-events', path: `${admin}/events`, signIn: true },
    { name: 'admin-event', path: `${admin}/events/${event!.id}`, signIn: true },
    { name: 'admin-team', path: `${admin}/team`, signIn: true },
    { name: 'admin-embed', path: `${admin}/embed`, signIn: true },
    { name: 'admin-organisers', path: '/admin/organisers', signIn: true },
    { name: 'admin-tokens', path: '/admin/tokens', signIn: true },
    { name: 'admin-erasure', path: '/admin/erasure', signIn: true }
  ]

  /** How far the document, and each frame's document, is wider than its viewport. */
  async function overflows (page: Page): Promise<Record<string, number>> {
    const found: Record<string, number> = {}
    for (const frame of page.frames()) {
      const excess = await frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      if (excess > 0) found[frame === page.mainFrame() ? 'document' : frame.url()] = excess
    }
    return found
  }

  /** Whether the legend overlaps the map, or any country with signatures or any event marker. */
  async function legendCovers (page: Page): Promise<string[]> {
    await page.waitForSelector('#map-legend:not([hidden])')
    // No named function inside: tsx would wrap it in a helper the page does not have.
    return page.evaluate(() => {
      const legend = document.getElementById('map-legend')!.getBoundingClientRect()
      const map = document.getElementById('map')!.getBoundingClientRect()
      const covered: string[] = []
      // What of each shape is drawn: the part inside the map (shapes run on past its edges, clipped).
      for (const element of [document.getElementById('map')!, ...document.querySelectorAll('#map path[data-country]:not([fill="#e9e6e1"]), #map .event-marker')]) {
        const r = element.getBoundingClientRect()
        const left = Math.max(r.left, map.left)
        const right = Math.min(r.right, map.right)
        const top = Math.max(r.top, map.top)
        const bottom = Math.min(r.bottom, map.bottom)
        if (left < right && top < bottom && left < legend.right && legend.left < right && top < legend.bottom && legend.top < bottom) {
          covered.push(element.getAttribute('data-country') ?? (element.id || 'an event'))
        }
      }
      return covered
    })
  }

  /** Tab presses from the top of a page just loaded (through the sign link) until the form's first field has focus. */
  async function pressesToForm (page: Page): Promise<number> {
    for (let presses = 1; presses <= 6; presses++) {
      await page.keyboard.press('Tab')
      const where = await page.evaluate(() => {
        const active = document.activeElement
        const first = document.querySelector('#signing-form input:not([type="hidden"]), #signing-form select')
        return active === first ? 'field' : active?.classList.contains('sign-link') === true ? 'link' : 'other'
      })
      if (where === 'field') return presses
      if (where === 'link') await page.keyboard.press('Enter')
    }
    return Infinity
  }

  /** Tab stops inside the map, from the last one before it until focus has left it. */
  async function stopsInMap (page: Page): Promise<number> {
    await page.waitForSelector('#map path[data-country]', { state: 'attached' })
    await page.focus('#share-url')
    let stops = 0
    for (;;) {
      await page.keyboard.press('Tab')
      if (!await page.evaluate(() => document.getElementById('map')!.contains(document.activeElement))) return stops
      stops += 1
      if (stops > 10) return stops
    }
  }

  async function checkPage (t: Test, page: Page, name: string, width: number, lang: string): Promise<void> {
    const what = `${name} at ${width} px [${lang}]`
    t.same(await overflows(page), {}, `${what}: nothing scrolls sideways`)
    t.same(await seriousViolations(page), [], `${what}: no serious or critical accessibility problem`)
    if (SCREENSHOTS) await page.screenshot({ path: join(screenshotsDir, `phone-and-keyboard-${name}-${width}-${lang}.png`), fullPage: true })
  }

  // The tallest each widget's content is, over the widths and languages: what a plain frame must hold.
  const heights: Partial<Record<keyof typeof WIDGET_HEIGHTS, number>> = {}

  /** Every page in one language at one width, in a browser profile of its own. */
  async function visitAll (t: Test, viewport: typeof WIDTHS[number], lang: string): Promise<void> {
    const context: BrowserContext = await s.context({ viewport, locale: lang })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    const url = (path: string): string => `${s.origin}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`
    let signedIn = false
    for (const { name, path, signIn } of pages) {
      if (signIn === true && !signedIn) {
        await page.goto(url('/admin/sign-in'))
        await page.fill('#field-email', 'organiser@example.org')
        await page.fill('#field-password', PASSWORD)
        await Promise.all([page.waitForURL(/\/admin$/), page.click('form[action="/admin/sign-in"] button')])
        signedIn = true
      }
      await page.goto(url(path))
      if (name === 'appeal' || name === 'widget-map') {
        t.same(await legendCovers(page), [], `${name} at ${viewport.width} px [${lang}]: the legend covers nothing of the map`)
      }
      if (name === 'appeal') {
        if (viewport.width < 600) {
          const presses = await pressesToForm(page)
          t.ok(presses <= 3, `the form's first field is at most 3 Tab presses from the top, through the sign link (${presses})`)
        }
        const stops = await stopsInMap(page)
        t.ok(stops <= 3, `the map is passed in at most 3 Tab presses (${stops})`)
        const form = strings(lang).form
        const label = (): Promise<string> => page.locator('label[for="field-organisation"]').innerText()
        t.equal(await label(), `${form.organisation} (${form.optional})`, `[${lang}] an individual's organisation is optional`)
        await page.check('#kind-organisation')
        t.equal(await label(), form.organisationName, `[${lang}] an organisation's name is not: the label changes with the kind`)
        t.ok(await page.locator('#field-members').isVisible(), `[${lang}] and the members it represents are asked`)
        await page.check('#kind-individual')
        t.same(await lighthouseViolations(page), [], 'none of the audits Lighthouse scores accessibility by fails')
      }
      await checkPage(t, page, name, viewport.width, lang)
      if (name === 'admin-import') {
        await page.fill('#field-csv', 'name,email,country,city,organisation,role\nAna Pérez,ana.import@example.org,VE,Ciudad Guayana,Sindicato Único de Trabajadores de la Siderúrgica,delegada\nNot an email,x,ZZ,,,')
        await Promise.all([page.waitForLoadState(), page.click('form[action$="/import"] button[type="submit"]')])
        await checkPage(t, page, 'admin-import-preview', viewport.width, lang)
      }
    }
    // The widgets, framed by another site with the plain iframes of the snippets, at their fixed heights.
    await page.goto(`${hostOrigin}/${lang}`)
    for (const widget of ['map', 'counter', 'sign'] as const) {
      const frame = page.frameLocator(`iframe[src*="/embed/${SLUG}/${widget}"]`)
      await frame.locator('main').waitFor()
      const height = await frame.locator('body').evaluate((body) => Math.ceil(body.getBoundingClientRect().height))
      heights[widget] = Math.max(heights[widget] ?? 0, height)
      t.ok(height <= WIDGET_HEIGHTS[widget], `the ${widget} widget's content (${height} px) fits its plain frame (${WIDGET_HEIGHTS[widget]} px)`)
    }
    t.same(await overflows(page), {}, 'no framed widget scrolls sideways')
    if (SCREENSHOTS) await page.screenshot({ path: join(screenshotsDir, `phone-and-keyboard-host-${viewport.width}-${lang}.png`), fullPage: true })
    t.same(errors, [], `no script error on any page [${lang}]`)
  }

  for (const viewport of WIDTHS) {
    // The languages side by side: the pages wait on the server and the browser in turn, and this halves the time.
    t.test(`every page at ${viewport.width} px, in ${LANGUAGES.join(' and ')}`, async (t) => {
      await Promise.all(LANGUAGES.map((lang) => visitAll(t, viewport, lang)))
    })
  }

  t.test('the plain frames are as tall as their widgets, with little to spare', async (t) => {
    for (const [widget, height] of Object.entries(heights)) {
      t.ok(WIDGET_HEIGHTS[widget as keyof typeof WIDGET_HEIGHTS] - height <= 40, `${widget}: ${WIDGET_HEIGHTS[widget as keyof typeof WIDGET_HEIGHTS]} px for ${height} px`)
    }
  })
})
