import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SignatureId, Slug, SlugParams, Uuid, withErrors } from '../http/schemas.js'
import { actorOf, signedIn } from '../organisers/auth.js'
import { assertFiltersAllowed, forRole } from './redaction.js'
import { auditFilters, bulkDetails } from './audit-details.js'
import { AdminFiltersQuery, AdminSignature, BulkHideInput } from './schemas.js'

const SignatureParams = Type.Object({ slug: Slug, id: SignatureId })

// The organisers' view of signatures: every field, email included, for the appeals they manage.
const adminSignatureRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, signatures, erasure, audit } = app.services
  const errors = [401, 403, 404]

  app.get('/appeals/:slug/signatures', {
    schema: {
      tags: ['admin: signatures'],
      summary: 'Search and filter signatures, newest first',
      params: SlugParams,
      querystring: Type.Object({
        ...AdminFiltersQuery,
        before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'nextBefore from the previous page' })),
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 })
      }, { additionalProperties: false }),
      response: withErrors({ 200: Type.Object({ items: Type.Array(AdminSignature), nextBefore: Type.Union([Type.Integer(), Type.Null()]) }) }, ...errors)
    }
  }, async (request) => {
    const { appeal, contactData } = await appeals.access(signedIn(request), request.params.slug, 'signatures.moderate')
    assertFiltersAllowed(contactData, request.query)
    const page = await signatures.search(appeal, request.query)
    if (!contactData) return { ...page, items: page.items.map((item) => forRole(contactData, item)) }
    // Opening sealed fields is recorded: what was asked (never the email searched for) and how many were shown.
    await audit.record(actorOf(request), 'signatures.view', { appealId: appeal.id, details: { count: page.items.length, filters: auditFilters(request.query) } })
    return page
  })

  for (const [action, hidden] of [['hide', true], ['unhide', false]] as const) {
    app.post(`/appeals/:slug/signatures/:id/${action}`, {
      schema: {
        tags: ['admin: signatures'],
        summary: hidden ? 'Hide a spam signature: it stops counting and showing' : 'Undo hiding a signature',
        params: SignatureParams,
        response: withErrors({ 200: AdminSignature }, ...errors)
      }
    }, async (request) => {
      const { appeal, contactData } = await appeals.access(signedIn(request), request.params.slug, 'signatures.moderate')
      return forRole(contactData, await signatures.setHidden(appeal, request.params.id, hidden))
    })
  }

  for (const [action, notable] of [['notable', true], ['not-notable', false]] as const) {
    app.post(`/appeals/:slug/signatures/:id/${action}`, {
      schema: {
        tags: ['admin: signatures'],
        summary: notable ? 'Mark a signature as notable' : 'Unmark a notable signature',
        params: SignatureParams,
        response: withErrors({ 200: AdminSignature }, ...errors)
      }
    }, async (request) => {
      const { appeal, contactData } = await appeals.access(signedIn(request), request.params.slug, 'signatures.moderate')
      return forRole(contactData, await signatures.setNotable(appeal, request.params.id, notable))
    })
  }

  app.post('/appeals/:slug/signatures/bulk-hide', {
    schema: {
      tags: ['admin: signatures'],
      summary: 'Hide as spam every visible signature from one address or email domain, within a time window (dryRun: only count)',
      params: SlugParams,
      body: BulkHideInput,
      response: withErrors({ 200: Type.Object({ count: Type.Integer(), batch: Type.Union([Type.String(), Type.Null()], { description: 'to undo it with' }) }) }, ...errors)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.moderate')
    const { dryRun, ...criteria } = request.body
    const result = await signatures.bulkHide(appeal, criteria, dryRun === true)
    if (dryRun !== true) await audit.record(actorOf(request), 'signatures.bulkHide', { appealId: appeal.id, details: bulkDetails(criteria, result) })
    return result
  })

  app.post('/appeals/:slug/signatures/bulk-hide/:batch/undo', {
    schema: {
      tags: ['admin: signatures'],
      summary: 'Bring back what one bulk hiding hid',
      params: Type.Object({ slug: Slug, batch: Uuid }),
      response: withErrors({ 200: Type.Object({ count: Type.Integer() }) }, ...errors)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.moderate')
    const count = await signatures.undoBulkHide(appeal, request.params.batch)
    await audit.record(actorOf(request), 'signatures.bulkHideUndo', { appealId: appeal.id, details: { batch: request.params.batch, count } })
    return { count }
  })

  app.delete('/appeals/:slug/signatures/:id', {
    schema: {
      tags: ['admin: signatures'],
      summary: 'Erase a signature on its owner\'s request: personal fields removed, no longer counted',
      params: SignatureParams,
      response: withErrors({ 200: AdminSignature }, ...errors)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.erase')
    const erased = await erasure.eraseOne(appeal, request.params.id)
    await audit.record(actorOf(request), 'signatures.erase', { appealId: appeal.id, details: { signatureId: request.params.id } })
    return erased
  })
}

export default adminSignatureRoutes
