import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { noneMatch } from '../http/conditional.js'
import { SlugParams, Timestamp, withErrors } from '../http/schemas.js'

const StatsSchema = Type.Object({
  signatures: Type.Integer(),
  individuals: Type.Integer(),
  organisations: Type.Integer(),
  countries: Type.Integer(),
  membersRepresented: Type.Integer(),
  events: Type.Integer(),
  eventCountries: Type.Integer(),
  byCountry: Type.Record(Type.String(), Type.Integer()),
  updatedAt: Timestamp
})

// Read by the OpenAPI document: a client caches by the ETag and revalidates with If-None-Match.
const cacheHeaders = {
  ETag: { type: 'string', description: 'Send it back in If-None-Match: 304 while the counts are the same (compared weakly)' },
  'Cache-Control': { type: 'string', description: 'How long the counts may be reused' }
}

// The counts are the same in every language and for every origin (CORS allows any, with the same header):
// only their encoding tells one answer from another.
const KEYED = ['accept-encoding']

const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, stats } = app.services
  const maxAge = Math.max(1, Math.ceil(app.config.STATS_TTL_MS / 1000))
  // An overloaded instance refuses through its hooks (plugins/pressure.ts), which a prepared answer skips.
  const underPressure = app.hasDecorator('isUnderPressure') ? () => app.isUnderPressure() : () => false

  app.get('/appeals/:slug/stats', {
    schema: {
      tags: ['stats'],
      summary: 'Live counts of confirmed signatures, organisations, members represented and events',
      description: `Cached for up to ${maxAge} s; send If-None-Match with the ETag to get 304 when nothing changed.`,
      params: SlugParams,
      headers: Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 2000, description: 'ETags of counts already held' })) }),
      response: withErrors({ 200: { ...StatsSchema, headers: cacheHeaders }, 304: Type.Null({ headers: cacheHeaders }) }, 404)
    },
    // Live counters are polled by everyone watching an appeal, often many people behind one address (a
    // union hall, a campus); the answer is cached, so serving it costs no more than refusing it would.
    // A slug the cache does not know costs a query, and those are limited per address as usual.
    config: { rateLimit: false }
  }, async (request, reply) => {
    if (!appeals.isCachedPublic(request.params.slug)) await app.limitAppealLookups(request, reply)
    const appeal = await appeals.getPublic(request.params.slug)
    const entry = await stats.get(appeal.id)
    reply.header('cache-control', `public, max-age=${maxAge}, stale-while-revalidate=${maxAge * 5}`)
    reply.header('etag', entry.etag)
    if (noneMatch(request.headers['if-none-match'], entry.etag)) return reply.code(304).send(null)
    // Everyone polling the same counts is sent the same bytes (http/prepared-answers.ts) until they are
    // recounted, the appeal changes or the instance is shutting down or overloaded.
    const { slug } = request.params
    app.preparedAnswers.keep(request.raw, () =>
      stats.isCurrent(appeal.id, entry) && appeals.cachedPublic(slug)?.id === appeal.id && !app.draining.begun && !underPressure(), KEYED)
    // Serialised once per refresh, not once per reader.
    return reply.type('application/json; charset=utf-8').serializer((payload) => payload as string).send(entry.json)
  })
}

export default statsRoutes
