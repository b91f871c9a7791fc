import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SlugParams, withErrors } from '../http/schemas.js'
import { signedIn } from '../organisers/auth.js'
import { AdminFiltersQuery } from '../signatures/schemas.js'
import { sheetColumns } from './service.js'
import { XLSX_TYPE, xlsxStream } from './xlsx.js'

const EXPORT_TIMEOUT_MS = 600_000

const formats = {
  csv: { type: 'text/csv; charset=utf-8; header=present', mediaType: 'text/csv', description: 'The signatures, one a line (RFC 4180), times in UTC' },
  ndjson: { type: 'application/x-ndjson; charset=utf-8', mediaType: 'application/x-ndjson', description: 'The signatures, one JSON object a line, times in ISO 8601' },
  xlsx: { type: XLSX_TYPE, mediaType: XLSX_TYPE, description: 'The signatures as a workbook of one sheet, times as dates in UTC' }
} as const

const timeColumns = new Set(sheetColumns.filter((name) => name.endsWith('Utc')))

// A comma-separated file opens as one column in a spreadsheet program set to a language that writes
// decimals with a comma (Spanish, French, German, ...): those use semicolons. `sep=;` as a first line
// would make Excel ignore the byte-order mark (and garble every Greek or Arabic name) and be read as
// data by everything else, so the separator is chosen instead. XLSX needs neither.
const CsvQuery = Type.Object({
  ...AdminFiltersQuery,
  separator: Type.Optional(Type.Union([Type.Literal('comma'), Type.Literal('semicolon')], { description: 'comma (the default, RFC 4180) or semicolon' }))
}, { additionalProperties: false })
const FiltersQuery = Type.Object(AdminFiltersQuery, { additionalProperties: false })

const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, exports } = app.services

  for (const [extension, format] of Object.entries(formats) as Array<[keyof typeof formats, (typeof formats)[keyof typeof formats]]>) {
    app.get(`/appeals/:slug/export.${extension}`, {
      schema: {
        tags: ['admin: exports'],
        summary: `All signatures with every field as ${extension.toUpperCase()}, streamed`,
        params: SlugParams,
        querystring: extension === 'csv' ? CsvQuery : FiltersQuery,
        response: withErrors({
          200: { description: format.description, content: { [format.mediaType]: { schema: Type.String(extension === 'xlsx' ? { format: 'binary' } : {}) } } }
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
      const { separator, ...filters } = request.query as typeof request.query & { separator?: 'comma' | 'semicolon' }
      if (extension === 'xlsx') return reply.send(xlsxStream(sheetColumns, timeColumns, exports.sheetRows(appeal, filters)))
      const lines = extension === 'csv' ? exports.csv(appeal, filters, separator) : exports.ndjson(appeal, filters)
      // A byte stream that reads ahead one batch at most (object mode would buffer sixteen of them).
      return reply.send(Readable.from(lines, { objectMode: false, highWaterMark: 64 * 1024 }))
    })
  }
}

export default exportRoutes
