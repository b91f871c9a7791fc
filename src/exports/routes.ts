import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SlugParams, withErrors } from '../http/schemas.js'
import { signedIn } from '../organisers/auth.js'
import { AdminFiltersQuery } from '../signatures/schemas.js'

const EXPORT_TIMEOUT_MS = 600_000

const formats = {
  csv: { type: 'text/csv; charset=utf-8; header=present', mediaType: 'text/csv', method: 'csv' },
  ndjson: { type: 'application/x-ndjson; charset=utf-8', mediaType: 'application/x-ndjson', method: 'ndjson' }
} as const

const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, exports } = app.services

  for (const [extension, format] of Object.entries(formats)) {
    app.get(`/appeals/:slug/export.${extension}`, {
      schema: {
        tags: ['admin: exports'],
        summary: `All signatures with every field as ${extension.toUpperCase()}, streamed`,
        params: SlugParams,
        querystring: Type.Object(AdminFiltersQuery, { additionalProperties: false }),
        response: withErrors({
          200: { description: `The signatures, one a line, streamed as ${format.mediaType}`, content: { [format.mediaType]: { schema: Type.String() } } }
        }, 401, 404)
      },
      // The request deadline runs until the last byte is sent: an export of a large appeal streams for
      // minutes (each of its batches is a statement under the statement deadline), as long as nginx allows.
      handlerTimeout: EXPORT_TIMEOUT_MS
    }, async (request, reply) => {
      const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
      const date = new Date().toISOString().slice(0, 10)
      reply.header('content-disposition', `attachment; filename="${appeal.slug}-signatures-${date}.${extension}"`)
      reply.header('cache-control', 'private, no-store')
      reply.type(format.type)
      // A byte stream that reads ahead one batch at most (object mode would buffer sixteen of them).
      return reply.send(Readable.from(exports[format.method](appeal, request.query), { objectMode: false, highWaterMark: 64 * 1024 }))
    })
  }
}

export default exportRoutes
