import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { createMailWorker } from '../../src/jobs/mail-worker.js'
import { siteUrl } from '../../src/config.js'
import { mailOutbox } from '../../src/db/schema.js'
import { build, databases, freshPostgresDatabase } from '../helpers/app.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'

const MAILS = 45

async function queueMails (app: FastifyInstance): Promise<void> {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  for (let i = 0; i < MAILS; i++) {
    const response = await sign(app, slug, person({ email: `worker-${i}@example.org` }))
    if (response.statusCode !== 201) throw new Error(response.body)
  }
}

const postgres = databases.find((d) => d.name === 'postgres')

t.test('two instances\' workers on one PostgreSQL send each mail exactly once', { skip: postgres === undefined ? 'needs TEST_DATABASE_URL' : false }, async (t) => {
  const url = await freshPostgresDatabase(t, postgres!.serverUrl!)
  const first = await build(t, { DATABASE_URL: url, RATE_LIMIT_SIGN_MAX: '1000' })
  const second = await build(t, { DATABASE_URL: url })
  await queueMails(first)
  // Each claims small batches, so that the two really interleave.
  const workers = [first, second].map((app) => createMailWorker({
    db: app.db, appeals: app.services.appeals, outbox: app.services.mail.outbox, sender: app.mailSender, sealer: app.sealer,
    i18n: app.i18n, log: app.log, siteUrl: siteUrl(app.config), ttlDays: 14, removalPath: app.services.erasure.removalPath,
    unsubscribePath: app.services.unsubscribe.path, batchSize: 3
  }))
  const runs = await Promise.all([...workers, ...workers].map((w) => w.runOnce()))
  const delivered = [...first.mailSender.delivered, ...second.mailSender.delivered].map((m) => m.to)
  t.equal(delivered.length, MAILS, 'as many mails as signatures')
  t.equal(new Set(delivered).size, MAILS, 'none twice')
  t.ok(first.mailSender.delivered.length > 0 && second.mailSender.delivered.length > 0, 'both instances sent some')
  t.equal(runs.reduce((n, r) => n + r.sent, 0), MAILS)
  const rows = await first.db.select().from(mailOutbox)
  t.ok(rows.every((r) => r.status === 'sent' && r.attempts === 1), 'each claimed once')
})

t.test('a worker whose lease ran out cannot record over the one that took the mail over', async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  await sign(app, slug, person({ email: 'slow@example.org' }))
  const { outbox, worker } = app.services.mail
  const [stale] = await outbox.claim(1)
  t.ok(stale, 'a first worker claims the mail, then hangs past its lease')
  await app.db.update(mailOutbox).set({ lockedUntil: sql`now() - interval '1 second'` })
  t.match(await worker.runOnce(), { sent: 1 }, 'another worker takes it over and sends it')
  await outbox.markFailed(stale!, new Error('timed out'))
  const [row] = await app.db.select().from(mailOutbox)
  t.match(row, { status: 'sent', attempts: 2, lastError: null }, 'the first worker\'s late failure changes nothing')
  t.equal(app.mailSender.delivered.length, 1)
})

t.test('two workers on the embedded database send each mail exactly once', async (t) => {
  const app = await build(t, { RATE_LIMIT_SIGN_MAX: '1000' })
  await queueMails(app)
  const worker = () => createMailWorker({
    db: app.db, appeals: app.services.appeals, outbox: app.services.mail.outbox, sender: app.mailSender, sealer: app.sealer,
    i18n: app.i18n, log: app.log, siteUrl: siteUrl(app.config), ttlDays: 14, removalPath: app.services.erasure.removalPath,
    unsubscribePath: app.services.unsubscribe.path, batchSize: 4
  })
  await Promise.all([worker().runOnce(), worker().runOnce(), app.services.mail.worker.runOnce()])
  const delivered = app.mailSender.delivered.map((m) => m.to)
  t.equal(delivered.length, MAILS)
  t.equal(new Set(delivered).size, MAILS)
})
