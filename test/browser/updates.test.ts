import { join } from 'node:path'
import t from 'tap'
import { screenshotsDir, seriousViolations, withSite } from '../helpers/browser.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'
import { smtpServer } from '../helpers/mail.js'

// An organiser writes an update in two languages in a real browser, previews it, tries it on
// themselves and sends it; the mails arrive at a real SMTP server, each in its reader's language.
t.setTimeout(300_000)

const smtp = await smtpServer(t)
await withSite(t, { SMTP_URL: smtp.url, PUBLIC_URL: 'https://solidaria.example.org', RATE_LIMIT_SIGN_MAX: '1000' }, async (s) => {
  const owner = await organiser(s.app)
  const slug = await appeal(s.app, owner)
  // Asserted inside the first subtest: an assertion on the file's own test between two awaits leaves it
  // idle, and tap ends it by itself (a teardown is registered) if the next await takes a few ticks.
  const signed: number[] = []
  for (const body of [
    person({ email: 'lucia@example.org', contact: true, locale: 'es', name: 'Lucía' }),
    person({ email: 'tom@example.org', contact: true, locale: 'en', name: 'Tom' }),
    person({ email: 'quiet@example.org', contact: false, locale: 'en' })
  ]) signed.push((await sign(s.app, slug, body)).statusCode)
  const to = (i: number): string => { const m = smtp.messages[i]; return m?.to !== undefined && 'text' in m.to ? m.to.text : '' }

  t.test('writing, previewing, testing and sending an update', async (t) => {
    t.same(signed, [201, 201, 201], 'the three signed')
    const context = await s.context({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${s.origin}/admin/sign-in`)
    await page.fill('#field-email', owner.email)
    await page.fill('#field-password', 'correct horse battery')
    await Promise.all([page.waitForURL(`${s.origin}/admin`), page.click('form[action="/admin/sign-in"] button')])

    await page.goto(`${s.origin}/admin/appeals/${slug}`)
    await Promise.all([page.waitForURL(/\/updates$/), page.click('nav.appeal-nav a[href$="/updates"]')])
    t.match(await page.textContent('h1'), 'Updates to signers')
    await page.fill('#field-subject_en', 'The hearing is on Friday')
    await page.fill('#field-body_en', 'Come to the **hearing** at the court.\n\n- Bring a friend\n- Share the appeal')
    await page.fill('#field-subject_es', 'La audiencia es el viernes')
    await page.fill('#field-body_es', 'Ven a la **audiencia** en el tribunal.\n\n- Trae a alguien\n- Comparte el llamamiento')
    await Promise.all([page.waitForURL(/\/updates\/[0-9a-f-]+\?done=saved$/), page.click('form.update-form button[type="submit"]')])
    t.match(await page.textContent('.update-status'), 'Draft')
    t.match(await page.textContent('.update-audience'), 'It would reach 2 people now.')
    t.same(await seriousViolations(page), [], 'the editor: no serious accessibility problem')
    await page.screenshot({ path: join(screenshotsDir, 'updates-editor.png'), fullPage: true })
    const updatePage = page.url().split('?')[0]!

    await Promise.all([page.waitForURL(/preview\?language=es$/), page.click('a[href$="preview?language=es"]')])
    t.match(await page.textContent('.mail-subject'), 'La audiencia es el viernes')
    t.equal(await page.textContent('.mail-body strong'), 'audiencia', 'the Markdown rendered')
    await page.goto(updatePage)

    await Promise.all([page.waitForURL(/done=testSent$/), page.click('form[action$="/test"] button')])
    const [test] = await smtp.received(1)
    t.equal(to(0), owner.email, 'the test goes to the organiser')
    t.match(test?.subject, /^\[Test\] The hearing is on Friday$/)

    await Promise.all([page.waitForURL(/done=sent$/), page.click('form[action$="/send"].inline-form button')])
    t.equal(await s.app.services.updates.queueDue(), 2)
    await s.app.services.mail.worker.runOnce()
    await smtp.received(3)
    const byAddress = new Map(smtp.messages.slice(1).map((m, i) => [to(i + 1), m]))
    t.same([...byAddress.keys()].sort(), ['lucia@example.org', 'tom@example.org'], 'the two who agreed to be contacted, nobody else')
    t.equal(byAddress.get('lucia@example.org')?.subject, 'La audiencia es el viernes')
    t.equal(byAddress.get('tom@example.org')?.subject, 'The hearing is on Friday')
    await page.reload()
    t.match(await page.textContent('.update-status'), 'Sent')
    t.equal(await page.textContent('[data-count="sent"]'), '2')

    const mailPage = await context.newPage()
    await mailPage.setContent(String(byAddress.get('lucia@example.org')?.html))
    t.equal(await mailPage.textContent('strong'), 'audiencia')
    t.equal(await mailPage.locator('li').count(), 2, 'the list kept its lines')
    await mailPage.screenshot({ path: join(screenshotsDir, 'updates-mail-es.png'), fullPage: true })
  })
})
