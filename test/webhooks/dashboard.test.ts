import t from 'tap'
import { build } from '../helpers/app.js'
import { decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'

t.test('the dashboard adds webhook endpoints, shows the secret once, rotates it, shows the delivery log and offers every export', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const browser = await signedInBrowser(app, owner)
  const base = `/admin/appeals/${slug}/webhooks`

  const empty = await browser.get(base)
  t.equal(empty.statusCode, 200)
  t.match(empty.body, /aria-current="page">Webhooks</, 'a section of the appeal')

  const refused = await browser.post(base, { url: 'http://crm.example.org/hook', event_signature_confirmed: 'on' })
  t.equal(refused.statusCode, 400, 'https only')
  t.match(decodeHtml(refused.body), /value="http:\/\/crm.example.org\/hook"/, 'the form keeps what was typed')
  const none = await browser.post(base, { url: 'https://crm.example.org/hook' })
  t.equal(none.statusCode, 400, 'at least one event')

  const created = await browser.post(base, { url: 'https://crm.example.org/hook', event_signature_confirmed: 'on', event_signature_erased: 'on' })
  t.equal(created.statusCode, 201)
  const secret = /id="new-secret" type="text" readonly value="(whsec_[^"]+)"/.exec(decodeHtml(created.body))?.[1]
  t.ok(secret, 'the secret, shown once')
  const listed = await browser.get(base)
  t.match(listed.body, /crm\.example\.org\/hook/)
  t.notOk(listed.body.includes(secret ?? 'no secret'), 'and never again')
  const [endpoint] = await app.services.webhooks.list(await app.services.appeals.getPublic(slug))
  t.same(endpoint?.events, ['signature.confirmed', 'signature.erased'])
  t.equal(endpoint?.includePersonal, false, 'personal data off unless asked')

  const rotated = await browser.post(`${base}/${endpoint?.id}/rotate`)
  const newSecret = /id="new-secret" type="text" readonly value="(whsec_[^"]+)"/.exec(decodeHtml(rotated.body))?.[1]
  t.ok(newSecret !== undefined && newSecret !== secret, 'a new secret')

  t.equal((await sign(app, slug, person())).statusCode, 201)
  const log = await browser.get(`${base}/${endpoint?.id}`)
  t.equal(log.statusCode, 200)
  t.match(log.body, /Signature confirmed/)
  t.match(log.body, /Waiting/, 'queued, not sent yet')
  t.equal((await browser.get(`${base}/00000000-0000-4000-8000-000000000000`)).statusCode, 404)
  const stranger = await signedInBrowser(app, await organiser(app))
  t.equal((await stranger.get(base)).statusCode, 404, 'another organiser\'s appeal does not exist')

  const removed = await browser.post(`${base}/${endpoint?.id}/remove`)
  t.equal(removed.statusCode, 200)
  t.match(removed.body, /was removed/)
  t.equal((await app.services.webhooks.list(await app.services.appeals.getPublic(slug))).length, 0)

  const signatures = decodeHtml((await browser.get(`/admin/appeals/${slug}/signatures?country=VE`)).body)
  for (const link of ['export.xlsx?country=VE', 'export.csv?country=VE', 'export.csv?country=VE&separator=semicolon', 'export.ndjson?country=VE']) {
    t.ok(signatures.includes(`href="/api/admin/appeals/${slug}/${link}"`), `the signatures page offers ${link}`)
  }
})
