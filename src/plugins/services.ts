import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createAppealsService } from '../appeals/service.js'
import { createAuditService } from '../audit/service.js'
import { siteUrl } from '../config.js'
import { createConfirmationService } from '../confirmation/service.js'
import { createErasureService } from '../erasure/service.js'
import { createEventsService } from '../events/service.js'
import { createFundMailWriter } from '../fund/mail.js'
import { createFundService } from '../fund/service.js'
import { createExportsService } from '../exports/service.js'
import { createImportsService } from '../imports/service.js'
import { createOutbox } from '../mail/outbox.js'
import { createGiveWay } from '../jobs/give-way.js'
import { createMailWorker } from '../jobs/mail-worker.js'
import { createAccountLinks } from '../organisers/account-links.js'
import { createOrganisersService } from '../organisers/service.js'
import { fillEmailDomains, sealLegacySignatures } from '../signatures/backfill.js'
import { createSignaturesService } from '../signatures/service.js'
import { foldCountChanges } from '../stats/rollup.js'
import { createStatsService } from '../stats/service.js'
import { createWebhookNotices } from '../webhooks/notices.js'
import { createWebhooks } from '../webhooks/service.js'
import { reportFailure } from './outages.js'
import { createWebhookWorker } from '../webhooks/worker.js'
import { createMessagesService } from '../updates/messages.js'
import { createUpdatesService } from '../updates/service.js'
import { createUnsubscribeService } from '../updates/unsubscribe.js'

// Whether requests came in within the last second: background work that can wait then gives way to them.
const BUSY_WINDOW_MS = 1000

function createServices (app: FastifyInstance) {
  let lastRequestAt = Number.NEGATIVE_INFINITY
  app.addHook('onRequest', async () => { lastRequestAt = Date.now() })
  const { db, readDb, backgroundDb, config, keys, sealer } = app
  // Answers sent from their bytes (http/prepared-answers.ts) pass no hook, and count as requests too.
  const busy = (): boolean => Date.now() - Math.max(lastRequestAt, app.preparedAnswers.lastAnsweredAt) < BUSY_WINDOW_MS
  const giveWay = createGiveWay({ busy, share: config.MAIL_UPDATE_SHARE })
  const appeals = createAppealsService(db, { requireTwoFactor: config.REQUIRE_TWO_FACTOR, cacheMs: config.APPEAL_CACHE_MS })
  const organisers = createOrganisersService(db, {
    sessionTtlHours: config.SESSION_TTL_HOURS, passwordHashCost: config.PASSWORD_HASH_COST, sealer, recoveryKey: keys.recoveryCode
  })
  // Everything the outbox itself runs is the worker's (claims, records) or a scheduled job's.
  const outbox = createOutbox(backgroundDb, { sealer, maxPerDay: config.MAIL_MAX_PER_DAY, leaseSeconds: config.MAIL_LEASE_SECONDS })
  const webhooks = createWebhooks(db, { sealer })
  const notices = createWebhookNotices(webhooks)
  // A webhook is queued in the transaction that confirms or erases a signature, and right after a
  // signature that counts at once, or an event, is recorded (those are single statements). A failure to
  // queue one is logged, never answered to the signer, whose signature is recorded either way.
  const told = (what: string) => (err: unknown) => { app.log.error({ err }, `a webhook for ${what} could not be queued`) }
  const confirmation = createConfirmationService(db, { outbox, ttlDays: config.CONFIRMATION_TTL_DAYS, onConfirmed: notices.signatureConfirmed })
  const erasure = createErasureService(db, { keys, sealer, outbox, onErased: notices.signaturesErased })
  const fund = createFundService(db, { keys, sealer, receiptMaxBytes: config.FUND_RECEIPT_MAX_BYTES, mailMaxPerDay: config.MAIL_MAX_PER_DAY })
  const unsubscribe = createUnsubscribeService(db, keys)
  const messages = createMessagesService(db)
  const updates = createUpdatesService(db, { i18n: app.i18n, sender: app.mailSender, siteUrl: siteUrl(config), queueDb: backgroundDb, giveWay })
  const worker = createMailWorker({
    db: backgroundDb, appeals, outbox, sender: app.mailSender, sealer, i18n: app.i18n, log: app.log,
    siteUrl: siteUrl(config), ttlDays: config.CONFIRMATION_TTL_DAYS, removalPath: erasure.removalPath, unsubscribePath: unsubscribe.path,
    texts: { ...updates.mailTexts, confirmNote: async (appealId, language) => messages.choose(appealId, 'confirmNote', language) },
    inFlight: config.MAIL_IN_FLIGHT,
    giveWay,
    prepareFundMail: createFundMailWriter({ db, appeals, sealer, i18n: app.i18n, siteUrl: siteUrl(config), removalPath: fund.removalPath })
  })
  const signatures = createSignaturesService(db, {
    readDb, keys, sealer, consentVersion: config.CONSENT_VERSION, pendingStatement: confirmation.pendingStatement,
    // Half the pool may be writing groups of signatures; the other half stays free for everything else.
    groups: {
      windowMs: config.SIGNING_GROUP_WINDOW_MS, maxGroup: config.SIGNING_GROUP_MAX, maxInFlight: Math.max(1, Math.floor(config.DATABASE_POOL_SIZE / 2))
    }
  })
  const sign = signatures.sign
  signatures.sign = async (appeal, input, context) => {
    const result = await sign(appeal, input, context)
    if (result.confirmedId !== undefined) await notices.signatureConfirmed(db, appeal.id, result.confirmedId).catch(told('a signature'))
    return result
  }
  const events = createEventsService(db, { sealer, reportKey: keys.eventReport })
  const createEvent = events.create
  events.create = async (appeal, input) => {
    const event = await createEvent(appeal, input)
    await notices.eventApproved(db, event).catch(told('an event'))
    return event
  }
  return {
    appeals,
    organisers,
    accountLinks: createAccountLinks(db, {
      organisers, sender: app.mailSender, i18n: app.i18n, siteUrl: siteUrl(config), log: app.log,
      invitationTtlHours: config.INVITATION_TTL_HOURS, resetTtlMinutes: config.PASSWORD_RESET_TTL_MINUTES
    }),
    audit: createAuditService(db, { retentionDays: config.AUDIT_RETENTION_DAYS }),
    signatures,
    imports: createImportsService(signatures, keys.nameIndex),
    confirmation,
    erasure,
    mail: { outbox, worker },
    updates,
    messages,
    unsubscribe,
    events,
    fund,
    webhooks: {
      ...webhooks,
      worker: createWebhookWorker({ db, webhooks, sealer, log: app.log, allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE })
    },
    // Public counts and organisers' exports read from a replica where there is one (DATABASE_READ_URL);
    // the count changes are folded on the primary. A fold that fails leaves them to be read unfolded.
    stats: createStatsService(readDb, {
      ttlMs: config.STATS_TTL_MS,
      fold: async () => {
        await foldCountChanges(db).catch(reportFailure(app, 'folding the count changes failed; the counts are read with them unfolded', true))
      }
    }),
    exports: createExportsService(readDb, { sealer, keys, workers: config.EXPORT_WORKERS })
  }
}

