import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SlugParams, withErrors } from '../http/schemas.js'
import { actorOf, signedIn } from '../organisers/auth.js'
import { auditFilters } from '../signatures/audit-details.js'
import { AdminFiltersQuery } from '../signatures/schemas.js'

const EXPORT_TIMEOUT_MS = 600_000

const formats = {
  csv: { type: 'text/csv; charset=utf-8; header=present', method: 'csv' },
  ndjson: { type: 'application/x-ndjson; charset=utf-8', method: 'ndjson' }
} as const

/**
 * Passes the export through, counting its rows (its lines; a CSV's first is the header: no field holds a
 * line break, since input is stripped of control characters), and reports them when it ends or is cut off.
 */
async function * countRows (
  chunks: AsyncGenerator<string>, header: boolean, report: (rows: number, complete: boolean) => Promise<void>
): AsyncGenerator<string> {
  let lines = 0
  let complete = false
  try {
    for await (const chunk of chunks) {
      for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) lines++
      yield chunk
    }
    complete = true
  } finally {
    await report(Math.max(0, lines - (header ? 1 : 0)), complete)
  }
}

const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, exports, audit } = app.services

  for (const [extension, format] of Object.entries(formats)) {
    app.get(`/appeals/:slug/export.${extension}`, {
      schema: {
        tags: ['admin: exports'],
        summary: `All signatures with every field as ${extension.toUpperCase()}, streamed`,
        params: SlugParams,
        querystring: Type.Object(AdminFiltersQuery, { additionalProperties: false }),
        response: withErrors({ 200: Type.String() }, 401, 403, 404)
      },
      // The request deadline runs until the last byte is sent: an export of a large appeal streams for
      // minutes (each of its batches is a statement under the statement deadline), as long as nginx allows.
      handlerTimeout: EXPORT_TIMEOUT_MS
    }, async (request, reply) => {
      const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.export')
      const actor = actorOf(request)
      const date = new Date().toISOString().slice(0, 10)
      reply.header('content-disposition', `attachment; filename="${appeal.slug}-signatures-${date}.${extension}"`)
      reply.header('cache-control', 'private, no-store')
      reply.type(format.type)
      // A byte stream that reads ahead one batch at most (object mode would buffer sixteen of them).
      // Recorded once the last row went out, with how many did (an export cut off midway says so).
      const counted = countRows(exports[format.method](appeal, request.query), extension === 'csv', async (rows, complete) => {
        await audit.record(actor, 'signatures.export', { appealId: appeal.id, details: { format: extension, rows, complete, filters: auditFilters(request.query) } })
      })
      return reply.send(Readable.from(counted, { objectMode: false, highWaterMark: 64 * 1024 }))
    })
  }
}

export default exportRoutes
