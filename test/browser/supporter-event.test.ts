/// <reference lib="dom" />
import { join } from 'node:path'
import t from 'tap'
import { screenshotsDir, seriousViolations, withSite } from '../helpers/browser.js'
import { mailsTo } from '../helpers/mail.js'

// On a phone, a supporter adds the solidarity event they organise, typing its town and never touching a
// map; an organiser approves it in the dashboard; it appears on the public map as a marker.
t.setTimeout(300_000)

await withSite(t, { STATS_TTL_MS: '0' }, async (s) => {
  const [demo] = await s.app.services.appeals.listOpen()
  const slug = demo!.slug
  await s.app.services.organisers.create({ email: 'coordinator@example.org', name: 'Coordinator', password: 'a long enough password', role: 'admin' })

  t.test('a supporter adds an event on a phone, an organiser approves it, and it is on the map', async (t) => {
    const phone = await s.context({ locale: 'es-AR', timezoneId: 'America/Argentina/Cordoba', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })
    const page = await phone.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))

    await page.goto(`${s.origin}/appeals/${slug}?lang=es`)
    await page.waitForSelector('#map path[data-country]', { state: 'attached' })
    const before = await page.locator('#map .event-marker').count()

    await page.click(`a[href="/appeals/${slug}/events/new"]`)
    await page.waitForSelector('#field-title')
    t.equal(await page.locator('[data-map-picker], .leaflet-container').count(), 0, 'no map on the form')
    const zone = await page.inputValue('#field-timeZone')
    t.equal(new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone, new Intl.DateTimeFormat('en', { timeZone: 'America/Argentina/Cordoba' }).resolvedOptions().timeZone,
      `the time zone starts at the phone's own (${zone})`)
    t.same(await seriousViolations(page), [], 'the form: no serious accessibility problem')
    await page.fill('#field-title', 'Asamblea por Venezuela en Rosario')
    await page.fill('#field-startsAt', '2030-05-01T18:00')
    await page.selectOption('#field-country', 'AR')
    await page.locator('#field-city').pressSequentially('Rosar', { delay: 30 })
    await page.waitForFunction(() => [...document.querySelectorAll('#city-suggestions option')].some((o) => (o as HTMLOptionElement).value === 'Rosario'))
    t.pass('Rosario is suggested while typing, from the server\'s own gazetteer')
    await page.fill('#field-city', 'Rosario')
    await page.fill('#field-organiser', 'CTA Rosario')
    await page.fill('#field-contactEmail', 'cta-rosario@example.org')
    await page.fill('#field-description', 'En el salón del sindicato.')
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    t.ok(width <= 360, `nothing wider than the phone (${width} px)`)
    await page.screenshot({ path: join(screenshotsDir, 'supporter-event-form-es-phone.png'), fullPage: true })
    await Promise.all([page.waitForURL(/events\/new\?sent=1/), page.click('form[data-place-form] button[type="submit"]')])
    t.match(await page.textContent('main'), 'Gracias: hemos recibido tu evento')
    t.equal(mailsTo(s.app, 'cta-rosario@example.org').length, 1, 'the confirmation mail')

    await page.goto(`${s.origin}/appeals/${slug}?lang=es`)
    await page.waitForSelector('#map path[data-country]', { state: 'attached' })
    t.equal(await page.locator('#map .event-marker').count(), before, 'not on the map before approval')

    // The organiser approves it, on a phone too.
    const admin = await (await s.context({ locale: 'en-GB', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })).newPage()
    await admin.goto(`${s.origin}/admin/sign-in`)
    await admin.fill('#field-email', 'coordinator@example.org')
    await admin.fill('#field-password', 'a long enough password')
    await Promise.all([admin.waitForURL(`${s.origin}/admin`), admin.click('form[action="/admin/sign-in"] button')])
    await admin.goto(`${s.origin}/admin/appeals/${slug}/events`)
    const approve = admin.locator('form[action$="/approve"] button', { hasText: 'Approve' })
    t.equal(await approve.count(), 1, 'one event waits')
    await Promise.all([admin.waitForURL(/notice=eventApproved/), approve.click()])
    t.match(await admin.textContent('main'), 'The event was approved')
    t.equal(mailsTo(s.app, 'cta-rosario@example.org').length, 2, 'the approval mail')

    await page.goto(`${s.origin}/appeals/${slug}?lang=es`)
    await page.waitForFunction((n) => document.querySelectorAll('#map .event-marker').length === n + 1, before)
    t.pass('a new marker on the map')
    t.match(await page.textContent('.event-list'), 'Asamblea por Venezuela en Rosario')
    t.match(await page.textContent('.event-list'), /1 de mayo de 2030/, 'in the reader\'s language, at its local time')
    await page.locator('#map').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(screenshotsDir, 'supporter-event-on-map-es-phone.png'), fullPage: true })
    t.same(errors, [], 'no script error')
  })
})
