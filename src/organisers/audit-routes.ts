import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Nullable, SlugParams, TimestampOut, withErrors } from '../http/schemas.js'
import { assertMay, signedIn } from './auth.js'
import { auditActions } from '../audit/service.js'

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: TimestampOut,
  actorId: Nullable(Type.String()),
  actorEmail: Nullable(Type.String()),
  via: Nullable(Type.String()),
  action: Type.String(),
  appeal: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  ipHash: Nullable(Type.String({ description: 'keyed hash of the address (never the address)' }))
})

export const AuditQuery = Type.Object({
  action: Type.Optional(Type.Union(auditActions.map((a) => Type.Literal(a)))),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'nextBefore from the previous page' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 })
}, { additionalProperties: false })

const Page = Type.Object({ items: Type.Array(AuditEntry), nextBefore: Nullable(Type.Integer()) })

// The audit trail: an appeal's owners read its own, admins all of it.
const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, audit } = app.services

  app.get('/audit', {
    schema: { tags: ['admin: audit'], summary: 'The whole audit trail, newest first (admins only)', querystring: AuditQuery, response: withErrors({ 200: Page }, 401, 403) }
  }, async (request) => {
    assertMay(request, 'audit.readAll')
    return audit.list(request.query)
  })

  app.get('/appeals/:slug/audit', {
    schema: { tags: ['admin: audit'], summary: 'The appeal\'s audit trail, newest first (owners and admins)', params: SlugParams, querystring: AuditQuery, response: withErrors({ 200: Page }, 401, 403, 404) }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'audit.read')
    return audit.list({ ...request.query, appealIds: [appeal.id] })
  })
}

export default auditRoutes
