import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import type { Appeal } from '../appeals/service.js'
import { AppError } from '../errors/app-error.js'
import { translateError, validationError } from '../errors/handler.js'
import { ContributionReport } from '../fund/schemas.js'
import type { ReportInput } from '../fund/service.js'
import { chooseFundText } from '../fund/texts.js'
import { acceptReceiptUploads } from '../fund/uploads.js'
import { requestLanguage } from '../http/language.js'
import { SlugParams } from '../http/schemas.js'
import { compileBodyValidator } from '../http/validation.js'
import { linkActionRoutes } from './link-action.js'
import { fundPage, reportedPage, type FundView } from './templates/fund.js'
import { sentenceWithTitle } from './templates/link-action.js'
import type { FormState } from './templates/signing-form.js'
import { countryFromLanguage, createView, pageLanguage } from './view.js'

const PageQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35 })) })
const checkReport = compileBodyValidator(ContributionReport)
const FORM_FIELDS = ['amount', 'currency', 'date', 'way', 'reference', 'name', 'anonymous', 'country', 'message', 'email', 'locale', 'receipt',
  'website'] as const

/** What the fund shows a reader of the appeal, or undefined when the appeal has no fund switched on. */
export async function fundViewOf (app: FastifyInstance, appeal: Appeal, lang: string): Promise<FundView | undefined> {
  const { fund } = app.services
  const open = await fund.find(appeal)
  if (open === undefined || !open.enabled) return undefined
  const [account, texts] = await Promise.all([fund.account(appeal, open), fund.texts(appeal)])
  const { language, text } = chooseFundText(appeal, texts, lang)
  return {
    appeal, account, text, textLanguage: language, currencies: [open.goalCurrency,
      ...Object.keys(open.rates).filter((c) => c !== open.goalCurrency).sort()]
  }
}

/** An empty report form: today's date, the reader's country guessed from their language. */
export const emptyReport = (request: FastifyRequest): FormState => ({
  values: {
    date: new Date().toISOString().slice(0, 10),
    country: countryFromLanguage(request)
  }, errors: {}
})

/** A posted report form as the API's body: empty means not given, the ticked box true. */
function formToReport (body: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const name of FORM_FIELDS) if (body[name] !== undefined && body[name] !== '') input[name] = body[name]
  input.anonymous = body.anonymous === 'on'
  return input
}

// The fund's public pages: its account (and the report form on it), reporting without JavaScript, and
// the link in the fund's mails with which a supporter removes their details.
const fundPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, fund } = app.services
  const { send } = app.pages
  await acceptReceiptUploads(app, app.config.FUND_RECEIPT_MAX_BYTES)

  async function renderFund (request: FastifyRequest, reply: FastifyReply, appeal: Appeal, form: FormState, status = 200) {
    const lang = pageLanguage(request, reply, appeal.originalLanguage)
    const view = createView(request, lang, request.method === 'GET' ? undefined : `/appeals/${appeal.slug}/fund`)
    const [data, texts] = await Promise.all([fundViewOf(app, appeal, lang), appeals.texts(appeal)])
    if (data === undefined) await fund.getOpen(appeal)
    const { language, text } = chooseText(appeal, texts, lang)
    const main = fundPage(view, { ...data!, title: text.title, titleLanguage: language }, form)
    return send(reply, view, { title: `${view.t('fund:page.heading')} · ${text.title}` }, main, status)
  }

  app.get('/appeals/:slug/fund', { schema: { hide: true, params: SlugParams, querystring: PageQuery } }, async (request, reply) => {
    return renderFund(request, reply, await appeals.getPublic(request.params.slug), emptyReport(request))
  })

  // The report form's post (a multipart form, for the receipt): a refusal comes back as the form, with what
  // was typed (the file must be chosen again: a browser never refills a file field) and the errors.
  app.post('/appeals/:slug/fund/report', { schema: { hide: true, params: SlugParams, querystring: PageQuery }, onRequest: app.limitSigning },
    async (request, reply) => {
      const appeal = await appeals.getPublic(request.params.slug)
      const body = (request.body ?? {}) as Record<string, unknown>
      const input = formToReport(body)
      const values = Object.fromEntries(Object.entries(body).filter(([k, v]) => typeof v === 'string' && k !== 'receipt'))
      const form: FormState = { values: { ...values, anonymous: input.anonymous === true }, errors: {} }
      try {
        if (!checkReport(input)) throw validationError(checkReport.errors ?? [])
        await fund.report(appeal, input as unknown as ReportInput, { ip: request.ip, language: requestLanguage(request, appeal.originalLanguage) })
      } catch (err) {
        if (!(err instanceof AppError) || err.statusCode >= 500) throw err
        const translated = translateError(app.i18n, requestLanguage(request, appeal.originalLanguage), err)
        const shown = new Set<string>(FORM_FIELDS)
        for (const [field, message] of Object.entries(translated.fields)) {
          if (shown.has(field)) form.errors[field] = message
          else form.message ??= translated.message
        }
        if (Object.keys(translated.fields).length === 0 || err.code !== 'VALIDATION_FAILED') form.message = translated.message
        return renderFund(request, reply, appeal, form, err.statusCode)
      }
      return reply.redirect(`/appeals/${appeal.slug}/fund/thanks${input.email === undefined ? '' : '?mail=1'}`, 303)
    })

  app.get('/appeals/:slug/fund/thanks', {
    schema: { hide: true, params: SlugParams, querystring: Type.Object({ ...PageQuery.properties, mail: Type.Optional(Type.String({ maxLength: 2 })) }) }
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    await fund.getOpen(appeal)
    const view = createView(request, pageLanguage(request, reply, appeal.originalLanguage))
    return send(reply, view, { title: view.t('fund:thanks.title'), noindex: true }, reportedPage(view, { appeal, email: request.query.mail === '1' }))
  })

  await app.register(linkActionRoutes((inner) => {
    const service = inner.services.fund
    return {
      path: '/fund/remove',
      unknown: { heading: 'remove.unknownTitle', text: 'remove.unknown' },
      inspect: async (token) => service.inspectRemoval(token),
      async act (token) {
        const { link, removedNow } = await service.removeByLink(token)
        return { link, acted: removedNow }
      },
      page: (view, link, { title, actionUrl, acted }) => link.state === 'valid'
        ? {
            heading: view.t('fund:remove.title'), text: sentenceWithTitle(view, 'fund:remove.ask', title), action: {
              url: actionUrl,
              button: view.t('fund:remove.button')
            }
          }
        : { heading: view.t('fund:remove.doneTitle'), text: sentenceWithTitle(view, acted ? 'fund:remove.done' : 'fund:remove.alreadyDone', title) }
    }
  }))
}

export default fundPages
