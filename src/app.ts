import cookie from '@fastify/cookie'
import cors from '@fastify/cors'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Server } from 'node:http'
import Fastify, { type FastifyHttpOptions, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from './config.js'
import type { DatabaseOptions } from './db/connection.js'
import { appError } from './errors/app-error.js'
import { clientErrorHandler } from './errors/client-error.js'
import errorHandler, { frameworkErrors } from './errors/handler.js'
import { declaresOtherCharset } from './http/charset.js'
import { createPreparedAnswers } from './http/prepared-answers.js'
import { normaliseInput } from './http/normalise-input.js'
import { serializerCompiler, validatorCompiler } from './http/validation.js'
import configPlugin from './plugins/config.js'
import databasePlugin from './plugins/database.js'
import deadlinePlugin from './plugins/deadline.js'
import drainingPlugin from './plugins/draining.js'
import outagesPlugin from './plugins/outages.js'
import pressurePlugin from './plugins/pressure.js'
import docsPlugin from './plugins/docs.js'
import compressionPlugin from './plugins/compression.js'
import { ORGANISER_SECURITY } from './plugins/openapi.js'
import i18nPlugin from './plugins/i18n.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import securityPlugin from './plugins/security.js'
import servicesPlugin from './plugins/services.js'
import mailSenderPlugin from './plugins/mail-sender.js'
import backgroundPlugin from './plugins/background.js'
import pagesPlugin from './plugins/pages.js'
import pageRoutes from './pages/routes.js'
import fundPages from './pages/fund.js'
import healthRoutes from './health/routes.js'
import authPlugin from './organisers/auth.js'
import setupPlugin from './organisers/setup.js'
import organiserRoutes, { sessionRoutes } from './organisers/routes.js'
import appealRoutes from './appeals/routes.js'
import adminAppealRoutes from './appeals/admin-routes.js'
import signatureRoutes from './signatures/routes.js'
import adminSignatureRoutes from './signatures/admin-routes.js'
import statsRoutes from './stats/routes.js'
import eventRoutes from './events/routes.js'
import placeRoutes from './places/routes.js'
import eventPagesRoutes from './pages/event-pages.js'
import adminEventRoutes from './events/admin-routes.js'
import exportRoutes from './exports/routes.js'
import embedRoutes from './embed/routes.js'
import embedAdminRoutes from './embed/admin-routes.js'
import confirmationRoutes from './confirmation/routes.js'
import removalRoutes from './erasure/routes.js'
import dashboard from './dashboard/plugin.js'
import fundRoutes from './fund/routes.js'
import adminFundRoutes from './fund/admin-routes.js'
import erasureAdminRoutes from './erasure/admin-routes.js'
import webhookRoutes from './webhooks/routes.js'
import adminUpdateRoutes from './updates/admin-routes.js'
import unsubscribeRoutes from './updates/routes.js'
import auditRoutes from './organisers/audit-routes.js'

// The paths of links in mails carry their token: logged, they would let a log reader confirm or remove
// someone's signature. Query strings are left out too (an organiser's search may be an email address,
// the first-run link carries its token), and so is the client's address (it is never stored).
const TOKEN_PATHS = /^\/(confirm|remove|unsubscribe|resubscribe)\/[^/]+/

/** What is logged of a request: its method and path, with any token replaced, without its query. */
function requestForLog (request: { method: string, url: string, id?: string }) {
  return { method: request.method, url: (request.url.split('?')[0] ?? '').replace(TOKEN_PATHS, '/$1/[token]'), id: request.id }
}

export function fastifyOptions (config: Config): FastifyHttpOptions<Server> {
  return {
    logger: config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL, serializers: { req: requestForLog } },
    trustProxy: config.TRUST_PROXY as FastifyServerOptions['trustProxy'],
    bodyLimit: config.BODY_LIMIT_BYTES,
    // What Fastify and Node's parser refuse themselves answers in our error shape too.
    frameworkErrors,
    clientErrorHandler,
    connectionTimeout: 30_000,
    // A client dripping its request a byte at a time is cut off (408) rather than hold a connection for ever.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    // Node checks the headers and request deadlines every 30 s by default, which would let a drip run that long.
    http: { headersTimeout: config.HEADERS_TIMEOUT_MS, connectionsCheckingInterval: Math.min(1000, config.HEADERS_TIMEOUT_MS) },
    // REQUEST_HANDLER_TIMEOUT_MS is kept by plugins/deadline.ts, not by Fastify's handlerTimeout (see there why).
    // Requests that still arrive while shutting down get our own 503 (plugins/draining.ts).
    return503OnClosing: false,
    // A first start creates and migrates the embedded database, which a slow machine may take a while over.
    pluginTimeout: 120_000
  }
}

export interface AppOptions {
  config: Config
  /** A migrated PGlite instance to use instead of opening DATA_DIR (tests clone one template per test). */
  pglite?: DatabaseOptions['pglite']
}

