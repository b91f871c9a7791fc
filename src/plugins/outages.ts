import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createOutage, type Outage } from '../errors/outage.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether each dependency is down, as the requests that needed it found (and the log tells once). */
    outages: { database: Outage, redis: Outage }
  }
}

async function outagesPlugin (app: FastifyInstance): Promise<void> {
  app.decorate('outages', { database: createOutage(app.log, 'PostgreSQL'), redis: createOutage(app.log, 'Redis', { graceMs: 0 }) })
}

export default fp(outagesPlugin, { name: 'outages' })
