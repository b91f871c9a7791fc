import t from 'tap'
import { build, json } from '../helpers/app.js'
import { browser, decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser } from '../helpers/fixtures.js'
import { deliverMail, mailsTo } from '../helpers/mail.js'
import { multipart, phonePhoto, setUpFund } from './fixtures.js'

// The fund without JavaScript: the appeal page's section and its report form (a multipart post with the
// photo), refusals shown in the reader's language, the account page, the counter widget, and the
// organiser's dashboard page, where a report is verified or rejected with one button.

t.test('the fund on the public pages and in the dashboard', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const stranger = await organiser(app)
  const slug = await appeal(app, owner, { originalLanguage: 'es', text: { title: 'Solidaridad con Tomás', summary: 'Un fondo', body: 'Texto.', demands: [] } })
  const english = await app.inject({ method: 'PUT', url: `/api/admin/appeals/${slug}/texts/en`, headers: owner.auth, payload: { title: 'Solidarity with Tomás', summary: 'A fund', body: 'Text.', demands: [] } })
  t.equal(english.statusCode, 200, 'the appeal has an English text too')
  t.notMatch((await app.inject({ url: `/appeals/${slug}` })).body, /id="fund"/, 'no fund section before the fund is switched on')
  await setUpFund(app, owner, slug)

  t.test('the appeal page has the section and the form, in the reader\'s language', async (t) => {
    const es = await app.inject({ url: `/appeals/${slug}?lang=es` })
    t.equal(es.statusCode, 200)
    t.match(es.body, /<section class="fund" id="fund"/)
    t.match(es.body, /<form method="post" action="\/appeals\/[^"]+\/fund\/report" enctype="multipart\/form-data"/, 'a form that posts without JavaScript')
    t.match(decodeHtml(es.body), /Informar de un aporte que enviaste/)
    t.match(decodeHtml(es.body), /Envíalo a <strong>la familia<\/strong>/, 'the way to give, in Markdown, in Spanish')
    const en = await app.inject({ url: `/appeals/${slug}?lang=en` })
    t.match(decodeHtml(en.body), /Report a contribution you sent/)
    t.match(decodeHtml(en.body), /Send it to <strong>the family<\/strong>/)
  })

  t.test('reporting with the form, without JavaScript, in two languages', async (t) => {
    const photo = await phonePhoto()
    const fields = { amount: '25,50', currency: 'EUR', date: '2026-05-10', way: 'money-transfer', name: 'Lucía Soto', country: 'AR', email: 'lucia.soto@example.org', locale: 'es', message: 'Ánimo' }
    const sent = await app.inject({ method: 'POST', url: `/appeals/${slug}/fund/report?lang=es`, ...multipart(fields, { field: 'receipt', name: 'IMG_2001.JPG', type: 'image/jpeg', bytes: photo }) })
    t.equal(sent.statusCode, 303, sent.body.slice(0, 300))
    t.match(sent.headers.location, `/appeals/${slug}/fund/thanks?mail=1`)
    t.match(decodeHtml((await app.inject({ url: sent.headers.location as string, headers: { cookie: 'solidaria_lang=es' } })).body), /Gracias por tu solidaridad/)

    const refused = await app.inject({ method: 'POST', url: `/appeals/${slug}/fund/report?lang=es`, ...multipart({ ...fields, amount: 'mucho', reference: 'REF-77' }) })
    t.equal(refused.statusCode, 400)
    const page = decodeHtml(refused.body)
    t.match(page, /Escribe el importe que enviaste/, 'the refusal, in Spanish, next to the field')
    t.match(page, /value="REF-77"/, 'what was typed is kept')
    const fake = await app.inject({ method: 'POST', url: `/appeals/${slug}/fund/report?lang=en`, ...multipart({ ...fields, locale: 'en' }, { field: 'receipt', name: 'receipt.jpg', type: 'image/jpeg', bytes: Buffer.from('<?php echo "not a photo";') }) })
    t.equal(fake.statusCode, 400)
    t.match(decodeHtml(fake.body), /The receipt must be a photo \(JPEG, PNG or WebP\) or a PDF\./, 'in English')

    const english = await app.inject({ method: 'POST', url: `/appeals/${slug}/fund/report?lang=en`, ...multipart({ amount: '40', currency: 'USD', date: '2026-05-11', way: 'cash', anonymous: 'on', name: 'Hidden Name', locale: 'en', email: 'sam.en@example.org' }) })
    t.equal(english.statusCode, 303)
    const items = json(await app.inject({ url: `/api/admin/appeals/${slug}/fund/contributions`, headers: owner.auth })).items
    t.equal(items.length, 2, 'two reports, nothing from the refused posts')
    t.match(items.find((c: { currency: string }) => c.currency === 'EUR'), { amount: 2550, name: 'Lucía Soto', shownName: true, receipt: String })
    t.match(items.find((c: { currency: string }) => c.currency === 'USD'), { amount: 4000, name: 'Hidden Name', shownName: false, receipt: null })
    await deliverMail(app)
    t.match(mailsTo(app, 'lucia.soto@example.org')[0]?.subject, /Hemos recibido tu informe/)
    t.match(mailsTo(app, 'sam.en@example.org')[0]?.subject, /We received your report/)
  })

  t.test('the organiser verifies and rejects from the dashboard; another organiser sees nothing', async (t) => {
    const b = await signedInBrowser(app, owner)
    const page = await b.get(`/admin/appeals/${slug}/fund`)
    t.equal(page.statusCode, 200)
    t.match(page.headers['cache-control'], /no-store/)
    const receipt = /<img src="(\/admin\/appeals\/[^"]+\/fund\/receipts\/[0-9a-f-]{36})"/.exec(page.body)?.[1]
    t.ok(receipt, 'the receipt is shown inline')
    const image = await b.get(receipt!)
    t.equal(image.statusCode, 200)
    t.equal(image.headers['content-type'], 'image/jpeg')
    t.match(image.headers['cache-control'], /no-store/)
    t.equal([...page.body.matchAll(/action="\/admin\/appeals\/[^"]+\/fund\/contributions\/(\d+)\/verify"/g)].length, 2, 'two reports to check, each with its button')
    const listed = json(await app.inject({ url: `/api/admin/appeals/${slug}/fund/contributions`, headers: owner.auth })).items as Array<{ id: number, currency: string }>
    const ids = ['EUR', 'USD'].map((currency) => listed.find((c) => c.currency === currency)!.id)
    const verified = await b.post(`/admin/appeals/${slug}/fund/contributions/${ids[0]}/verify`)
    t.equal(verified.statusCode, 303)
    const rejected = await b.post(`/admin/appeals/${slug}/fund/contributions/${ids[1]}/reject`, { reason: 'Nothing arrived.' })
    t.equal(rejected.statusCode, 303)
    t.match(decodeHtml((await b.get(verified.headers.location as string)).body), /Verified\./)
    const statuses = json(await app.inject({ url: `/api/admin/appeals/${slug}/fund/contributions`, headers: owner.auth })).items.map((c: { status: string }) => c.status).sort()
    t.same(statuses, ['rejected', 'verified'])

    const other = await signedInBrowser(app, stranger)
    for (const url of [`/admin/appeals/${slug}/fund`, receipt!]) t.equal((await other.get(url)).statusCode, 404, `GET ${url}`)
    for (const url of [`/admin/appeals/${slug}/fund/contributions/${ids[0]}/erase`, `/admin/appeals/${slug}/fund/settings`]) {
      t.equal((await other.post(url, { enabled: 'on' })).statusCode, 404, `POST ${url}`)
    }
    t.equal((await browser(app).get(receipt!)).statusCode, 303, 'without a session: to the sign-in page')
  })

  t.test('the account page and the counter widget show what was verified', async (t) => {
    const account = decodeHtml((await app.inject({ url: `/appeals/${slug}/fund?lang=en` })).body)
    t.match(account, /The fund's account/)
    t.match(account, /€25\.50/)
    t.match(account, /Lucía Soto/)
    t.match(account, /Ánimo/)
    const widget = await app.inject({ url: `/embed/${slug}/fund?lang=es` })
    t.equal(widget.statusCode, 200)
    t.match(widget.headers['content-security-policy'], /frame-ancestors \*/)
    t.match(decodeHtml(widget.body), /<data id="fund-raised" value="2550">25,50\s€<\/data>/)
    t.equal((await app.inject({ url: '/embed/no-such-appeal/fund' })).statusCode, 404)
  })

  t.test('the fund\'s API is in the OpenAPI document', async (t) => {
    const { paths } = json(await app.inject('/docs/json'))
    for (const path of ['/api/appeals/{slug}/fund', '/api/appeals/{slug}/fund/contributions', '/api/admin/appeals/{slug}/fund/contributions/{id}/verify', '/api/admin/appeals/{slug}/fund/receipts/{id}', '/api/admin/appeals/{slug}/fund/contributions.csv']) {
      t.ok(paths[path], path)
    }
    t.ok(paths['/api/appeals/{slug}/fund/contributions'].post.requestBody.content['multipart/form-data'], 'reporting takes a multipart upload')
  })
})
