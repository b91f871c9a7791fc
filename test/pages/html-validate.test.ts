import { HtmlValidate, type Message } from 'html-validate'
import t from 'tap'
import { build } from '../helpers/app.js'
import { signedInBrowser } from '../helpers/dashboard.js'
import { appeal, idOf, organisation, organiser, person, sign } from '../helpers/fixtures.js'
import { deliverMail, linkIn, mailsTo, pathOf } from '../helpers/mail.js'

// Every page a person sees, checked by html-validate's recommended rules (a validator nobody on the
// project wrote), with no error. The rules configured otherwise are each given their reason.
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Not errors of the markup: style preferences of the preset that our templates do not share.
    // Long titles are an appeal's own title plus the site's name; search engines cut them, browsers show them.
    'long-title': 'off',
    // Both spellings are the standard's (it is case-insensitive); ours is lower-case throughout.
    'doctype-style': ['error', { style: 'lowercase' }]
  }
})

async function problems (html: string): Promise<string[]> {
  const report = await validator.validateString(html)
  return report.results.flatMap((result) => result.messages.filter((m: Message) => m.severity === 2)
    .map((m: Message) => `${m.ruleId} (line ${m.line}): ${m.message} [${(m.selector ?? '').slice(0, 80)}]`))
}

t.test('html-validate (recommended preset) finds no error on any page, and every public page has a meta description', async (t) => {
  const app = await build(t)
  const owner = await organiser(app, 'admin')
  const slug = await appeal(app, owner, { requireConfirmation: true })
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/events`, headers: owner.auth, payload: { title: 'Rally', startsAt: '2026-12-10T18:00:00Z', country: 'GB', city: 'London', latitude: 51.5, longitude: -0.12 } })).statusCode, 201)
  t.equal((await sign(app, slug, person({ email: 'ana@example.org' }))).statusCode, 201)
  t.equal((await sign(app, slug, organisation({ email: 'union@example.org' }))).statusCode, 201)
  await deliverMail(app)
  const mail = mailsTo(app, 'ana@example.org')[0]!
  const confirm = pathOf(linkIn(mail.text, '/confirm/'))
  const remove = pathOf(linkIn(mail.text, '/remove/'))
  const eventId = (await app.services.events.list(await app.services.appeals.getPublic(slug)))[0]!.id
  const signatureId = await idOf(app, 'ana@example.org')

  const publicPages = ['/', `/appeals/${slug}`, `/appeals/${slug}?lang=ar`, `/appeals/${slug}/signatures`, `/appeals/${slug}/organisations`, `/appeals/${slug}/events`,
    `/appeals/${slug}/thanks`, confirm, remove, '/appeals/no-such-appeal', `/embed/${slug}/map`, `/embed/${slug}/counter`, `/embed/${slug}/sign`]
  const browser = await signedInBrowser(app, owner)
  const dashboardPages = ['/admin', `/admin/appeals/${slug}`, `/admin/appeals/${slug}/texts/es`, `/admin/appeals/${slug}/signatures`, `/admin/appeals/${slug}/signatures/${signatureId}/erase`,
    `/admin/appeals/${slug}/import`, `/admin/appeals/${slug}/events`, `/admin/appeals/${slug}/events/${eventId}`, `/admin/appeals/${slug}/team`,
    `/admin/appeals/${slug}/embed`, `/admin/appeals/${slug}/webhooks`, '/admin/tokens', '/admin/organisers', '/admin/erasure', '/admin/appeals/new']
  const anonymous = ['/admin/sign-in']

  for (const path of publicPages) {
    const page = await app.inject({ url: path })
    t.ok(page.statusCode < 500 && /text\/html/.test(String(page.headers['content-type'])), `${path}: a page (${page.statusCode})`)
    t.same(await problems(page.body), [], `${path}: no html-validate error`)
    if (page.statusCode === 200) t.match(page.body, /<meta name="description" content="[^"]{10,}">/, `${path}: a meta description`)
  }
  for (const path of anonymous) t.same(await problems((await app.inject({ url: path })).body), [], `${path}: no html-validate error`)
  for (const path of dashboardPages) {
    const page = await browser.get(path)
    t.equal(page.statusCode, 200, path)
    t.same(await problems(page.body), [], `${path}: no html-validate error`)
  }
})
