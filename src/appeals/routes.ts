import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SlugParams, withErrors } from '../http/schemas.js'
import { AppealSchema, presentAppeal } from './schemas.js'

// Public, read-only appeal data.
const appealRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals } = app.services

  app.get('/appeals', {
    schema: {
      tags: ['appeals'],
      summary: 'Open appeals with their texts in every language they have',
      response: withErrors({ 200: Type.Object({ items: Type.Array(AppealSchema) }) })
    }
  }, async () => {
    const list = await appeals.listOpen()
    return { items: list.map((a) => presentAppeal(a, a.texts)) }
  })

  app.get('/appeals/:slug', {
    schema: {
      tags: ['appeals'],
      summary: 'One open or closed appeal with its texts',
      params: SlugParams,
      response: withErrors({ 200: AppealSchema }, 404)
    }
  }, async (request) => {
    const appeal = await appeals.getPublic(request.params.slug)
    return presentAppeal(appeal, await appeals.texts(appeal))
  })
}

export default appealRoutes
