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

export interface Security {
  /**
   * The Content Security Policy of a widget page: the site's own, framable by `frameAncestors` (which
   * may be `*`), with the given hashes of inline style elements allowed.
   */
  widgetPolicy: (frameAncestors: string[], styleHashes?: string[]) => string
}

declare module 'fastify' {
  interface FastifyInstance { security: Security }
}

/** Widgets (src/embed/) live under this path: made to be framed by other sites. */
export const WIDGET_PREFIX = '/embed/'

function withDirectives (policy: string, change: Record<string, (values: string[]) => string[]>): string {
  return policy.split(';').map((directive) => {
    const [name = '', ...values] = directive.trim().split(/\s+/)
    const changed = change[name]
    return changed === undefined ? directive : [name, ...changed(values)].join(' ')
  }).join(';')
}

async function securityPlugin (app: FastifyInstance): Promise<void> {
  const documentHeaders = helmetHeaders(tileOrigin(app.config.MAP_TILE_URL))
  const sitePolicy = documentHeaders['content-security-policy'] ?? ''
  // A widget page may be framed by any site unless its route narrows it (the signing widget can be
  // kept to an appeal's own sites); X-Frame-Options cannot say "anyone", so widgets go without it.
  // Error pages under the prefix are framable too, so a framed widget shows its error rather than nothing.
  const widgetHeaders = Object.fromEntries(Object.entries(documentHeaders).filter(([name]) => name !== 'x-frame-options'))
  widgetHeaders['content-security-policy'] = withDirectives(sitePolicy, { 'frame-ancestors': () => ['*'] })
  const policies = new Map<string, string>()
  app.decorate('security', {
    widgetPolicy (frameAncestors, styleHashes = []) {
      const key = `${frameAncestors.join(' ')}|${styleHashes.join(' ')}`
      let policy = policies.get(key)
      if (policy === undefined) {
        policy = withDirectives(sitePolicy, {
          'frame-ancestors': () => frameAncestors,
          'style-src': (values) => [...values, ...styleHashes.map((h) => `'${h}'`)]
        })
        // Accent colours are few in practice; a bound keeps a flood of made-up ones from growing it.
        if (policies.size >= 1000) policies.clear()
        policies.set(key, policy)
      }
      return policy
    }
  } satisfies Security)

  // A JSON answer is never rendered as a document, so the policies about framing, scripts and the
  // like have nothing to act on; these four still do. Keeping the answer small matters for the
  // cached counts that thousands of readers poll.
  const dataHeaders = Object.fromEntries(Object.entries(documentHeaders).filter(([name]) => [
    'x-content-type-options', 'cross-origin-resource-policy', 'referrer-policy', 'strict-transport-security'
  ].includes(name)))
  app.addHook('onSend', (request, reply, payload, done) => {
    const type = reply.getHeader('content-type')
    if (typeof type === 'string' && type.startsWith('application/')) {
      reply.headers(dataHeaders)
    } else {
      // A page that brings its own policy (the API documentation, the signing widget) keeps it.
      const headers = request.url.startsWith(WIDGET_PREFIX) ? widgetHeaders : documentHeaders
      for (const [name, value] of Object.entries(headers)) if (!reply.hasHeader(name)) reply.header(name, value)
    }
    done(null, payload)
  })
}

export default fp(securityPlugin, { name: 'security', dependencies: ['config'] })
