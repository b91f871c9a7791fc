import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { Webhook } from 'standardwebhooks'
import t from 'tap'
import { webhookDeliveries } from '../../src/db/schema.js'
import { isPrivateAddress } from '../../src/webhooks/worker.js'
import { build, json, type TestContext } from '../helpers/app.js'
import { appeal, idOf, organisation, organiser, person, sign } from '../helpers/fixtures.js'
import { deliverMail, linkIn, mailsTo } from '../helpers/mail.js'

// The receiver is a real HTTP server that checks every delivery with the `standardwebhooks` package, as
// an organiser's CRM would.

interface Received { headers: IncomingHttpHeaders, body: string, payload: { type: string, timestamp: string, data: any } }

async function receiver (t: TestContext) {
  const received: Received[] = []
  let answers: number[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => { body += chunk })
    request.on('end', () => {
      received.push({ headers: request.headers, body, payload: JSON.parse(body) })
      response.writeHead(answers.shift() ?? 204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    // The worker's fetch keeps its connection alive; close would wait for it.
    server.closeAllConnections()
  }))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    answerNext: (...statuses: number[]) => { answers = statuses },
    /** Verifies a delivery as the receiver's library does; throws when the signature does not match. */
    verify: (secret: string, delivery: Received) => new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>)
  }
}

t.test('webhooks: signed Standard Webhooks deliveries, queued, retried, never twice, rotated, personal data only where enabled', async (t) => {
  const app = await build(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const hook = await receiver(t)
  const run = () => app.services.webhooks.worker.runOnce()
  const api = (method: 'GET' | 'POST' | 'DELETE', path: string, payload?: object) =>
    app.inject({ method, url: `/api/admin/appeals/${slug}/webhooks${path}`, headers: owner.auth, ...(payload !== undefined && { payload }) })

  const created = await api('POST', '', { url: hook.url, events: ['signature.confirmed', 'signature.erased', 'organisation.endorsed', 'event.approved', 'contribution.verified'] })
  t.equal(created.statusCode, 201)
  const endpoint = json(created)
  t.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]+=*$/, 'a Standard Webhooks secret, shown once')
  t.notOk(JSON.stringify(json(await api('GET', ''))).includes(endpoint.secret), 'never shown again')
  const stranger = await organiser(app)
  t.equal((await app.inject({ url: `/api/admin/appeals/${slug}/webhooks`, headers: stranger.auth })).statusCode, 404, 'another organiser sees nothing')

  t.equal((await sign(app, slug, person({ name: 'Ana Pérez', email: 'ana@example.org', country: 'VE', contact: true }))).statusCode, 201)
  t.equal((await sign(app, slug, organisation({ email: 'union@example.org', public: true }))).statusCode, 201)
  t.match(await run(), { delivered: 3 })
  t.same(hook.received.map((r) => r.payload.type).sort(), ['organisation.endorsed', 'signature.confirmed', 'signature.confirmed'])
  for (const delivery of hook.received) {
    t.ok(hook.verify(endpoint.secret, delivery), `${delivery.payload.type}: the receiver's library verifies it`)
    t.match(delivery.headers['webhook-id'], /^msg_/)
    t.equal(delivery.payload.data.appeal.slug, slug)
  }
  t.throws(() => hook.verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, hook.received[0]!), 'another secret does not verify')
  const ana = hook.received.find((r) => r.payload.type === 'signature.confirmed' && r.payload.data.signature.kind === 'individual')!
  t.notMatch(ana.body, /ana@example\.org/, 'no address unless the organiser enabled personal data')
  t.equal(ana.payload.data.signature.country, 'VE')
  t.equal(ana.payload.data.signature.shownName, 'Ana Pérez', 'a name its owner chose to show is public already')
  t.same(await run(), { delivered: 0, retried: 0, failed: 0, cancelled: 0 }, 'nothing is sent twice')

  // A receiver that fails is tried again, on the schedule, with the same message id, until it answers 2xx.
  hook.received.length = 0
  hook.answerNext(500)
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/events`, headers: owner.auth, payload: { title: 'Rally', startsAt: '2026-12-10T18:00:00Z', country: 'GB', city: 'London' } })).statusCode, 201)
  t.match(await run(), { retried: 1 })
  t.match(await run(), { delivered: 0, retried: 0 }, 'not before its time')
  const [waiting] = await app.db.select().from(webhookDeliveries).where(sql`status = 'queued'`)
  t.equal(waiting?.lastStatusCode, 500)
  t.ok(waiting !== undefined && waiting.nextAttemptAt.getTime() - Date.now() > 3000, 'the next attempt is a few seconds away')
  await app.db.update(webhookDeliveries).set({ nextAttemptAt: sql`now()` })
  t.match(await run(), { delivered: 1 })
  t.equal(hook.received.length, 2)
  t.equal(hook.received[0]?.headers['webhook-id'], hook.received[1]?.headers['webhook-id'], 'the same message id on every attempt')
  t.equal(hook.received[1]?.payload.type, 'event.approved')
  t.equal(hook.received[1]?.payload.data.event.title, 'Rally')
  const log = json(await api('GET', `/${endpoint.id}/deliveries`)).items
  t.match(log[0], { type: 'event.approved', status: 'delivered', attempts: 2, lastStatusCode: 204 }, 'the delivery log')

  // Other modules (the fund) queue their events through one function; the same event twice is one delivery.
  const event = { appealId: (await app.services.appeals.getPublic(slug)).id, type: 'contribution.verified' as const, key: 'contribution.verified:c1', data: { contribution: { id: 'c1', amount: 2500, currency: 'EUR' } } }
  t.equal(await app.services.webhooks.enqueue(app.db, event), 1)
  t.equal(await app.services.webhooks.enqueue(app.db, event), 0, 'queued once')
  const [first, second] = await Promise.all([run(), run()])
  t.equal((first?.delivered ?? 0) + (second?.delivered ?? 0), 1, 'two workers at once deliver it once')

  // Rotation: both secrets sign for a day, so the receiver can change over without missing one.
  const rotated = json(await api('POST', `/${endpoint.id}/rotate-secret`))
  t.not(rotated.secret, endpoint.secret)
  t.ok(rotated.previousSecretExpiresAt)
  hook.received.length = 0
  const erasedId = await idOf(app, 'ana@example.org')
  t.equal((await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/signatures/${erasedId}`, headers: owner.auth })).statusCode, 200)
  t.match(await run(), { delivered: 1 })
  const erased = hook.received[0]!
  t.equal(erased.payload.type, 'signature.erased')
  t.same(erased.payload.data.signature, { id: erasedId }, 'an erasure says which signature, nothing else')
  t.equal(String(erased.headers['webhook-signature']).split(' ').length, 2, 'signed with both secrets')
  t.ok(hook.verify(rotated.secret, erased), 'verifies with the new secret')
  t.ok(hook.verify(endpoint.secret, erased), 'and with the previous one')
  t.equal((await api('DELETE', `/${endpoint.id}`)).statusCode, 204)
  t.equal((await api('GET', `/${endpoint.id}/deliveries`)).statusCode, 404)
})

