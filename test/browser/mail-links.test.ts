import { join } from 'node:path'
import t from 'tap'
import { screenshotsDir, seriousViolations, withSite } from '../helpers/browser.js'
import { organiser } from '../helpers/fixtures.js'
import { linkIn, mailsTo } from '../helpers/mail.js'

// A signer's way from the form through the mail: signs without JavaScript, follows the link from the
// mail, confirms with the page's button, and later removes the signature with the link in the mail.
// The pages work without JavaScript and pass the accessibility check, in English and in Arabic.
t.setTimeout(300_000)

await withSite(t, { STATS_TTL_MS: '0' }, async (s) => {
  const owner = await organiser(s.app)
  const created = await s.app.inject({
    method: 'POST', url: '/api/admin/appeals', headers: owner.auth,
    payload: { slug: 'confirm-in-browser', originalLanguage: 'en', text: { title: 'Free the detained union leaders' } }
  })
  if (created.statusCode !== 201) throw new Error(created.body)
  await s.app.inject({ method: 'POST', url: '/api/admin/appeals/confirm-in-browser/open', headers: owner.auth })

  for (const lang of ['en', 'ar']) {
    t.test(`sign, confirm from the mail, then remove, with JavaScript off [${lang}]`, async (t) => {
      const context = await s.context({ javaScriptEnabled: false, locale: lang })
      const page = await context.newPage()
      // axe-core runs as a script: the same addresses are checked in a second browser, with JavaScript on
      // (opening them changes nothing).
      const checker = await (await s.context({ locale: lang })).newPage()
      const axeOn = async (url: string) => { await checker.goto(url); return seriousViolations(checker) }
      const email = `browser-mail-${lang}-${Date.now()}@example.org`
      await page.goto(`${s.origin}/appeals/confirm-in-browser?lang=${lang}`)
      await page.fill('#field-name', 'Browser Signer')
      await page.fill('#field-email', email)
      await page.selectOption('#field-country', 'KR')
      await Promise.all([page.waitForURL(/\/thanks\?status=pending/), page.click('#signing-form button[type="submit"]')])

      await s.app.services.mail.worker.runOnce()
      const [mail] = mailsTo(s.app, email)
      t.ok(mail, 'the confirmation mail went out')
      const confirm = linkIn(mail!.text, '/confirm/')
      t.equal(confirm.searchParams.get('lang'), lang)

      await page.goto(`${s.origin}${confirm.pathname}${confirm.search}`)
      t.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr')
      t.same(await axeOn(page.url()), [], 'the confirmation page passes axe')
      await page.screenshot({ path: join(screenshotsDir, `confirm-${lang}.png`) })
      const pending = await (await fetch(`${s.origin}/api/appeals/confirm-in-browser/stats`)).json() as { signatures: number }
      await Promise.all([page.waitForURL(/\/thanks\?status=confirmed/), page.click('form[action^="/confirm/"] button')])
      const after = await (await fetch(`${s.origin}/api/appeals/confirm-in-browser/stats`)).json() as { signatures: number }
      t.equal(after.signatures, pending.signatures + 1, 'the button confirms, and the signature counts')

      const remove = linkIn(mail!.text, '/remove/')
      await page.goto(`${s.origin}${remove.pathname}${remove.search}`)
      t.same(await axeOn(page.url()), [], 'the removal page passes axe')
      await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('form[action^="/remove/"] button')])
      await page.waitForLoadState()
      t.match(await page.textContent('h1'), lang === 'en' ? 'Your signature has been removed' : /\S/)
      t.same(await axeOn(page.url()), [], 'and so does what it says afterwards')
      const removed = await (await fetch(`${s.origin}/api/appeals/confirm-in-browser/stats`)).json() as { signatures: number }
      t.equal(removed.signatures, pending.signatures, 'the signature is gone from the count')
      t.same([...context.hosts].filter((h) => h !== new URL(s.origin).host), [], 'no request left the site')
    })
  }
})
