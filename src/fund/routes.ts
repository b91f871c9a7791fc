import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestLanguage } from '../http/language.js'
import { SlugParams, Uuid, withErrors } from '../http/schemas.js'
import { chooseFundText } from './texts.js'
import { ContributionReport, FundPublic, ReportedResponse } from './schemas.js'
import { acceptReceiptUploads } from './uploads.js'

const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35 })) })

// The fund's public API: the account (anyone may read it, as the appeal's counts), reporting a
// contribution (as signing: limited per address and appeal, the honeypot, nothing written on bad input),
// and the receipts of spending that organisers made public.
const fundRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, fund } = app.services
  await acceptReceiptUploads(app, app.config.FUND_RECEIPT_MAX_BYTES)

  app.get('/appeals/:slug/fund', {
    schema: {
      tags: ['fund'], summary: 'The public account of an appeal\'s fund, with what it is for and how to give', params: SlugParams, querystring: LangQuery,
      response: withErrors({ 200: FundPublic }, 404)
    }
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const open = await fund.getOpen(appeal)
    const [account, texts] = await Promise.all([fund.account(appeal, open), fund.texts(appeal)])
    const { language, text } = chooseFundText(appeal, texts, requestLanguage(request, appeal.originalLanguage))
    reply.header('cache-control', 'public, max-age=10')
    return { account, language, purpose: text.purpose, ways: text.ways }
  })

  app.post('/appeals/:slug/fund/contributions', {
    schema: {
      tags: ['fund'],
      summary: 'Report a contribution (JSON, or multipart/form-data with the receipt as a file)',
      description: 'The receipt is a photo (JPEG, PNG, WebP; re-encoded without its metadata) or a PDF, recognised by its content; at most FUND_RECEIPT_MAX_BYTES.',
      consumes: ['application/json', 'multipart/form-data'],
      params: SlugParams,
      body: ContributionReport,
      response: withErrors({ 201: ReportedResponse }, 404, 409, 413)
    },
    onRequest: app.limitSigning
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const result = await fund.report(appeal, request.body, { ip: request.ip, language: requestLanguage(request, appeal.originalLanguage) })
    return reply.code(201).send(result)
  })

  app.get('/appeals/:slug/fund/receipts/:id', {
    schema: {
      tags: ['fund'], summary: 'A spending\'s receipt that the organisers published', params: Type.Object({ slug: SlugParams.properties.slug, id: Uuid }),
      response: withErrors({ 200: Type.Unknown({ description: 'The file' }) }, 404)
    }
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    await fund.getOpen(appeal)
    const file = await fund.receipt(appeal, request.params.id, 'public')
    return reply.header('cache-control', 'public, max-age=300').header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', 'inline').type(file.mediaType).send(file.bytes)
  })
}

export default fundRoutes
