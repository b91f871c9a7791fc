import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { isDatabaseUnavailable } from '../db/unavailable.js'
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

/**
 * What work outside a request does with a failure: the database unreachable is its outage, logged once
 * however often the work fails (every poll, every refresh); anything else is logged with `message`.
 * `databaseOnly`: the work talks to nothing but the database, so a lost connection that names no query
 * (a transaction's BEGIN) is the database's too; work that also speaks SMTP or HTTP cannot say so.
 */
export function reportFailure (app: FastifyInstance, message: string, databaseOnly = false): (err: unknown) => void {
  return (err) => {
    if (isDatabaseUnavailable(err, databaseOnly)) app.outages.database.failed(err)
    else app.log.error({ err }, message)
  }
}

export default fp(outagesPlugin, { name: 'outages' })
