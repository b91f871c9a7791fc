import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { invalidFields } from '../errors/app-error.js'
import { Nullable, Slug, SlugParams, TimestampOut, Url, Uuid, withErrors } from '../http/schemas.js'
import { signedIn } from '../organisers/auth.js'
import { webhookEventTypes } from './events.js'

const EndpointParams = Type.Object({ slug: Slug, id: Uuid })
const EventType = Type.Union(webhookEventTypes.map((type) => Type.Literal(type)))

export const WebhookEndpointInput = Type.Object({
  url: Url,
  events: Type.Array(EventType, { minItems: 1, maxItems: webhookEventTypes.length, uniqueItems: true }),
  includePersonal: Type.Optional(Type.Boolean({ description: 'Add signers\' names and addresses (only of those who agreed to be contacted)' }))
}, { additionalProperties: false })

const EndpointSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  includePersonal: Type.Boolean(),
  enabled: Type.Boolean(),
  previousSecretExpiresAt: Nullable(TimestampOut),
  createdAt: TimestampOut
})
const EndpointWithSecret = Type.Object({
  ...EndpointSchema.properties,
  secret: Type.String({ description: 'The signing secret (Standard Webhooks whsec_…), shown this once' })
})
const DeliverySchema = Type.Object({
  id: Type.Integer(),
  messageId: Type.String(),
  type: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('cancelled')]),
  attempts: Type.Integer(),
  nextAttemptAt: TimestampOut,
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: TimestampOut,
  deliveredAt: Nullable(TimestampOut)
})

const present = <T extends { appealId?: string }>(endpoint: T): Omit<T, 'appealId'> => {
  const { appealId: _appeal, ...rest } = endpoint
  return rest
}

/** An appeal's webhook endpoints, for its organisers: Standard Webhooks deliveries of what happens on it. */
const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, webhooks } = app.services
  const tags = ['admin: webhooks']

  app.get('/appeals/:slug/webhooks', {
    schema: { tags, summary: 'The appeal\'s webhook endpoints', params: SlugParams, response: withErrors({ 200: Type.Object({ items: Type.Array(EndpointSchema) }) }, 401, 404) }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    return { items: (await webhooks.list(appeal)).map(present) }
  })

  app.post('/appeals/:slug/webhooks', {
    schema: {
      tags, summary: 'Add a webhook endpoint; its signing secret is answered this once', params: SlugParams, body: WebhookEndpointInput,
      response: withErrors({ 201: EndpointWithSecret }, 401, 404)
    }
  }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    if (!app.config.WEBHOOKS_ALLOW_PRIVATE && !request.body.url.startsWith('https://')) throw invalidFields({ url: { key: 'url' } })
    return reply.code(201).send(present(await webhooks.create(appeal, request.body)))
  })

  app.post('/appeals/:slug/webhooks/:id/rotate-secret', {
    schema: {
      tags, summary: 'A new signing secret, answered this once; the previous one also signs for 24 hours', params: EndpointParams,
      response: withErrors({ 200: EndpointWithSecret }, 401, 404)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    return present(await webhooks.rotateSecret(appeal, request.params.id))
  })

  app.delete('/appeals/:slug/webhooks/:id', {
    schema: { tags, summary: 'Remove a webhook endpoint and its delivery log', params: EndpointParams, response: withErrors({ 204: Type.Null() }, 401, 404) }
  }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await webhooks.remove(appeal, request.params.id)
    return reply.code(204).send(null)
  })

  app.get('/appeals/:slug/webhooks/:id/deliveries', {
    schema: {
      tags, summary: 'The endpoint\'s latest deliveries, newest first', params: EndpointParams,
      response: withErrors({ 200: Type.Object({ items: Type.Array(DeliverySchema) }) }, 401, 404)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    return { items: await webhooks.deliveries(appeal, request.params.id) }
  })
}

export default webhookRoutes
