/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, hence the DOM types.
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { screenshotsDir, seriousViolations, withSite } from '../helpers/browser.js'
import { linkIn, mailsTo } from '../helpers/mail.js'

// An organiser's day in a real browser against the real server: sign in, create an appeal in English
// and Spanish, open it, watch a signature arrive from the public page, hide it, export, import a sheet
// of paper signatures, and add an event that then shows on the public map.
t.setTimeout(600_000)

await withSite(t, { STATS_TTL_MS: '0' }, async (s) => {
  const password = 'a long enough password'
  await s.app.services.organisers.create({ email: 'organiser@example.org', name: 'Carmen', password, role: 'admin' })
  const SLUG = 'free-the-strikers'
  const signerEmail = `signer-${Date.now()}@example.org`

  const stats = async (): Promise<number> => ((await (await fetch(`${s.origin}/api/appeals/${SLUG}/stats`)).json()) as { signatures: number }).signatures

  async function accessible (t: Test, page: Page, what: string): Promise<void> {
    t.same(await seriousViolations(page), [], `${what}: no serious or critical accessibility problem`)
  }

  t.test('an organiser runs an appeal from the dashboard', async (t) => {
    const context = await s.context({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))

    // Signing in.
    await page.goto(`${s.origin}/admin`)
    t.match(page.url(), /\/admin\/sign-in\?next=%2Fadmin$/, 'the dashboard asks to sign in first')
    await accessible(t, page, 'sign-in')
    await page.fill('#field-email', 'organiser@example.org')
    await page.fill('#field-password', 'wrong password here')
    await Promise.all([page.waitForLoadState(), page.click('form[action="/admin/sign-in"] button')])
    t.match(await page.textContent('.form-errors'), 'The email address or the password is wrong.')
    await page.fill('#field-password', password)
    await Promise.all([page.waitForURL(`${s.origin}/admin`), page.click('form[action="/admin/sign-in"] button')])
    t.match(await page.textContent('h1'), 'Appeals')

    // A new appeal, in English, then its Spanish translation beside the original.
    await page.click('a[href="/admin/appeals/new"]')
    await page.fill('#field-slug', SLUG)
    await page.selectOption('#field-originalLanguage', 'en')
    await page.fill('#field-title', 'Free the striking oil workers')
    await page.fill('#field-summary', 'Eleven union delegates were arrested for striking.')
    await page.fill('#field-body', 'The workers of the refinery struck for their **wages**.\n\nWe demand their release.')
    await page.fill('#field-demandsText', 'Release the eleven delegates\nRespect the right to strike')
    await page.fill('#field-goal', '1000')
    await Promise.all([page.waitForURL(/\/admin\/appeals\/free-the-strikers\?notice=created/), page.click('form[action="/admin/appeals/new"] button[type="submit"]')])
    t.match(await page.textContent('main'), 'The appeal was created as a draft')
    await page.click(`a[href="/admin/appeals/${SLUG}/texts/es"]`)
    t.match(await page.textContent('.side-by-side'), 'Free the striking oil workers', 'the original is beside the translation')
    await page.fill('#field-title', 'Liberen a los obreros petroleros en huelga')
    await page.fill('#field-summary', 'Once delegados sindicales fueron detenidos por hacer huelga.')
    await page.fill('#field-body', 'Los trabajadores de la refinería hicieron huelga por sus **salarios**.')
    await page.fill('#field-demandsText', 'Liberen a los once delegados\nRespeten el derecho de huelga')
    await Promise.all([page.waitForLoadState(), page.click('button[value="preview"]')])
    t.match(await page.innerHTML('.preview'), '<strong>salarios</strong>', 'the Markdown preview')
    await accessible(t, page, 'the text editor')
    await page.screenshot({ path: join(screenshotsDir, 'dashboard-editor.png'), fullPage: true })
    await Promise.all([page.waitForURL(/notice=textSaved/), page.click('button[value="save"]')])
    await Promise.all([page.waitForURL(/notice=opened/), page.click(`form[action="/admin/appeals/${SLUG}/status"] button`)])
    t.match(await page.textContent('.status'), 'Open')

    // A supporter signs on the public page, in another browser, and confirms from the mail.
    const publicPage = await (await s.context({ locale: 'es-VE' })).newPage()
    await publicPage.goto(`${s.origin}/appeals/${SLUG}?lang=es`)
    t.match(await publicPage.textContent('h1'), 'Liberen a los obreros petroleros en huelga', 'the Spanish text is public')
    await publicPage.fill('#field-name', 'Rosa Delgado')
    await publicPage.fill('#field-email', signerEmail)
    await publicPage.selectOption('#field-country', 'VE')
    await publicPage.check('#field-public')
    await publicPage.click('#signing-form button[type="submit"]')
    await publicPage.waitForSelector('#thanks')
    await s.app.services.mail.worker.runOnce()
    const [mail] = mailsTo(s.app, signerEmail)
    const confirm = linkIn(mail!.text, '/confirm/')
    await publicPage.goto(`${s.origin}${confirm.pathname}${confirm.search}`)
    await Promise.all([publicPage.waitForURL(/thanks\?status=confirmed/), publicPage.click('form[action^="/confirm/"] button')])
    t.equal(await stats(), 1, 'the signature counts')

    // Found in the table, and hidden as spam: the count drops.
    await page.goto(`${s.origin}/admin`)
    t.match(await page.textContent('.admin-table'), '/free-the-strikers')
    await page.screenshot({ path: join(screenshotsDir, 'dashboard-appeals.png'), fullPage: true })
    await accessible(t, page, 'the list of appeals')
    await page.goto(`${s.origin}/admin/appeals/${SLUG}/signatures`)
    await page.fill('#filter-q', signerEmail)
    await Promise.all([page.waitForLoadState(), page.click('form.filters button[type="submit"]')])
    const row = page.locator('.signatures-table tbody tr', { hasText: 'Rosa Delgado' })
    t.equal(await row.count(), 1, 'found by its email')
    t.match(await row.textContent(), signerEmail)
    await page.screenshot({ path: join(screenshotsDir, 'dashboard-signatures.png'), fullPage: true })
    await accessible(t, page, 'the signatures table')
    await Promise.all([page.waitForURL(/notice=hidden/), row.locator('button', { hasText: 'Hide as spam' }).click()])
    t.equal(await stats(), 0, 'hidden: the count drops')
    await Promise.all([page.waitForURL(/notice=shown/), page.locator('.signatures-table tbody tr', { hasText: 'Rosa Delgado' }).locator('button', { hasText: 'Show again' }).click()])
    t.equal(await stats(), 1, 'and undone')

    // The export, as the page links it, downloads with the session.
    const exportLink = await page.getAttribute('a[href*="export.csv"]', 'href')
    const csv = await (await page.request.get(`${s.origin}${exportLink?.replace(/&#61;/g, '=').replace(/&amp;/g, '&') ?? ''}`)).text()
    t.match(csv, /^\uFEFFid,kind,status,hidden,name,email,/, 'a CSV with its header')
    t.match(csv, new RegExp(`Rosa Delgado,${signerEmail.replace(/[.]/g, '\\.')},VE`), 'and the signature, email included')

    // A sheet of paper signatures with one bad row (a broken address: on paper the email is optional, a wrong one is not) and one duplicate.
    await page.goto(`${s.origin}/admin/appeals/${SLUG}/import`)
    await page.setInputFiles('#field-file', {
      name: 'assembly.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(['Name,Email,Country,City', 'Luis Mora,luis@example.org,Venezuela,Maracaibo', 'Bad Email,not-an-address,VE,', `Rosa Again,${signerEmail},VE,`, 'Teresa Ruiz,teresa@example.org,Colombia,Bogotá'].join('\n'))
    })
    await Promise.all([page.waitForLoadState(), page.click('form[enctype="multipart/form-data"] button[type="submit"]')])
    t.match(await page.textContent('main'), '2 rows will be imported')
    await accessible(t, page, 'the column mapping')
    await Promise.all([page.waitForLoadState(), page.click('button[value="import"]')])
    const report = await page.textContent('main') ?? ''
    t.match(report, '2 signatures were imported')
    t.match(report, /Line 3: Email address: \S/, 'the bad row reported by line')
    t.match(report, `Line 4: ${signerEmail} signed already.`, 'the duplicate reported by line')
    t.equal(await stats(), 3)

    // An event placed on the small map, then on the public map.
    await page.goto(`${s.origin}/admin/appeals/${SLUG}/events`)
    await page.fill('#field-title', 'Picket at the refinery gate')
    await page.fill('#field-startsAt', '2026-12-10T07:00')
    await page.fill('#field-city', 'Puerto La Cruz')
    await page.selectOption('#field-country', 'VE')
    const picker = page.locator('[data-map-picker]')
    await picker.waitFor({ state: 'visible' })
    await page.waitForFunction(() => document.querySelectorAll('[data-map-picker] path.leaflet-interactive').length > 50)
    const box = await picker.boundingBox()
    await picker.click({ position: { x: box!.width * 0.3, y: box!.height * 0.55 } })
    t.not(await page.inputValue('#field-latitude'), '', 'a click on the map fills in the latitude')
    t.not(await page.inputValue('#field-longitude'), '', 'and the longitude')
    await accessible(t, page, 'the events page')
    await page.fill('#field-latitude', '10.2167')
    await page.fill('#field-longitude', '-64.6333')
    await Promise.all([page.waitForURL(/notice=eventAdded/), page.click('form.event-form button[type="submit"]')])
    t.match(await page.textContent('.admin-table'), 'Picket at the refinery gate')
    await publicPage.goto(`${s.origin}/appeals/${SLUG}`)
    await publicPage.waitForSelector('#map .event-marker', { timeout: 20_000 })
    t.equal(await publicPage.locator('#map .event-marker').count(), 1, 'the event is on the public map')

    t.same(errors, [], 'no script error on any page')
    t.same([...context.hosts].filter((h) => h !== new URL(s.origin).host), [], 'no request left the site')
  })

  t.test('the dashboard on a phone, in Arabic', async (t) => {
    const context = await s.context({ locale: 'ar', viewport: { width: 390, height: 844 }, isMobile: true })
    const page = await context.newPage()
    await page.goto(`${s.origin}/admin/sign-in?lang=ar`)
    t.equal(await page.getAttribute('html', 'dir'), 'rtl')
    await page.fill('#field-email', 'organiser@example.org')
    await page.fill('#field-password', password)
    await Promise.all([page.waitForURL(`${s.origin}/admin`), page.click('form[action="/admin/sign-in"] button')])
    await accessible(t, page, 'the list of appeals in Arabic')
    await page.goto(`${s.origin}/admin/appeals/${SLUG}/signatures`)
    await accessible(t, page, 'the signatures table in Arabic')
    await page.screenshot({ path: join(screenshotsDir, 'dashboard-signatures-ar-phone.png'), fullPage: true })
  })
})
