import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SlugParams, withErrors } from '../http/schemas.js'
import { EventSchema, presentEvent } from './schemas.js'

const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, events } = app.services

  app.get('/appeals/:slug/events', {
    schema: {
      tags: ['events'],
      summary: 'Solidarity events of an appeal, in date order',
      params: SlugParams,
      response: withErrors({ 200: Type.Object({ items: Type.Array(EventSchema) }) }, 404)
    }
  }, async (request) => {
    const appeal = await appeals.getPublic(request.params.slug)
    return { items: (await events.list(appeal)).map(presentEvent) }
  })
}

export default eventRoutes