/** The whole application as one plugin, so tests register exactly what the server runs. */
export async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  // 1. Configuration and infrastructure.
  await fastify.register(configPlugin, { config: opts.config })
  // First of the hooks, so that a request's deadline counts from its arrival.
  await fastify.register(deadlinePlugin)
  await fastify.register(outagesPlugin)
  await fastify.register(pressurePlugin)
  await fastify.register(i18nPlugin)
  await fastify.register(cookie)
  await fastify.register(securityPlugin)
  await fastify.register(rateLimitPlugin)
  // Before any route is added: it compresses the answers of the routes registered after it.
  await fastify.register(compressionPlugin)
  await fastify.register(docsPlugin)
  await fastify.register(databasePlugin, { ...(opts.pglite !== undefined && { pglite: opts.pglite }) })
  await fastify.register(mailSenderPlugin)
  await fastify.register(servicesPlugin)
  await fastify.register(backgroundPlugin)
  await fastify.register(pagesPlugin)
  // 2. Our own cross-cutting behaviour: one error shape, cleaned input, who is signed in.
  await fastify.register(errorHandler)
  await fastify.register(drainingPlugin)
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    done(declaresOtherCharset(request) ? appError('UNSUPPORTED_MEDIA_TYPE') : null, payload)
  })
  fastify.addHook('preValidation', (request, _reply, done) => {
    try {
      if (request.body !== undefined && request.body !== null && typeof request.body === 'object') {
        request.body = normaliseInput(request.body)
      }
      done()
    } catch (err) {
      done(err as Error)
    }
  })
  await fastify.register(authPlugin)
  await fastify.register(setupPlugin)
  // 3. Routes.
  await fastify.register(healthRoutes)
  await fastify.register(async (publicApi) => {
    // Any website may read public appeal data (counts, lists, events) from the browser.
    await publicApi.register(cors, { origin: '*', methods: ['GET', 'HEAD'] })
    await publicApi.register(appealRoutes)
    await publicApi.register(signatureRoutes)
    await publicApi.register(statsRoutes)
    await publicApi.register(eventRoutes)
    await publicApi.register(fundRoutes)
    await publicApi.register(placeRoutes)
  }, { prefix: '/api' })
  await fastify.register(async (adminApi) => {
    // Signing in and out, and the first admin's setup, come before any credentials.
    await adminApi.register(sessionRoutes)
    await adminApi.register(async (organisersOnly) => {
      // Checked once for everything below, before any route's own checks (an admin's, an appeal's
      // membership), so no admin route can be added without it.
      organisersOnly.addHook('preHandler', organisersOnly.requireOrganiser)
      // And said so in the OpenAPI document, where the check is made.
      organisersOnly.addHook('onRoute', (route) => { route.schema = { ...route.schema, security: ORGANISER_SECURITY } })
      await organisersOnly.register(organiserRoutes)
      await organisersOnly.register(adminAppealRoutes)
      await organisersOnly.register(adminSignatureRoutes)
      await organisersOnly.register(adminEventRoutes)
      await organisersOnly.register(exportRoutes)
      await organisersOnly.register(embedAdminRoutes)
      await organisersOnly.register(erasureAdminRoutes)
      await organisersOnly.register(webhookRoutes)
      await organisersOnly.register(adminFundRoutes)
      await organisersOnly.register(adminUpdateRoutes)
      await organisersOnly.register(auditRoutes)
    })
  }, { prefix: '/api/admin' })
  await fastify.register(embedRoutes)
  await fastify.register(pageRoutes)
  await fastify.register(fundPages)
  await fastify.register(eventPagesRoutes)
  await fastify.register(confirmationRoutes)
  await fastify.register(removalRoutes)
  await fastify.register(unsubscribeRoutes)
  await fastify.register(dashboard, { prefix: '/admin' })
}

export async function createApp (config: Config, options: Omit<AppOptions, 'config'> = {}): Promise<FastifyInstance> {
  const fastify = Fastify(fastifyOptions(config)).withTypeProvider<TypeBoxTypeProvider>()
  // Answers many clients share are sent again from their bytes, in front of Fastify (http/prepared-answers.ts);
  // logged as Fastify logs the requests it answers.
  const prepared = createPreparedAnswers()
  const logAnswers = ['info', 'debug', 'trace'].includes(config.LOG_LEVEL)
  prepared.install(fastify.server, logAnswers
    ? (request) => { fastify.log.info({ req: requestForLog({ method: 'GET', url: request.url ?? '' }), res: { statusCode: 200 }, prepared: true }, 'request completed') }
    : undefined)
  fastify.decorate('preparedAnswers', prepared)
  fastify.setValidatorCompiler(validatorCompiler)
  fastify.setSerializerCompiler(serializerCompiler)
  // Only JSON is accepted (415 otherwise); Fastify would also parse text/plain.
  fastify.removeContentTypeParser('text/plain')
  // Not encapsulated, so the server (and tests) see the app's decorators: db, services, config.
  await fastify.register(fp(app), { config, ...options })
  return fastify
}
