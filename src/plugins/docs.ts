import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { completeDocument } from './openapi.js'

// OpenAPI document built from the routes' own schemas, browsable at /docs.
async function docsPlugin (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Solidaria API',
        version: '0.1.0',
        description: 'Appeals, signatures, endorsing organisations, solidarity events, counts and exports. ' +
          'Every error has the shape {"error": {"code", "message", "fields"}}; codes are listed in the README.',
        license: { name: 'AGPL-3.0-or-later', url: 'https://www.gnu.org/licenses/agpl-3.0.html' }
      },
      // Relative: the document is right wherever the server is reached.
      servers: [{ url: '/', description: 'This server' }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'solidaria_session' },
          token: { type: 'http', scheme: 'bearer' }
        }
      }
    },
    transformObject: (document) => 'openapiObject' in document ? completeDocument(document.openapiObject) as typeof document.openapiObject : document.swaggerObject
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
}

export default fp(docsPlugin, { name: 'docs' })
