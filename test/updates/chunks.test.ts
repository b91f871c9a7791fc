import { eq } from 'drizzle-orm'
import t from 'tap'
import { siteUrl } from '../../src/config.js'
import { mailOutbox, updates as updatesTable } from '../../src/db/schema.js'
import { createMailWorker } from '../../src/jobs/mail-worker.js'
import { createUpdatesService } from '../../src/updates/service.js'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'

// A large audience is queued a chunk at a time, giving way to signing between chunks; a process that dies
// between two chunks leaves an update that the next run goes on queueing, and that is not finished before.

const SIGNERS = 7

eachDatabase(t, 'an update queued in chunks reaches each recipient once, across an interruption between chunks', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (let i = 0; i < SIGNERS; i++) t.equal((await sign(app, slug, person({ email: `chunk-${i}@example.org`, contact: true }))).statusCode, 201)
  const created = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/updates`, headers: owner.auth, payload: { texts: { en: { subject: 'News', body: 'We delivered.' } } } })
  const id = json(created).id as string
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/updates/${id}/send`, headers: owner.auth, payload: {} })).statusCode, 200)

  const options = { i18n: app.i18n, sender: app.mailSender, siteUrl: siteUrl(app.config), queueingChunk: 3 }
  const dying = createUpdatesService(app.db, { ...options, giveWay: async () => { throw new Error('killed between two chunks') } })
  await t.rejects(dying.queueDue(), /killed/)
  const status = async () => (await app.db.select().from(updatesTable).where(eq(updatesTable.id, id)))[0]
  t.match(await status(), { status: 'sending', recipients: null }, 'the first chunk is queued, the update not yet counted')
  t.equal((await app.db.select().from(mailOutbox).where(eq(mailOutbox.updateId, id))).length, 3)

  let gaveWay = 0
  const worker = createMailWorker({
    db: app.db, appeals: app.services.appeals, outbox: app.services.mail.outbox, sender: app.mailSender, sealer: app.sealer,
    i18n: app.i18n, log: app.log, siteUrl: siteUrl(app.config), ttlDays: 14, removalPath: app.services.erasure.removalPath,
    unsubscribePath: app.services.unsubscribe.path, texts: { ...app.services.updates.mailTexts, confirmNote: async () => undefined },
    batchSize: 2, giveWay: async () => { gaveWay++ }
  })
  t.match(await worker.runOnce(), { sent: 3 }, 'what is queued goes out while the rest waits to be queued')
  t.equal(gaveWay, 1, 'after the full batch of the update\'s mail, the worker gave way')
  t.equal((await status())?.status, 'sending', 'not finished: some recipients are not queued yet')

  const queuing = createUpdatesService(app.db, { ...options, giveWay: async () => { gaveWay += 10 } })
  t.equal(await queuing.queueDue(), SIGNERS - 3, 'the next run goes on after the last one queued')
  t.equal(gaveWay, 11, 'giving way between its two chunks')
  t.equal(await queuing.queueDue(), 0, 'and queues nothing twice')
  t.match(await status(), { status: 'sending', recipients: SIGNERS })
  t.match(await worker.runOnce(), { sent: SIGNERS - 3 })
  t.equal((await status())?.status, 'sent')
  const delivered = app.mailSender.delivered.filter((m) => m.subject === 'News').map((m) => m.to)
  t.equal(delivered.length, SIGNERS)
  t.equal(new Set(delivered).size, SIGNERS, 'nobody twice')
})

eachDatabase(t, 'signings\' mail never gives way', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  for (let i = 0; i < 4; i++) t.equal((await sign(app, slug, person({ email: `confirm-${i}@example.org` }))).statusCode, 201)
  let gaveWay = 0
  const worker = createMailWorker({
    db: app.db, appeals: app.services.appeals, outbox: app.services.mail.outbox, sender: app.mailSender, sealer: app.sealer,
    i18n: app.i18n, log: app.log, siteUrl: siteUrl(app.config), ttlDays: 14, removalPath: app.services.erasure.removalPath,
    unsubscribePath: app.services.unsubscribe.path, batchSize: 2, giveWay: async () => { gaveWay++ }
  })
  t.match(await worker.runOnce(), { sent: 4 })
  t.equal(gaveWay, 0)
})
