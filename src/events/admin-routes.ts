import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Slug, SlugParams, Uuid, withErrors } from '../http/schemas.js'
import { signedIn } from '../organisers/auth.js'
import { approveEvent } from './approval.js'
import { EventInput, EventPatch, EventSchema, presentEvent } from './schemas.js'

const EventParams = Type.Object({ slug: Slug, id: Uuid })

const adminEventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, events } = app.services
  const errors = [401, 403, 404]

  app.post('/appeals/:slug/events', {
    schema: { tags: ['admin: events'], summary: 'Record a solidarity event', params: SlugParams, body: EventInput, response: withErrors({ 201: EventSchema }, ...errors) }
  }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'events.edit')
    return reply.code(201).send(presentEvent(await events.create(appeal, request.body)))
  })

  app.patch('/appeals/:slug/events/:id', {
    schema: { tags: ['admin: events'], summary: 'Change a solidarity event', params: EventParams, body: EventPatch, response: withErrors({ 200: EventSchema }, ...errors) }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'events.edit')
    return presentEvent(await events.update(appeal, request.params.id, request.body))
  })

  app.post('/appeals/:slug/events/:id/approval', {
    schema: {
      tags: ['admin: events'], summary: 'Approve a supporter\'s event: it shows on the map, in the lists and the calendar feed', params: EventParams,
      response: withErrors({ 200: EventSchema }, ...errors)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    return presentEvent(await approveEvent(app, appeal, request.params.id))
  })

  app.post('/appeals/:slug/events/:id/report-approval', {
    schema: {
      tags: ['admin: events'], summary: 'Approve the report sent after an event: its attendance becomes the event\'s', params: EventParams,
      response: withErrors({ 200: EventSchema }, ...errors)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    return presentEvent(await events.approveReport(appeal, request.params.id))
  })

  app.delete('/appeals/:slug/events/:id', {
    schema: { tags: ['admin: events'], summary: 'Remove a solidarity event', params: EventParams, response: withErrors({ 204: Type.Null() }, ...errors) }
  }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'events.edit')
    await events.remove(appeal, request.params.id)
    return reply.code(204).send(null)
  })
}

export default adminEventRoutes
