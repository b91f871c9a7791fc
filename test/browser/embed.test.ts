/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Functions passed to page.evaluate and waitForFunction run in the browser, hence the DOM types.
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import type { Frame, Page } from 'playwright-core'
import t from 'tap'
import { signatures } from '../../src/db/schema.js'
import { screenshotsDir, seriousViolations, withSite } from '../helpers/browser.js'
import { byEmail } from '../helpers/fixtures.js'

// Another website embeds an appeal's map, counter and signing form with embed.js: a host page served from
// a second local server (another origin, another site), in a real browser, against the real server.
t.setTimeout(600_000)

const SLUG = 'hands-off-venezuela'

await withSite(t, {}, async (s) => {
  // The demo appeal asks signers to confirm by mail, as new appeals do (mail-links.test.ts follows that
  // path through the mail); here a signature counts at once, so the counters can be watched going up.
  await s.app.services.appeals.update(await s.app.services.appeals.getPublic(SLUG), { requireConfirmation: false })
  const solidaria = new URL(s.origin)

  /** The campaign site: one page with the three snippets, as an organiser would paste them. */
  function hostPage (widgets: string): string {
    return `<!doctype html>
  <html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Our union stands with Venezuelan workers</title>
  <style>body { font-family: sans-serif; max-width: 44rem; margin: 1rem auto; }</style></head>
  <body><h1>Our union stands with Venezuelan workers</h1>
  ${widgets}
  <p>End of the host page.</p></body></html>`
  }

  const snippets = {
    map: `<h2>Map</h2><script async src="${s.origin}/embed.js" data-appeal="${SLUG}" data-widget="map" data-lang="es"></script>`,
    counter: `<h2>Counter</h2><script async src="${s.origin}/embed.js" data-appeal="${SLUG}" data-widget="counter" data-lang="en" data-accent="0a6e4f"></script>`,
    sign: `<h2>Sign</h2><div data-solidaria-appeal="${SLUG}" data-widget="sign" data-lang="en"></div>`
  }

  let page = hostPage(Object.values(snippets).join('\n'))
  const host: Server = createServer((request, response) => {
    if (request.url !== '/') {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page)
  })
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { host.close() })
  // "localhost" rather than 127.0.0.1: a different site from the app, so the frames are third-party ones.
  const hostOrigin = `http://localhost:${(host.address() as { port: number }).port}`

  function frameOf (p: Page, widget: string): Frame {
    const frame = p.frames().find((f) => new URL(f.url(), 'http://x').pathname === `/embed/${SLUG}/${widget}`)
    if (frame === undefined) throw new Error(`no ${widget} frame among ${p.frames().map((f) => f.url()).join(', ')}`)
    return frame
  }

  async function waitForFrame (p: Page, widget: string): Promise<Frame> {
    const deadline = Date.now() + 20_000
    for (;;) {
      try { return frameOf(p, widget) } catch (err) { if (Date.now() > deadline) throw err }
      await p.waitForTimeout(100)
    }
  }

  /** The iframe element's height on the host page, and its content's height inside. */
  async function sizes (p: Page, widget: string): Promise<{ outer: number, content: number, scrolls: boolean }> {
    const frame = frameOf(p, widget)
    const outer = await p.evaluate((path) => document.querySelector<HTMLIFrameElement>(`iframe[src*="${path}"]`)?.getBoundingClientRect().height ?? -1, `/embed/${SLUG}/${widget}`)
    const inner = await frame.evaluate(() => ({
      content: document.body.getBoundingClientRect().height,
      scrolls: document.documentElement.scrollHeight > window.innerHeight + 1
    }))
    return { outer, ...inner }
  }

  async function fitted (p: Page, widget: string): Promise<boolean> {
    const { outer, content, scrolls } = await sizes(p, widget)
    return !scrolls && Math.abs(outer - Math.ceil(content)) <= 1
  }

  async function waitUntil (p: Page, what: () => Promise<boolean>, timeout = 20_000): Promise<boolean> {
    const deadline = Date.now() + timeout
    while (Date.now() < deadline) {
      if (await what()) return true
      await p.waitForTimeout(200)
    }
    return what()
  }

  t.test('a campaign site embeds the map, the counter and the signing form with embed.js', async (t) => {
    const context = await s.context({ locale: 'en-GB', viewport: { width: 900, height: 900 } })
    const solidariaResponses: Array<{ url: string, cookie: string | undefined }> = []
    context.on('response', (response) => {
      if (new URL(response.url()).origin === s.origin) solidariaResponses.push({ url: response.url(), cookie: response.headers()['set-cookie'] })
    })
    const p = await context.newPage()
    const problems: string[] = []
    p.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`) })
    p.on('pageerror', (error) => { problems.push(`page error: ${error.message}`) })
    await p.goto(`${hostOrigin}/`)

    const map = await waitForFrame(p, 'map')
    const counterFrame = await waitForFrame(p, 'counter')
    const sign = await waitForFrame(p, 'sign')
    t.equal(await p.locator('iframe').count(), 3, 'three frames, one per snippet')
    t.ok(await p.evaluate(() => {
      const [mapHeading, counterHeading] = [...document.querySelectorAll('h2')]
      return mapHeading?.nextElementSibling?.nextElementSibling?.tagName === 'IFRAME' && counterHeading?.nextElementSibling?.nextElementSibling?.tagName === 'IFRAME'
    }), 'each frame stands right where its snippet does')

    // The map draws the countries that have signed.
    const stats = await (await fetch(`${s.origin}/api/appeals/${SLUG}/stats`)).json() as { signatures: number, byCountry: Record<string, number> }
    await map.waitForSelector('#map path[data-country="VE"]', { state: 'attached', timeout: 20_000 })
    const shaded = await map.evaluate(() => [...document.querySelectorAll<SVGPathElement>('#map path[data-country]')]
      .filter((path) => path.getAttribute('fill') !== '#e9e6e1').map((path) => path.dataset.country))
    t.ok(Object.keys(stats.byCountry).filter((c) => shaded.includes(c)).length >= 40, `the map shades the countries with signatures (${shaded.length} shaded)`)
    t.equal(await map.getAttribute('html', 'lang'), 'es', 'in the language the snippet asked for')

    // The counter shows the count.
    const shown = Number(await counterFrame.getAttribute('#signature-count', 'value'))
    t.equal(shown, stats.signatures, 'the counter shows the count')
    t.match(await counterFrame.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent')), '#0a6e4f', 'in the snippet\'s accent colour')

    // Every frame is sized to its content: no inner scroll bar, no empty space.
    for (const widget of ['map', 'counter', 'sign']) {
      t.ok(await waitUntil(p, () => fitted(p, widget)), `${widget}: the frame fits its content (${JSON.stringify(await sizes(p, widget))})`)
    }
    t.match(await p.getAttribute('iframe[src*="/sign"]', 'title') ?? '', 'Hands off Venezuela', 'the frame takes the widget\'s own title, for screen readers')

    // Forged messages change nothing: from the host page itself (another origin), and malformed ones from
    // the real frame.
    const before = await sizes(p, 'sign')
    await p.evaluate(() => { window.postMessage({ type: 'solidaria:resize', height: 5, title: 'forged' }, '*') })
    await sign.evaluate(() => {
      for (const data of [{ type: 'solidaria:resize', height: '5', title: '' }, { type: 'solidaria:resize', height: 5, title: '', extra: true }, 'solidaria:resize', { type: 'solidaria:resize', height: 99_999, title: '' }]) window.parent.postMessage(data, '*')
    })
    await p.waitForTimeout(500)
    t.same(await sizes(p, 'sign'), before, 'forged or malformed messages are ignored')
    t.notMatch(await p.getAttribute('iframe[src*="/sign"]', 'title') ?? '', 'forged')
    // The same channel does work for the frame's real message (so the test above can fail).
    await sign.evaluate(() => { window.parent.postMessage({ type: 'solidaria:resize', height: 123, title: document.title }, '*') })
    t.ok(await waitUntil(p, async () => (await sizes(p, 'sign')).outer === 123, 5000), 'a well-formed message from the frame is obeyed')
    await sign.evaluate(() => { window.parent.postMessage({ type: 'solidaria:resize', height: Math.ceil(document.body.getBoundingClientRect().height), title: document.title }, '*') })

    // A signature made in the embedded form raises the embedded counter.
    const email = `embed-${process.pid}-${Date.now()}@example.org`
    await sign.fill('#field-name', 'Embedded Signer')
    await sign.fill('#field-email', email)
    await sign.selectOption('#field-country', 'CL')
    await sign.click('#signing-form button[type="submit"]')
    await sign.waitForSelector('#thanks', { timeout: 20_000 })
    t.match(await sign.textContent('#thanks'), 'Thank you for signing', 'the thanks shows inside the frame')
    t.ok(await waitUntil(p, async () => Number(await counterFrame.getAttribute('#signature-count', 'value')) === stats.signatures + 1, 30_000),
      'the counter on the host page goes up by one')
    t.ok(await waitUntil(p, () => fitted(p, 'sign')), 'the signing frame shrinks to the thanks')

    const [row] = await s.app.db.select().from(signatures).where(byEmail(s.app, email))
    t.equal(row?.source, 'embed', 'the signature is recorded as made in a widget')
    t.equal(row?.embedOrigin, hostOrigin, 'on the host page\'s origin')

    // A full-page screenshot leaves other-origin frames blank in headless Chromium; each frame is taken alone.
    for (const [i, widget] of ['map', 'counter', 'sign'].entries()) await p.locator('iframe').nth(i).screenshot({ path: join(screenshotsDir, `embed-host-${widget}.png`) })
    t.same(problems, [], 'no console errors, in the page or its frames')
    t.same([...context.hosts].sort(), [solidaria.host, new URL(hostOrigin).host].sort(), 'no request left for any host but the two local ones')
    t.same(solidariaResponses.filter((r) => r.cookie !== undefined), [], 'no answer from Solidaria set a cookie: widgets need none')
    t.equal(await counterFrame.evaluate(() => document.cookie), '', 'and the frames hold none')
  })

  t.test('a site not on the appeal\'s list cannot frame its signing form; the map and counter still show', async (t) => {
    const appeal = await s.app.services.appeals.getPublic(SLUG)
    await s.app.services.appeals.update(appeal, { embedOrigins: ['https://union.example.org'] })
    t.teardown(async () => { await s.app.services.appeals.update(await s.app.services.appeals.getPublic(SLUG), { embedOrigins: [] }) })
    const context = await s.context()
    const p = await context.newPage()
    const blocked: string[] = []
    p.on('console', (message) => { if (/frame-ancestors/.test(message.text())) blocked.push(message.text()) })
    await p.goto(`${hostOrigin}/`)
    const counterFrame = await waitForFrame(p, 'counter')
    await counterFrame.waitForSelector('#signature-count')
    t.ok(await waitUntil(p, async () => blocked.length > 0, 10_000), 'the browser refuses to show the signing form, citing frame-ancestors')
    // The refused frame stays on the host page but holds the browser's own error document, not ours.
    const signIframe = await p.waitForSelector(`iframe[src*="/embed/${SLUG}/sign"]`, { state: 'attached' })
    const signFrame = await signIframe.contentFrame()
    t.ok(signFrame, 'the frame embed.js made is there')
    t.not(signFrame === null ? '' : new URL(signFrame.url(), 'http://x').pathname, `/embed/${SLUG}/sign`, 'but the form\'s page did not load in it')
    t.equal(await signFrame?.evaluate(() => document.querySelector('#signing-form') !== null), false, 'and no signing form is shown in it')
    t.ok(await counterFrame.$('#signature-count'), 'the counter still shows')

    await s.app.services.appeals.update(await s.app.services.appeals.getPublic(SLUG), { embedOrigins: ['https://union.example.org', hostOrigin] })
    const allowed = await context.newPage()
    await allowed.goto(`${hostOrigin}/`)
    const sign = await waitForFrame(allowed, 'sign')
    await sign.waitForSelector('#signing-form', { timeout: 20_000 })
    t.pass('once the site is on the list, the form shows')
  })

  t.test('the widgets pass an accessibility check, light and dark', async (t) => {
    const context = await s.context({ viewport: { width: 480, height: 900 } })
    const p = await context.newPage()
    for (const widget of ['map', 'counter', 'sign']) {
      for (const query of ['lang=en', 'lang=ar&theme=dark&accent=f0c040']) {
        await p.goto(`${s.origin}/embed/${SLUG}/${widget}?${query}`)
        if (widget === 'map') await p.waitForSelector('#map path[data-country]', { state: 'attached' })
        t.same(await seriousViolations(p), [], `${widget} ${query}: no serious or critical violations`)
        await p.screenshot({ path: join(screenshotsDir, `embed-${widget}-${query.includes('dark') ? 'dark' : 'light'}.png`), fullPage: true })
      }
    }
    t.same([...context.hosts], [solidaria.host], 'no request left the app\'s host')
  })

  t.test('the signing widget works without JavaScript, inside its frame', async (t) => {
    page = hostPage(`<iframe src="${s.origin}/embed/${SLUG}/sign?lang=en" title="Sign" width="100%" height="1200" referrerpolicy="origin"></iframe>`)
    t.teardown(() => { page = hostPage(Object.values(snippets).join('\n')) })
    const context = await s.context({ javaScriptEnabled: false })
    const p = await context.newPage()
    await p.goto(`${hostOrigin}/`)
    const sign = await waitForFrame(p, 'sign')
    await sign.waitForSelector('#signing-form')
    await sign.fill('#field-name', 'No Script')
    await sign.click('#signing-form button[type="submit"]')
    await sign.waitForSelector('#form-errors:not([hidden])')
    t.match(await sign.textContent('#form-errors'), 'Please correct', 'errors come back in the frame')
    const email = `noscript-${process.pid}-${Date.now()}@example.org`
    await sign.fill('#field-email', email)
    await sign.selectOption('#field-country', 'UY')
    await sign.click('#signing-form button[type="submit"]')
    const thanks = await waitForFrame(p, 'thanks')
    await thanks.waitForSelector('#thanks')
    t.match(await thanks.textContent('#thanks'), 'Thank you for signing', 'and the thanks')
    const [row] = await s.app.db.select().from(signatures).where(byEmail(s.app, email))
    t.equal(row?.embedOrigin, hostOrigin, 'the host\'s origin is recorded through the form\'s own requests too')
  })
})
