import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'

// helmet's headers, worked out once at start rather than per request (as @fastify/helmet would).
function helmetHeaders (imageSources: string[]): Record<string, string> {
  const headers: Record<string, string> = {}
  const collector = { setHeader: (name: string, value: string) => { headers[name.toLowerCase()] = value }, removeHeader: () => {} }
  helmet({
    // Same-origin only: no page or widget of ours loads anything from a third party.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...imageSources],
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
  })({} as never, collector as never, () => {})
  return headers
}

/** The origin map tiles come from, when an operator chose a tile server (`{s}` subdomains become `*`). */
function tileOrigin (tileUrl: string | undefined): string[] {
  if (tileUrl === undefined) return []
  const match = /^https:\/\/[^/]+/.exec(tileUrl)
  return match === null ? [] : [match[0].replace(/\{s\}/g, '*')]
}

async function securityPlugin (app: FastifyInstance): Promise<void> {
  const documentHeaders = helmetHeaders(tileOrigin(app.config.MAP_TILE_URL))
  // A JSON answer is never rendered as a document, so the policies about framing, scripts and the
  // like have nothing to act on; these four still do. Keeping the answer small matters for the
  // cached counts that thousands of readers poll.
  const dataHeaders = Object.fromEntries(Object.entries(documentHeaders).filter(([name]) => [
    'x-content-type-options', 'cross-origin-resource-policy', 'referrer-policy', 'strict-transport-security'
  ].includes(name)))
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type')
    if (typeof type === 'string' && type.startsWith('application/')) {
      reply.headers(dataHeaders)
    } else {
      // A page that brings its own policy (the API documentation does) keeps it.
      for (const [name, value] of Object.entries(documentHeaders)) if (!reply.hasHeader(name)) reply.header(name, value)
    }
    done(null, payload)
  })
}

export default fp(securityPlugin, { name: 'security', dependencies: ['config'] })
