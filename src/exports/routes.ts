import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SlugParams, withErrors } from '../http/schemas.js'
import { actorOf, signedIn } from '../organisers/auth.js'
import { auditFilters } from '../signatures/audit-details.js'
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

/**
 * Passes the export through, counting its rows (its lines; a CSV's first is the header: no field holds a
 * line break, since input is stripped of control characters), and reports them when it ends or is cut off.
 */
/** Passes batches of rows through, counting the rows, and reports the count when they end or are cut off. */
async function * countBatches<T> (batches: AsyncIterable<T[]>, report: (rows: number, complete: boolean) => Promise<void>): AsyncGenerator<T[]> {
  let count = 0
  let complete = false
  try {
    for await (const batch of batches) {
      count += batch.length
      yield batch
    }
    complete = true
  } finally {
    await report(count, complete)
  }
}

async function * countRows (
  chunks: AsyncGenerator<Buffer>, header: boolean, report: (rows: number, complete: boolean) => Promise<void>
): AsyncGenerator<Buffer> {
  let lines = 0
  let complete = false
  try {
    for await (const chunk of chunks) {
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++
      yield chunk
    }
    complete = true
  } finally {
    await report(Math.max(0, lines - (header ? 1 : 0)), complete)
  }
}

const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, exports, audit } = app.services

  for (const [extension, format] of Object.entries(formats) as Array<[keyof typeof formats, (typeof formats)[keyof typeof formats]]>) {
    app.get(`/appeals/:slug/export.${extension}`, {
      schema: {
        tags: ['admin: exports'],
        summary: `All signatures with every field as ${extension.toUpperCase()}, streamed`,
        params: SlugParams,
        querystring: extension === 'csv' ? CsvQuery : FiltersQuery,
        response: withErrors({
          200: { description: format.description, content: { [format.mediaType]: { schema: Type.String(extension === 'xlsx' ? { format: 'binary' } : {}) } } }
        }, 401, 403, 404)
      },
      // The request deadline runs until the last byte is sent: an export of a large appeal streams for
      // minutes (each of its batches is a statement under the statement deadline), as long as nginx allows.
      config: { deadlineMs: EXPORT_TIMEOUT_MS }
    }, async (request, reply) => {
      const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.export')
      const actor = actorOf(request)
      const date = new Date().toISOString().slice(0, 10)
      reply.header('content-disposition', `attachment; filename="${appeal.slug}-signatures-${date}.${extension}"`)
      reply.header('cache-control', 'private, no-store')
      reply.type(format.type)
      const { separator, ...filters } = request.query as typeof request.query & { separator?: 'comma' | 'semicolon' }
      // Recorded once the last row went out, with how many did (an export cut off midway says so).
      const record = async (rows: number, complete: boolean): Promise<void> => {
        await audit.record(actor, 'signatures.export', { appealId: appeal.id, details: { format: extension, rows, complete, filters: auditFilters(filters) } })
      }
      if (extension === 'xlsx') return reply.send(xlsxStream(sheetColumns, timeColumns, countBatches(exports.sheetRows(appeal, filters), record)))
      const lines = extension === 'csv' ? exports.csv(appeal, filters, separator) : exports.ndjson(appeal, filters)
      // A byte stream that reads ahead one batch at most (object mode would buffer sixteen of them).
      const counted = countRows(lines, extension === 'csv', record)
      return reply.send(Readable.from(counted, { objectMode: false, highWaterMark: 64 * 1024 }))
    })
  }
}

export default exportRoutes
