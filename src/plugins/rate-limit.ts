import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { appError } from '../errors/app-error.js'
import type { Outage } from '../errors/outage.js'

// Global limit per client address; signing and sign-in have stricter ones, shared by every route of their kind.
// With REDIS_URL the counters live in Redis so that every instance behind the load balancer shares them.
async function rateLimitPlugin (app: FastifyInstance): Promise<void> {
  const { config } = app
  const outage = app.outages.redis
  let redis: Redis | undefined
  if (config.REDIS_URL !== undefined) {
    // Loaded only when configured: the embedded default has no use for it (22 MB).
    const { Redis } = await import('ioredis')
    // No offline queue: while Redis is away a limit fails at once (and is skipped, or answers 503)
    // instead of waiting. ioredis reconnects by itself, here every half second at most (its default
    // waits up to 2 s), so that limits count again soon after Redis returns.
    const client = new Redis(config.REDIS_URL, {
      connectTimeout: 2000, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (times) => Math.min(times * 50, 500)
    })
    // Without a listener every failed reconnection would print a raw stack trace; one line per outage instead.
    client.on('error', (err) => { outage.failed(err) })
    client.on('ready', () => { outage.recovered() })
    // An instance starts while Redis is down (RATE_LIMIT_SKIP_ON_STORE_ERROR says what its limits do
    // meanwhile), but gives it its first attempt to connect, so that the first requests find it.
    await new Promise<void>((resolve) => { client.once('ready', resolve).once('error', () => { resolve() }) })
    app.addHook('onClose', async () => { client.disconnect() })
    redis = client
  }
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_GLOBAL_MAX,
    timeWindow: config.RATE_LIMIT_GLOBAL_WINDOW,
    ...(redis !== undefined && { redis: storeClient(redis, outage), nameSpace: config.RATE_LIMIT_REDIS_PREFIX }),
    // When the shared store is down, keep taking signatures rather than refuse everyone (configurable).
    skipOnError: config.RATE_LIMIT_SKIP_ON_STORE_ERROR,
    // Only a refused request says when to come back (Retry-After); the others stay small.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_request, context) => appError('RATE_LIMITED', { seconds: Math.max(1, Math.ceil(context.ttl / 1000)) })
  })
  app.decorate('limitSigning', sharedLimiter(app, config.RATE_LIMIT_SIGN_MAX, config.RATE_LIMIT_SIGN_WINDOW,
    (request) => `sign:${request.ip}:${(request.params as { slug?: string }).slug ?? ''}`))
  app.decorate('limitSignIn', sharedLimiter(app, config.RATE_LIMIT_SIGNIN_MAX, config.RATE_LIMIT_SIGNIN_WINDOW, (request) => `signin:${request.ip}`))
  app.decorate('limitAppealLookups', sharedLimiter(app, config.RATE_LIMIT_GLOBAL_MAX, config.RATE_LIMIT_GLOBAL_WINDOW, (request) => `lookup:${request.ip}`))
}

/**
 * The client as the rate-limit store sees it: a counter that cannot be counted because Redis is away
 * fails with our 503 (when RATE_LIMIT_SKIP_ON_STORE_ERROR=false lets it through) instead of the client's
 * raw error, which would answer 500; the outage is logged once. Without an offline queue that is at once.
 */
function storeClient (redis: Redis, outage: Outage): Redis {
  return new Proxy(redis, {
    get (target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      if (property !== 'rateLimit' && property !== 'rateLimitRead') return value.bind(target)
      return (...args: unknown[]) => {
        const callback = args.pop() as (err: unknown, result?: unknown) => void
        return value.call(target, ...args, (err: unknown, result: unknown) => {
          if (err === null || err === undefined) return callback(null, result)
          outage.failed(err)
          callback(appError('SERVICE_UNAVAILABLE'))
        })
      }
    }
  })
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The limit on signing, per address and appeal, as an onRequest hook shared by every way of signing
     * (the API, the appeal page's form, the signing widget): one counter, whichever way the signature
     * comes. A busy appeal does not use up a signer's allowance for another.
     */
    limitSigning: onRequestAsyncHookHandler
    /** The limit on sign-in attempts (and first-run set-up) per address, shared by the API and the dashboard's forms. */
    limitSignIn: onRequestAsyncHookHandler
    /**
     * The per-address limit, for routes otherwise exempt from it (the cached stats), on the requests
     * that reach the database: slugs not in the appeals' cache, such as a flood of random ones.
     */
    limitAppealLookups: onRequestAsyncHookHandler
  }
}

// A route's own `config.rateLimit` gets a store of its own (in memory, and a key prefix of its own in
// Redis), so three routes configured alike would allow three times the limit. One limiter is made
// here instead for each kind of attempt, and every route of that kind calls it.
function sharedLimiter (app: FastifyInstance, max: number, timeWindow: string, key: (request: FastifyRequest) => string): onRequestAsyncHookHandler {
  const limit = app.createRateLimit({ max, timeWindow, keyGenerator: key })
  return async (request, reply) => {
    const result = await limit(request)
    if (result.isAllowed || !result.isExceeded) return
    const seconds = Math.max(1, result.ttlInSeconds)
    reply.header('retry-after', seconds)
    throw appError('RATE_LIMITED', { seconds })
  }
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['config', 'outages'] })
