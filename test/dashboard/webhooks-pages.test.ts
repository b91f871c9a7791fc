import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build } from '../helpers/app.js'
import { appealWithViewer, decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { person, sign } from '../helpers/fixtures.js'

// The webhooks' dashboard page without JavaScript: an endpoint refused (not https, no event) is shown
// again and not made; one made shows its secret once, its deliveries, a new secret, its removal; a
// viewer and a wrong id are refused.

const app = await build(t)
const { viewer, slug, b } = await appealWithViewer(app)
const base = `/admin/appeals/${slug}/webhooks`
const URL = 'https://hooks.example.org/solidaria'
const secretOf = (body: string): string | undefined => /id="new-secret" type="text" readonly value="([^"]+)"/.exec(body)?.[1]
const endpointIds = (body: string): string[] => [...body.matchAll(/webhooks\/([0-9a-f-]{36})\/remove"/g)].map((m) => m[1]!)

t.test('refused endpoints are shown again with their errors, and none is made', async (t) => {
  t.match(decodeHtml((await b.get(base)).body), /No endpoint yet\./)
  const plain = await b.post(base, { url: 'http://hooks.example.org/solidaria', event_signature_confirmed: 'on' })
  t.equal(plain.statusCode, 400)
  const page = decodeHtml(plain.body)
  t.match(page, /class="form-errors"[\s\S]*href="#field-url"/, 'the address is what is wrong')
  t.match(page, /name="url"[^>]*value="http:\/\/hooks\.example\.org\/solidaria"/, 'as typed')
  t.match(page, /name="event_signature_confirmed" type="checkbox" value="on" checked/, 'the event ticked stays ticked')
  t.notMatch(page, /name="event_signature_erased" type="checkbox" value="on" checked/)
  const noEvent = await b.post(base, { url: URL })
  t.equal(noEvent.statusCode, 400)
  t.match(decodeHtml(noEvent.body), /<p class="field-error" id="field-events">/, 'the events need one at least')
  t.match(decodeHtml((await b.get(base)).body), /No endpoint yet\./, 'nothing was made')
})

t.test('an endpoint: its secret shown once, its deliveries, a new secret, its removal', async (t) => {
  const made = await b.post(base, { url: URL, event_signature_confirmed: 'on', event_contribution_verified: 'on', includePersonal: 'on' })
  t.equal(made.statusCode, 201)
  const page = decodeHtml(made.body)
  const secret = secretOf(page)
  t.ok(secret, 'the secret is shown')
  t.match(page, `The signing secret of ${URL}, shown this once`)
  t.match(page, /<span class="url">https:\/\/hooks\.example\.org\/solidaria<\/span><\/th><td[^>]*>Signature confirmed, Contribution verified<\/td><td[^>]*>Yes<\/td>/)
  const listed = decodeHtml((await b.get(base)).body)
  t.equal(secretOf(listed), undefined, 'and never again')
  const [id] = endpointIds(listed)

  t.match(decodeHtml((await b.get(`${base}/${id}`)).body), /Nothing sent yet\./)
  t.equal((await sign(app, slug, person())).statusCode, 201)
  const log = decodeHtml((await b.get(`${base}/${id}`)).body)
  t.match(log, /<td data-label="Event">Signature confirmed<\/td><td data-label="Status">Waiting<\/td><td data-label="Attempts">0<\/td><td data-label="Last answer">—<\/td>/)

  const rotated = await b.post(`${base}/${id}/rotate`)
  t.equal(rotated.statusCode, 200)
  const fresh = secretOf(decodeHtml(rotated.body))
  t.ok(fresh)
  t.not(fresh, secret, 'a new secret')

  t.equal((await b.get(`${base}/${randomUUID()}`)).statusCode, 404, 'no such endpoint\'s log')
  for (const action of ['rotate', 'remove']) t.equal((await b.post(`${base}/${randomUUID()}/${action}`)).statusCode, 404, action)

  const asViewer = await signedInBrowser(app, viewer)
  t.equal((await asViewer.get(base)).statusCode, 403)
  t.equal((await asViewer.post(`${base}/${id}/remove`)).statusCode, 403)
  t.same(endpointIds(decodeHtml((await b.get(base)).body)), [id], 'still there')

  const removed = await b.post(`${base}/${id}/remove`)
  t.equal(removed.statusCode, 200)
  t.match(decodeHtml(removed.body), `The endpoint ${URL} was removed.`)
  t.match(decodeHtml(removed.body), /No endpoint yet\./)
})
