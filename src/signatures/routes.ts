import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestLanguage } from '../http/language.js'
import { SlugParams, withErrors } from '../http/schemas.js'
import { Organisation, PublicListQuery, PublicSignature, SignatureInput, SignedResponse } from './schemas.js'

const signatureRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, signatures } = app.services

  app.post('/appeals/:slug/signatures', {
    schema: {
      tags: ['signatures'],
      summary: 'Sign an appeal, as a person or on behalf of an organisation',
      params: SlugParams,
      body: SignatureInput,
      response: withErrors({ 201: SignedResponse }, 404, 409, 413, 415)
    },
    onRequest: app.limitSigning
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const result = await signatures.sign(appeal, request.body, { ip: request.ip, source: 'api', language: requestLanguage(request, appeal.originalLanguage) })
    return reply.code(201).send({ status: result.status })
  })

  app.get('/appeals/:slug/signatures', {
    schema: {
      tags: ['signatures'],
      summary: 'Signatures whose owners agreed to be shown, newest first',
      params: SlugParams,
      querystring: PublicListQuery,
      response: withErrors({ 200: Type.Object({ items: Type.Array(PublicSignature), nextCursor: Type.Union([Type.String(), Type.Null()]) }) }, 404)
    }
  }, async (request) => {
    const appeal = await appeals.getPublic(request.params.slug)
    return signatures.listPublic(appeal, request.query)
  })

  app.get('/appeals/:slug/organisations', {
    schema: {
      tags: ['signatures'],
      summary: 'Organisations endorsing the appeal, largest first',
      params: SlugParams,
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })
      }, { additionalProperties: false }),
      response: withErrors({ 200: Type.Object({ items: Type.Array(Organisation) }) }, 404)
    }
  }, async (request) => {
    const appeal = await appeals.getPublic(request.params.slug)
    return { items: await signatures.listOrganisations(appeal, request.query) }
  })
}

export default signatureRoutes
