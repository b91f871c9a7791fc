import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createAppealsService } from '../appeals/service.js'
import { createAuditService } from '../audit/service.js'
import { siteUrl } from '../config.js'
import { createConfirmationService } from '../confirmation/service.js'
import { createErasureService } from '../erasure/service.js'
import { createEventsService } from '../events/service.js'
import { createExportsService } from '../exports/service.js'
import { createImportsService } from '../imports/service.js'
import { createOutbox } from '../mail/outbox.js'
import { createMailWorker } from '../mail/worker.js'
import { createAccountLinks } from '../organisers/account-links.js'
import { createOrganisersService } from '../organisers/service.js'
import { fillEmailDomains, sealLegacySignatures } from '../signatures/backfill.js'
import { createSignaturesService } from '../signatures/service.js'
import { createStatsService } from '../stats/service.js'

function createServices (app: FastifyInstance) {
  const { db, config, keys, sealer } = app
  const appeals = createAppealsService(db, { requireTwoFactor: config.REQUIRE_TWO_FACTOR })
  const organisers = createOrganisersService(db, {
    sessionTtlHours: config.SESSION_TTL_HOURS, passwordHashCost: config.PASSWORD_HASH_COST, sealer, recoveryKey: keys.recoveryCode
  })
  const outbox = createOutbox(db, { sealer, maxPerDay: config.MAIL_MAX_PER_DAY })
  const confirmation = createConfirmationService(db, { outbox, ttlDays: config.CONFIRMATION_TTL_DAYS })
  const erasure = createErasureService(db, { keys, sealer, outbox })
  const worker = createMailWorker({
    db, appeals, outbox, sender: app.mailSender, sealer, i18n: app.i18n, log: app.log,
    siteUrl: siteUrl(config), ttlDays: config.CONFIRMATION_TTL_DAYS, removalPath: erasure.removalPath
  })
  const signatures = createSignaturesService(db, { keys, sealer, consentVersion: config.CONSENT_VERSION, pendingStatement: confirmation.pendingStatement })
  return {
    appeals,
    organisers,
    accountLinks: createAccountLinks(db, {
      organisers, sender: app.mailSender, i18n: app.i18n, siteUrl: siteUrl(config), log: app.log,
      invitationTtlHours: config.INVITATION_TTL_HOURS, resetTtlMinutes: config.PASSWORD_RESET_TTL_MINUTES
    }),
    audit: createAuditService(db, { retentionDays: config.AUDIT_RETENTION_DAYS }),
    signatures,
    imports: createImportsService(signatures),
    confirmation,
    erasure,
    mail: { outbox, worker },
    events: createEventsService(db),
    stats: createStatsService(db, { ttlMs: config.STATS_TTL_MS }),
    exports: createExportsService(db, { sealer, keys })
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
    })().catch((err: unknown) => { app.log.error({ err }, 'catching up the stored signatures failed; the next start tries again') })
  })
  // Shutdown waits for a batch in hand rather than cutting it (and the database) off.
  app.addHook('preClose', async () => { await upkeep; await app.services.accountLinks.settled() })
}

export default fp(servicesPlugin, { name: 'services', dependencies: ['database', 'config', 'i18n', 'mail-sender'] })
