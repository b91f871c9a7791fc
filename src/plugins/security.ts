import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'

// helmet's headers, built once. (@fastify/helmet builds a new helmet middleware on every request,
// which cost more than the rest of a cached stats answer.)
const securityHeaders = helmet({
  // Same-origin only: no page or widget of ours loads anything from a third party.
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'self'"]
    }
  },
  // Public JSON (stats, lists) is read cross-origin by embedding sites.
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' }
})

async function securityPlugin (app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', (request, reply, done) => { securityHeaders(request.raw, reply.raw, (err) => { done(err as Error | undefined) }) })
}

export default fp(securityPlugin, { name: 'security' })
