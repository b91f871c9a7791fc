import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Appeal } from '../appeals/service.js'
import { Slug, SlugParams, Uuid, withErrors } from '../http/schemas.js'
import { signedIn } from '../organisers/auth.js'
import { contributionsCsv, spendingCsv } from './export.js'
import { ContributionId, ContributionOut, FundSettingsInput, FundSettingsOut, RecordContributionInput, RejectInput, SpendingInput } from './schemas.js'
import type { RevealedContribution } from './service.js'
import { acceptReceiptUploads } from './uploads.js'

const ContributionParams = Type.Object({ slug: Slug, id: ContributionId })
const UuidParams = Type.Object({ slug: Slug, id: Uuid })
const StatusQuery = Type.Object({ status: Type.Optional(Type.Union([Type.Literal('reported'), Type.Literal('verified'), Type.Literal('rejected')])) })
const SpendingOut = Type.Object({
  id: Type.String(), date: Type.String(), amount: Type.Integer(), currency: Type.String(), purpose: Type.String(),
  receipt: Type.Union([Type.String(), Type.Null()]), receiptPublic: Type.Boolean()
})

/** The path of a receipt for the appeal's organisers: under the appeal, by a random id. */
export const receiptPath = (appeal: Appeal, id: string): string => `/api/admin/appeals/${appeal.slug}/fund/receipts/${id}`

export function presentContribution (appeal: Appeal, c: RevealedContribution) {
  return {
    id: c.id, status: c.status, source: c.source, amount: c.amountMinor, currency: c.currency, date: c.contributedOn, way: c.way, country: c.country,
    name: c.name, shownName: c.shownName, message: c.message, email: c.email, reference: c.reference,
    receipt: c.receiptId === null ? null : receiptPath(appeal, c.receiptId), rejectionReason: c.rejectionReason, createdAt: c.createdAt,
    erased: c.erasedAt !== null || c.anonymisedAt !== null
  }
}

