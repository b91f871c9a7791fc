import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SignatureId, Slug, SlugParams, Uuid, withErrors } from '../http/schemas.js'
import { signedIn } from '../organisers/auth.js'
import { AdminFiltersQuery, AdminSignature, BulkHideInput } from './schemas.js'

const SignatureParams = Type.Object({ slug: Slug, id: SignatureId })

// The organisers' view of signatures: every field, email included, for the appeals they manage.
const adminSignatureRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, signatures, erasure } = app.services
  const errors = [401, 404]

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
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    return signatures.search(appeal, request.query)
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
      const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
      return signatures.setHidden(appeal, request.params.id, hidden)
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
      const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
      return signatures.setNotable(appeal, request.params.id, notable)
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
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const { dryRun, ...criteria } = request.body
    return signatures.bulkHide(appeal, criteria, dryRun === true)
  })

  app.post('/appeals/:slug/signatures/bulk-hide/:batch/undo', {
    schema: {
      tags: ['admin: signatures'],
      summary: 'Bring back what one bulk hiding hid',
      params: Type.Object({ slug: Slug, batch: Uuid }),
      response: withErrors({ 200: Type.Object({ count: Type.Integer() }) }, ...errors)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    return { count: await signatures.undoBulkHide(appeal, request.params.batch) }
  })

  app.delete('/appeals/:slug/signatures/:id', {
    schema: {
      tags: ['admin: signatures'],
      summary: 'Erase a signature on its owner\'s request: personal fields removed, no longer counted',
      params: SignatureParams,
      response: withErrors({ 200: AdminSignature }, ...errors)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    return erasure.eraseOne(appeal, request.params.id)
  })
}

export default adminSignatureRoutes
