import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createAppealsService } from '../appeals/service.js'
import { createEventsService } from '../events/service.js'
import { createExportsService } from '../exports/service.js'
import { createOrganisersService } from '../organisers/service.js'
import { createSignaturesService } from '../signatures/service.js'
import { createStatsService } from '../stats/service.js'

function createServices (app: FastifyInstance) {
  const { db, config, keys } = app
  return {
    appeals: createAppealsService(db),
    organisers: createOrganisersService(db, { sessionTtlHours: config.SESSION_TTL_HOURS }),
    signatures: createSignaturesService(db, { keys, consentVersion: config.CONSENT_VERSION }),
    events: createEventsService(db),
    stats: createStatsService(db, { ttlMs: config.STATS_TTL_MS }),
    exports: createExportsService(db)
  }
}

export type Services = ReturnType<typeof createServices>

declare module 'fastify' {
  interface FastifyInstance { services: Services }
}

// One instance of each domain service per app: the stats cache, for one, must be shared by its readers.
async function servicesPlugin (app: FastifyInstance): Promise<void> {
  app.decorate('services', createServices(app))
}

export default fp(servicesPlugin, { name: 'services', dependencies: ['database', 'config'] })
