import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { applyRetention } from '../erasure/retention.js'
import { applyFundRetention } from '../fund/retention.js'
import { repeat } from '../jobs/loop.js'
import { createScheduler, type Scheduler } from '../jobs/scheduler.js'
import { foldAllCountChanges } from '../stats/rollup.js'
import { reportFailure } from './outages.js'

declare module 'fastify' {
  interface FastifyInstance { scheduler: Scheduler }
}

const HOUR = 3_600_000
const SCHEDULE_CHECK_MS = 60_000
// Stats refreshes fold the count changes as they read; this keeps them folded while nobody reads.
const COUNT_FOLD_MS = 10_000

// Background work: sending queued mail, folding count changes into the counts, and the scheduled jobs
// (retention, expiry of unconfirmed signatures, outbox clean-up). Every instance with BACKGROUND_JOBS
// (the default) takes part; the database makes sure each mail, each fold and each job run is taken by
// one of them.
async function backgroundPlugin (app: FastifyInstance): Promise<void> {
  const { db, services, config, log } = app
  const scheduler = createScheduler(db, [
    { name: 'retention', everyMs: 24 * HOUR, run: async () => ({ ...await applyRetention(db), fund: await applyFundRetention(db) }) },
    { name: 'expire-unconfirmed', everyMs: HOUR, run: async () => ({ deleted: await services.confirmation.deleteExpired() }) },
    { name: 'outbox-clean-up', everyMs: 24 * HOUR, run: async () => ({ deleted: await services.mail.outbox.cleanUp() }) },
    { name: 'webhook-log-clean-up', everyMs: 24 * HOUR, run: async () => ({ deleted: await services.webhooks.cleanUp() }) },
    { name: 'audit-retention', everyMs: 24 * HOUR, run: async () => ({ deleted: await services.audit.deleteExpired() }) },
    { name: 'account-links-clean-up', everyMs: 24 * HOUR, run: async () => ({ deleted: await services.accountLinks.deleteExpired() }) }
  ], { log })
  app.decorate('scheduler', scheduler)
  if (!config.BACKGROUND_JOBS) return

  // While the database is down the mail worker fails at every poll: that is the outage, logged once.
  const failed = (message: string, databaseOnly = false) => reportFailure(app, message, databaseOnly)
  const loops = [
    repeat((active) => services.mail.worker.runOnce(active), config.MAIL_POLL_MS, failed('the mail worker failed; it tries again at its next poll')),
    repeat((active) => services.webhooks.worker.runOnce(active), config.MAIL_POLL_MS, failed('the webhook worker failed; it tries again at its next poll')),
    // Updates whose time has come are queued apart from the worker: queueing a large audience takes a while.
    repeat(() => services.updates.queueDue(), config.MAIL_POLL_MS, failed('queueing the updates that are due failed; it tries again at its next poll')),
    repeat((active) => foldAllCountChanges(app.backgroundDb, active), COUNT_FOLD_MS, failed('folding the count changes failed; it tries again later', true)),
    repeat(() => scheduler.runDue(), SCHEDULE_CHECK_MS, failed('the scheduler could not check its jobs; it tries again later'))
  ]
  app.addHook('onReady', async () => { for (const loop of loops) loop.start() })
  // Before the database closes (onClose): a mail in hand is finished and recorded.
  app.addHook('preClose', async () => { await Promise.all(loops.map((loop) => loop.stop())) })
}

export default fp(backgroundPlugin, { name: 'background', dependencies: ['services', 'outages'] })