// The fund for its appeal's organisers (every route finds the appeal through getManaged: another
// organiser's appeal, and everything in it, is a 404).
const adminFundRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, fund } = app.services
  const errors = [401, 404]
  const tags = ['admin: fund']
  await acceptReceiptUploads(app, app.config.FUND_RECEIPT_MAX_BYTES)
  const managed = async (request: { params: { slug: string } }, who: ReturnType<typeof signedIn>) => appeals.getManaged(who, request.params.slug)

  app.get('/appeals/:slug/fund', {
    schema: { tags, summary: 'The fund\'s settings and texts', params: SlugParams, response: withErrors({ 200: FundSettingsOut }, ...errors) }
  }, async (request) => fund.settings(await managed(request, signedIn(request))))

  app.put('/appeals/:slug/fund', {
    schema: {
      tags, summary: 'Set up the fund: switched on or off, goal, rates, and the texts in each language', params: SlugParams,
      body: FundSettingsInput, response: withErrors({ 200: FundSettingsOut }, ...errors)
    }
  }, async (request) => fund.saveSettings(await managed(request, signedIn(request)), request.body))

  app.get('/appeals/:slug/fund/contributions', {
    schema: {
      tags, summary: 'Contributions, reports waiting for a check first', params: SlugParams, querystring: StatusQuery,
      response: withErrors({ 200: Type.Object({ items: Type.Array(ContributionOut) }) }, ...errors)
    }
  }, async (request, reply) => {
    const appeal = await managed(request, signedIn(request))
    reply.header('cache-control', 'private, no-store')
    return { items: (await fund.list(appeal, request.query)).map((c) => presentContribution(appeal, c)) }
  })

  app.post('/appeals/:slug/fund/contributions', {
    schema: {
      tags, summary: 'Record a contribution that arrived without a report (verified at once)', params: SlugParams, body: RecordContributionInput,
      response: withErrors({ 201: ContributionOut }, ...errors)
    }
  }, async (request, reply) => {
    const who = signedIn(request)
    const appeal = await managed(request, who)
    return reply.code(201).send(presentContribution(appeal, await fund.record(appeal, request.body, who.id)))
  })

  app.get('/appeals/:slug/fund/contributions/:id', {
    schema: { tags, summary: 'One contribution', params: ContributionParams, response: withErrors({ 200: ContributionOut }, ...errors) }
  }, async (request, reply) => {
    const appeal = await managed(request, signedIn(request))
    reply.header('cache-control', 'private, no-store')
    return presentContribution(appeal, await fund.get(appeal, request.params.id))
  })

  app.post('/appeals/:slug/fund/contributions/:id/verify', {
    schema: {
      tags, summary: 'The money arrived: the contribution counts, and its supporter is told', params: ContributionParams,
      response: withErrors({ 200: ContributionOut }, ...errors)
    }
  }, async (request) => {
    const who = signedIn(request)
    const appeal = await managed(request, who)
    return presentContribution(appeal, await fund.verify(appeal, request.params.id, who.id))
  })

  app.post('/appeals/:slug/fund/contributions/:id/reject', {
    schema: {
      tags, summary: 'Reject a report, with a reason its supporter is told', params: ContributionParams, body: RejectInput,
      response: withErrors({ 200: ContributionOut }, ...errors)
    }
  }, async (request) => {
    const who = signedIn(request)
    const appeal = await managed(request, who)
    return presentContribution(appeal, await fund.reject(appeal, request.params.id, who.id, request.body.reason))
  })

  app.delete('/appeals/:slug/fund/contributions/:id/personal', {
    schema: {
      tags, summary: 'Erase who gave (email, reference, name, message, receipt); the amount still counts', params: ContributionParams,
      response: withErrors({ 200: ContributionOut }, ...errors)
    }
  }, async (request) => {
    const appeal = await managed(request, signedIn(request))
    return presentContribution(appeal, await fund.erase(appeal, request.params.id))
  })

  app.get('/appeals/:slug/fund/receipts/:id', {
    schema: {
      tags, summary: 'A receipt\'s file, for the appeal\'s organisers only; never cached', params: UuidParams,
      response: withErrors({ 200: Type.Unknown({ description: 'The file' }) }, ...errors)
    }
  }, async (request, reply) => {
    const appeal = await managed(request, signedIn(request))
    const file = await fund.receipt(appeal, request.params.id, 'organiser')
    return reply.header('cache-control', 'private, no-store').header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', 'inline').type(file.mediaType).send(file.bytes)
  })

  app.get('/appeals/:slug/fund/spending', {
    schema: {
      tags, summary: 'What the fund paid for', params: SlugParams, response: withErrors({ 200: Type.Object({ items: Type.Array(SpendingOut) }) },
        ...errors)
    }
  }, async (request) => {
    const appeal = await managed(request, signedIn(request))
    return {
      items: (await fund.listSpending(appeal)).map((s) => ({
        id: s.id, date: s.spentOn, amount: s.amountMinor, currency: s.currency, purpose: s.purpose,
        receipt: s.receiptId === null ? null : receiptPath(appeal, s.receiptId), receiptPublic: s.receiptPublic
      }))
    }
  })

  app.post('/appeals/:slug/fund/spending', {
    schema: {
      tags, summary: 'Record what the fund paid for (JSON, or multipart with a receipt)', consumes: ['application/json', 'multipart/form-data'],
      params: SlugParams, body: SpendingInput, response: withErrors({ 201: Type.Object({ id: Type.String() }) }, ...errors, 413)
    }
  }, async (request, reply) => {
    const appeal = await managed(request, signedIn(request))
    const created = await fund.addSpending(appeal, request.body)
    return reply.code(201).send({ id: created.id })
  })

  app.delete('/appeals/:slug/fund/spending/:id', {
    schema: { tags, summary: 'Remove a spending', params: UuidParams, response: withErrors({ 204: Type.Null() }, ...errors) }
  }, async (request, reply) => {
    await fund.removeSpending(await managed(request, signedIn(request)), request.params.id)
    return reply.code(204).send(null)
  })

  for (const [name, summary] of [['contributions', 'Every contribution, with who gave, as CSV'], ['spending', 'Every spending as CSV']] as const) {
    app.get(`/appeals/:slug/fund/${name}.csv`, {
      schema: { tags, summary, params: SlugParams, response: withErrors({ 200: Type.String() }, ...errors) }
    }, async (request, reply) => {
      const appeal = await managed(request, signedIn(request))
      const csv = name === 'contributions' ? contributionsCsv(await fund.list(appeal)) : spendingCsv(await fund.listSpending(appeal))
      return reply.header('content-disposition', `attachment; filename="${appeal.slug}-fund-${name}-${new Date().toISOString().slice(0, 10)}.csv"`)
        .header('cache-control', 'private, no-store').type('text/csv; charset=utf-8; header=present').send(csv)
    })
  }
}

export default adminFundRoutes
