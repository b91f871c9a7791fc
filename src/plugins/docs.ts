import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

// OpenAPI document built from the routes' own schemas, browsable at /docs.
async function docsPlugin (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Solidaria API',
        version: '0.1.0',
        description: 'Appeals, signatures, endorsing organisations, solidarity events, counts and exports. ' +
          'Every error has the shape {"error": {"code", "message", "fields"}}; codes are listed in the README.'
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'solidaria_session' },
          token: { type: 'http', scheme: 'bearer' }
        }
      }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
}

export default fp(docsPlugin, { name: 'docs' })