export type Services = ReturnType<typeof createServices>

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
    /** The catching up an upgraded database needs (sealing, domain hashes), done in the background after start. */
    upkeep: Promise<void>
  }
}

// One instance of each domain service per app: the stats cache, for one, must be shared by its readers.
async function servicesPlugin (app: FastifyInstance): Promise<void> {
  app.decorate('services', createServices(app))
  // A database from before this release may still hold addresses in clear, and signatures without their
  // domain's hash. Both are caught up in batches once the server is ready rather than before it
  // listens (a million rows take minutes); a partial index makes later starts find nothing at once.
  let upkeep: Promise<void> = Promise.resolve()
  app.decorate('upkeep', { getter: () => upkeep })
  app.addHook('onReady', async () => {
    upkeep = (async () => {
      const sealed = await sealLegacySignatures(app.db, app.sealer)
      if (sealed > 0) app.log.info(`Sealed the personal data of ${sealed} signatures stored before sealing existed.`)
      const domains = await fillEmailDomains(app.db, app.sealer, app.keys.emailDomainHash)
      if (domains > 0) app.log.info(`Recorded the email domain (as a keyed hash) of ${domains} signatures made before it was recorded.`)
      const placed = await app.services.events.placeMissing()
      if (placed > 0) app.log.info(`Placed ${placed} events on the map from their city and country.`)
    })().catch((err: unknown) => { app.log.error({ err }, 'catching up the stored signatures failed; the next start tries again') })
  })
  // Shutdown waits for a batch in hand rather than cutting it (and the database) off.
  app.addHook('preClose', async () => { await upkeep; await app.services.accountLinks.settled() })
  // The export's worker threads end with the app (before the database, so no export outlives it).
  app.addHook('onClose', async () => { await app.services.exports.close() })
}

export default fp(servicesPlugin, { name: 'services', dependencies: ['database', 'config', 'i18n', 'mail-sender', 'outages'] })
