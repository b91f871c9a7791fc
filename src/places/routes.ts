import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { CountryString, Nullable, withErrors } from '../http/schemas.js'
import { suggestCities } from './gazetteer.js'

const PlaceSchema = Type.Object({
  city: Nullable(Type.String()),
  country: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number()
})

// Suggestions while typing a city, from the gazetteer shipped with the server: the browser asks us,
// never a map service, so what a supporter types goes nowhere else.
const placeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/places', {
    schema: {
      tags: ['places'],
      summary: 'Cities whose name begins with what was typed (offline GeoNames gazetteer)',
      querystring: Type.Object({ q: Type.String({ minLength: 1, maxLength: 120 }), country: Type.Optional(CountryString) }),
      response: withErrors({ 200: Type.Object({ items: Type.Array(PlaceSchema) }) }, 400)
    }
  }, async (request, reply) => {
    const items = await suggestCities(request.query.q, request.query.country?.toUpperCase())
    return reply.header('cache-control', 'public, max-age=86400').send({ items: items.map(({ approximate: _a, ...place }) => place) })
  })
}

export default placeRoutes
