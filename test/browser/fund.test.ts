/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, hence the DOM types.
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { screenshotsDir, seriousViolations, withSite } from '../helpers/browser.js'
import { PASSWORD } from '../helpers/dashboard.js'
import { organiser } from '../helpers/fixtures.js'
import { phonePhoto } from '../fund/fixtures.js'

// A supporter on a phone reports a contribution to the demo fund with a photo of the receipt; the
// organiser verifies it in the dashboard; the public account and the counter another site embeds show it.
t.setTimeout(600_000)

const SLUG = 'fondo-solidario-tomas-ferreyra'

await withSite(t, {}, async (s) => {
  const owner = await organiser(s.app, 'admin', PASSWORD)
  const raised = async (): Promise<number> =>
    ((await (await fetch(`${s.origin}/api/appeals/${SLUG}/fund`)).json()) as { account: { raisedConverted: number } }).account.raisedConverted
  const before = await raised()
  const photoPath = join(tmpdir(), `fund-receipt-${process.pid}.jpg`)
  writeFileSync(photoPath, await phonePhoto())

  // The union's own site, on another origin, with the fund counter's snippet.
  const host: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="es"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Sindicato</title></head><body><h1>Nuestro sindicato con Tomás</h1>
<script async src="${s.origin}/embed.js" data-appeal="${SLUG}" data-widget="fund" data-lang="es"></script></body></html>`)
  })
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { host.close() })
  const hostOrigin = `http://localhost:${(host.address() as { port: number }).port}`

  t.test('a supporter on a phone reports a contribution with a photo of the receipt', async (t) => {
    const context = await s.context({ locale: 'es-AR', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(`${s.origin}/appeals/${SLUG}`)
    t.ok(await page.isVisible('#fund'), 'the appeal page has the fund')
    await page.click('#fund summary')
    await page.fill('#fund-amount', '35')
    await page.selectOption('#fund-currency', 'USD')
    await page.fill('#fund-date', new Date().toISOString().slice(0, 10))
    await page.check('#fund-way-giro')
    await page.fill('#fund-reference', 'MTCN 902-114-7781')
    await page.setInputFiles('#fund-receipt', photoPath)
    await page.fill('#fund-name', 'Rosa Villalba')
    await page.selectOption('#fund-country', 'UY')
    await page.fill('#fund-message', '¡Desde Montevideo, fuerza Tomás!')
    await page.fill('#fund-email', 'rosa.villalba@example.org')
    t.same(await seriousViolations(page), [], 'the form: no serious accessibility problem')
    t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'nothing is wider than the phone')
    await page.locator('#fund').screenshot({ path: join(screenshotsDir, 'fund-report-phone.png') })
    await Promise.all([page.waitForURL(/\/fund\/thanks/), page.click('#fund-form button[type="submit"]')])
    t.match(await page.textContent('h1'), 'Gracias por tu solidaridad')
    t.equal(await raised(), before, 'a report does not count before it is verified')
    t.same(errors, [])
  })

  t.test('the organiser verifies it in the dashboard, with the receipt inline', async (t) => {
    const context = await s.context({ locale: 'es-ES', viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${s.origin}/admin/sign-in`)
    await page.fill('#field-email', owner.email)
    await page.fill('#field-password', PASSWORD)
    await Promise.all([page.waitForLoadState(), page.click('form[action="/admin/sign-in"] button')])
    await page.goto(`${s.origin}/admin/appeals/${SLUG}/fund`)
    const row = page.locator('tr', { hasText: 'rosa.villalba@example.org' })
    t.equal(await row.count(), 1, 'the report is in the queue')
    t.match(await row.textContent(), 'MTCN 902-114-7781', 'with its reference')
    t.ok(await row.locator('img.receipt-thumb').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'and the photo of its receipt, shown inline')
    t.same(await seriousViolations(page), [], 'the queue: no serious accessibility problem')
    await page.screenshot({ path: join(screenshotsDir, 'fund-dashboard-queue.png'), fullPage: true })
    await Promise.all([page.waitForLoadState(), row.locator('form[action$="/verify"] button').click()])
    t.match(await page.textContent('body'), 'Comprobado.')
    t.equal(await raised(), before + 3220, '35 USD at 0.92: 32.20 EUR more')
  })

  t.test('the public account and the embedded counter show it', async (t) => {
    const context = await s.context({ locale: 'es-AR', viewport: { width: 360, height: 740 }, isMobile: true })
    const page = await context.newPage()
    await page.goto(`${s.origin}/appeals/${SLUG}/fund`)
    const body = await page.textContent('main') ?? ''
    t.match(body, 'Rosa Villalba')
    t.match(body, '¡Desde Montevideo, fuerza Tomás!')
    t.notMatch(body, 'MTCN', 'never the reference')
    t.equal(Number(await page.getAttribute('#fund-raised', 'value')), before + 3220)
    t.same(await seriousViolations(page), [], 'the account: no serious accessibility problem')
    await page.screenshot({ path: join(screenshotsDir, 'fund-account-phone.png'), fullPage: true })

    await page.goto(`${hostOrigin}/`)
    const find = () => page.frames().find((f) => f.url().includes(`/embed/${SLUG}/fund`))
    const deadline = Date.now() + 20_000
    while (find() === undefined && Date.now() < deadline) await page.waitForTimeout(100)
    const frame = find()
    t.ok(frame, 'embed.js frames the fund counter')
    await frame!.waitForSelector('#fund-raised')
    t.equal(Number(await frame!.getAttribute('#fund-raised', 'value')), before + 3220, 'the embedded counter shows it')
    await page.screenshot({ path: join(screenshotsDir, 'fund-embedded-counter.png'), fullPage: true })
  })
})