t.test('personal data only where the organiser enabled it, and only of signers who agreed to be contacted; confirmation by link', async (t) => {
  const app = await build(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  const hook = await receiver(t)
  const created = json(await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/webhooks`, headers: owner.auth, payload: { url: hook.url, events: ['signature.confirmed'], includePersonal: true } }))
  for (const [email, contact] of [['yes@example.org', true], ['no@example.org', false]] as const) {
    t.equal((await sign(app, slug, person({ name: `Private ${email}`, email, public: false, contact }))).statusCode, 201)
  }
  t.match(await app.services.webhooks.worker.runOnce(), { delivered: 0 }, 'nothing before confirmation')
  await deliverMail(app)
  for (const email of ['yes@example.org', 'no@example.org']) {
    const link = linkIn(mailsTo(app, email)[0]!.text, '/confirm/')
    t.equal((await app.inject({ method: 'POST', url: link.pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })).statusCode, 303, `${email} confirms`)
  }
  t.match(await app.services.webhooks.worker.runOnce(), { delivered: 2 })
  const byEmail = Object.fromEntries(hook.received.map((r) => [r.payload.data.signature.email ?? 'none', r]))
  t.ok(byEmail['yes@example.org'], 'the address of one who agreed to be contacted')
  t.equal(byEmail['yes@example.org']?.payload.data.signature.name, 'Private yes@example.org')
  t.ok(byEmail.none, 'none of one who did not')
  t.notMatch(byEmail.none?.body, /no@example\.org|Private no/)
  for (const delivery of hook.received) t.ok(new Webhook(created.secret).verify(delivery.body, delivery.headers as Record<string, string>))
})

t.test('endpoints must be https on public addresses unless the operator allows otherwise', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const refused = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/webhooks`, headers: owner.auth, payload: { url: 'http://crm.example.org/hook', events: ['signature.confirmed'] } })
  t.equal(refused.statusCode, 400)
  t.ok(json(refused).error.fields.url)
  for (const address of ['127.0.0.1', '10.1.2.3', '169.254.169.254', '192.168.0.1', '172.16.0.1', '::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0']) t.ok(isPrivateAddress(address), address)
  for (const address of ['93.184.216.34', '2606:2800:220:1::1', '172.32.0.1']) t.notOk(isPrivateAddress(address), address)
  // An endpoint whose name leads to a private address is refused when sent, not only when made.
  const created = json(await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/webhooks`, headers: owner.auth, payload: { url: 'https://127.0.0.1/hook', events: ['signature.confirmed'] } }))
  t.ok(created.id)
  t.equal((await sign(app, slug, person())).statusCode, 201)
  t.match(await app.services.webhooks.worker.runOnce(), { retried: 1 })
  const [delivery] = await app.db.select().from(webhookDeliveries)
  t.equal(delivery?.lastError, 'refused: a private address')
})
