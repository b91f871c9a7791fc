import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { uploadAsCsv } from '../imports/read-upload.js'
import { guessMapping, importFields, readCsv, rejectedRowsCsv, type CheckedRow, type ColumnMapping, type CsvTable, type ImportCheck, type ImportField } from '../imports/service.js'
import { signedIn } from '../organisers/auth.js'
import { refusal } from './form-input.js'
import { mappingPage, resultPage, uploadPage, type RowProblems } from './templates/imports.js'
import { adminView, sendAdmin } from './view.js'
import { SlugParams } from '../http/schemas.js'

/** One row's problems, translated. */
function describeProblems (app: FastifyInstance, lang: string, row: CheckedRow): string[] {
  const message = app.i18n.getFixedT(lang, 'errors')
  const label = app.i18n.getFixedT(lang, 'admin')
  return Object.entries(row.problems).map(([field, problem]) =>
    `${importFields.includes(field as ImportField) ? label(`fields.${field}`) : field}: ${message(`validation.${problem.key}`, problem.params ?? {})}`)
}

/** Each row's problems, translated, for the page. */
function problemsOf (app: FastifyInstance, lang: string, check: ImportCheck | undefined): RowProblems {
  return new Map((check?.rows ?? []).map((row) => [row.line, describeProblems(app, lang, row)]))
}

/** The mapping the form chose (column0, column1, …), or the guess from the titles. */
function mappingOf (body: Record<string, unknown>, table: CsvTable): ColumnMapping {
  if (!Object.keys(body).some((k) => k.startsWith('column'))) return guessMapping(table.header)
  return table.header.map((_title, i) => {
    const value = body[`column${i}`]
    return typeof value === 'string' && importFields.includes(value as ImportField) ? value as ImportField : null
  })
}

// Paper signatures: upload (or paste) a CSV, map its columns on screen, see the first rows with their
// errors, then import. Between the steps the file travels in the form itself: nothing of it is kept
// on the server until the import writes the valid rows.
const importPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, events, imports } = app.services

  async function context (request: FastifyRequest, slug: string) {
    const appeal = await appeals.getManaged(signedIn(request), slug, 'signatures.import')
    const [texts, eventList] = await Promise.all([appeals.texts(appeal), events.list(appeal)])
    return { appeal, texts, events: eventList }
  }

  app.get('/appeals/:slug/import', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const view = adminView(request, reply)
    return sendAdmin(reply, view, view.a('import.title'), uploadPage(view, await context(request, request.params.slug)))
  })

  app.post('/appeals/:slug/import', { schema: { hide: true, params: SlugParams, body: Type.Record(Type.String(), Type.Unknown()) } }, async (request, reply) => {
    const ctx = await context(request, request.params.slug)
    const view = adminView(request, reply)
    const body = request.body
    const eventId = typeof body.eventId === 'string' && ctx.events.some((e) => e.id === body.eventId) ? body.eventId : ''
    let table: CsvTable
    let csv = typeof body.csv === 'string' ? body.csv : ''
    try {
      // The file is read once (any encoding, or a workbook) and travels on as UTF-8 CSV in the form.
      if (Buffer.isBuffer(body.file) && body.file.length > 0) csv = (await uploadAsCsv(body.file)).text
      table = readCsv(csv)
    } catch (err) {
      const refused = refusal(request, err)
      return sendAdmin(reply, view, view.a('import.title'), uploadPage(view, { ...ctx, message: refused.message }), refused.status)
    }
    const mapping = mappingOf(body, table)
    const pageNumber = Math.max(0, Math.floor(Number(typeof body.page === 'string' ? body.page : 0)) || 0)
    const page = { ...ctx, eventId, csv, table, mapping, page: pageNumber }
    try {
      if (body.action === 'rejected') {
        const check = await imports.check(ctx.appeal, table, mapping)
        const file = rejectedRowsCsv(table, check, (row) => describeProblems(app, view.lang, row).join('; '), view.a('import.problems'))
        return await reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${ctx.appeal.slug}-rejected-rows.csv"`)
          .header('cache-control', 'no-store').send(file)
      }
      if (body.action === 'import') {
        const result = await imports.run(ctx.appeal, table, mapping, eventId === '' ? null : eventId)
        return sendAdmin(reply, view, view.a('import.doneTitle'), resultPage(view, { ...ctx, imported: result.imported, check: result }, problemsOf(app, view.lang, result)))
      }
      const check = await imports.check(ctx.appeal, table, mapping)
      return sendAdmin(reply, view, view.a('import.mapTitle'), mappingPage(view, { ...page, check }, problemsOf(app, view.lang, check)))
    } catch (err) {
      const refused = refusal(request, err)
      return sendAdmin(reply, view, view.a('import.mapTitle'), mappingPage(view, { ...page, message: refused.message }, new Map()), refused.status)
    }
  })
}

export default importPages
