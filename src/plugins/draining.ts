import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { appError } from '../errors/app-error.js'

export interface Draining {
  /** Whether shutdown has begun: readiness fails, and new requests are sent to another instance. */
  readonly begun: boolean
  begin: () => void
}

declare module 'fastify' {
  interface FastifyInstance { draining: Draining }
  interface FastifyContextConfig {
    /** A route that keeps answering while the instance drains (liveness: the process still answers). */
    answersWhileDraining?: boolean
  }
}

// From the moment shutdown starts (SIGTERM, or app.close()), a request still arriving on an open
// connection is told to go to another instance, in the same error shape as everything else (Fastify's
// built-in 503 is not), and every answer closes its connection: a keep-alive connection is closed by the
// server right after an answer, never under a request the client is sending (that is a reset).
async function drainingPlugin (app: FastifyInstance): Promise<void> {
  let begun = false
  app.decorate('draining', { get begun () { return begun }, begin () { begun = true } } satisfies Draining)
  app.addHook('preClose', async () => { begun = true })
  app.addHook('onRequest', (request, _reply, done) => {
    done(begun && request.routeOptions.config.answersWhileDraining !== true ? appError('SERVICE_UNAVAILABLE') : undefined)
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (begun) reply.header('connection', 'close')
    done(null, payload)
  })
}

export default fp(drainingPlugin, { name: 'draining' })
