/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, hence the DOM types.
import { join } from 'node:path'
import { Secret, TOTP } from 'otpauth'
import t from 'tap'
import { screenshotsDir, seriousViolations, withSite } from '../helpers/browser.js'
import { linkIn, mailsTo } from '../helpers/mail.js'

// A campaign's admin brings in a volunteer to fight spam, in a real browser: the admin invites them as a
// moderator, the volunteer chooses a password, sets up two-factor sign-in by typing the key from the
// page into an authenticator (here the test's own TOTP), signs in with a code, hides a spam signature,
// and finds neither emails nor the export.
t.setTimeout(600_000)

const codeFor = (secret: string, steps = 0): string =>
  TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: Date.now() + steps * 30_000 })

await withSite(t, { STATS_TTL_MS: '0' }, async (s) => {
  const password = 'a long enough password'
  await s.app.services.organisers.create({ email: 'admin@example.org', name: 'Carmen', password, role: 'admin' })
  const SLUG = 'hands-off-venezuela'
  const volunteer = 'volunteer@example.org'
  const volunteerPassword = 'ollas comunes de juliaca'
  const spam = await fetch(`${s.origin}/api/appeals/${SLUG}/signatures`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'individual', name: 'Cheap Pills Online', email: `pills-${Date.now()}@spam.example`, country: 'VE', public: true })
  })
  t.equal(spam.status, 201, 'a spam signature arrives')

  t.test('an admin invites a moderator, who enrols TOTP, signs in with a code, hides spam and cannot export', async (t) => {
    const admin = await (await s.context({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })).newPage()
    await admin.goto(`${s.origin}/admin/sign-in`)
    await admin.fill('#field-email', 'admin@example.org')
    await admin.fill('#field-password', password)
    await Promise.all([admin.waitForURL(`${s.origin}/admin`), admin.click('form[action="/admin/sign-in"] button')])
    await admin.goto(`${s.origin}/admin/appeals/${SLUG}/team`)
    await admin.fill('#field-email', volunteer)
    await admin.selectOption('#field-role', 'moderator')
    await Promise.all([admin.waitForURL(/notice=invitationSent/), admin.click(`form[action="/admin/appeals/${SLUG}/team"] button[type="submit"]`)])
    t.match(await admin.textContent('main'), 'The invitation was sent.')
    t.same(await seriousViolations(admin), [], 'team page: no serious accessibility problem')
    await admin.screenshot({ path: join(screenshotsDir, 'accounts-team.png'), fullPage: true })

    const [mail] = mailsTo(s.app, volunteer)
    t.ok(mail, 'the invitation was mailed')
    const link = linkIn(mail?.text ?? '', '/admin/invitation')

    const context = await s.context({ locale: 'en-GB', viewport: { width: 390, height: 844 } })
    const page = await context.newPage()
    await page.goto(`${s.origin}${link.pathname}${link.search}`)
    t.match(await page.textContent('main'), 'as Moderator')
    await page.fill('#field-name', 'Rosa Volunteer')
    await page.fill('#field-password', volunteerPassword)
    await page.screenshot({ path: join(screenshotsDir, 'accounts-invitation.png'), fullPage: true })
    await Promise.all([page.waitForURL(/\/admin\/account/), page.click('form[action="/admin/invitation"] button')])

    // Two-factor enrolment: the QR code is drawn in the page; the key beside it goes into "the app".
    await Promise.all([page.waitForLoadState(), page.click('form[action="/admin/account/two-factor"] button')])
    t.ok(await page.isVisible('.qr-code svg'), 'the QR code shows')
    t.same(await seriousViolations(page), [], 'enrolment: no serious accessibility problem')
    await page.screenshot({ path: join(screenshotsDir, 'accounts-enrolment.png'), fullPage: true })
    const secret = ((await page.textContent('.totp-secret')) ?? '').replace(/\s/g, '')
    await page.fill('#field-code', codeFor(secret))
    await Promise.all([page.waitForLoadState(), page.click('form[action="/admin/account/two-factor/confirm"] button')])
    t.equal(await page.locator('.recovery-codes li').count(), 10, 'ten recovery codes shown')
    t.ok(context.hosts.size === 1, `nothing loaded from another host (${[...context.hosts].join(', ')})`)

    // Signing out and in again, now with a code.
    await Promise.all([page.waitForURL(/\/admin\/sign-in/), page.click('form[action="/admin/sign-out"] button')])
    await page.fill('#field-email', volunteer)
    await page.fill('#field-password', volunteerPassword)
    await Promise.all([page.waitForURL(/\/admin\/sign-in\/code/), page.click('form[action="/admin/sign-in"] button')])
    await page.screenshot({ path: join(screenshotsDir, 'accounts-code.png'), fullPage: true })
    await page.fill('#field-code', codeFor(secret, 1))
    await Promise.all([page.waitForURL(`${s.origin}/admin`), page.click('form[action="/admin/sign-in/code"] button')])

    // Moderating: the spam is hidden; no email, no private field, no export.
    await page.goto(`${s.origin}/admin/appeals/${SLUG}/signatures?q=Cheap`)
    t.notMatch(await page.content(), /@example\.org|@spam\.example/, 'no email on the moderator\'s page')
    t.equal(await page.locator('a[href*="export.csv"]').count(), 0, 'no export link')
    await Promise.all([page.waitForURL(/notice=hidden/), page.click('form[action$="/hide"] button')])
    t.match(await page.textContent('main'), 'The signature was hidden as spam.')
    await page.screenshot({ path: join(screenshotsDir, 'accounts-moderator-signatures.png'), fullPage: true })
    const exported = await page.goto(`${s.origin}/api/admin/appeals/${SLUG}/export.csv`)
    t.equal(exported?.status(), 403, 'the export is refused')
    const hidden = await fetch(`${s.origin}/api/appeals/${SLUG}/signatures?limit=50`)
    t.notMatch(await hidden.text(), /Cheap Pills Online/, 'the spam no longer shows publicly')
  })
})
