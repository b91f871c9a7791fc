import formbody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import type { Appeal } from '../appeals/service.js'
import { siteUrl } from '../config.js'
import { AppError, appError } from '../errors/app-error.js'
import { translateError, validationError } from '../errors/handler.js'
import { instantOf, isTimeZone, timeZones } from '../events/local-time.js'
import { composeEventMail, sendEventMail } from '../events/mail.js'
import { SubmittedEventInput } from '../events/schemas.js'
import type { SubmittedEvent } from '../events/service.js'
import { requestLanguage } from '../http/language.js'
import { normaliseText } from '../http/normalise-input.js'
import { SlugParams } from '../http/schemas.js'
import { compileBodyValidator } from '../http/validation.js'
import { eventReportPage, eventSubmissionPage, eventSubmittedPage, type EventFormState } from './templates/event-form.js'
import { createView, pageLanguage } from './view.js'

const PageQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35 })) })
const TokenParams = Type.Object({ token: Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) })
const Form = Type.Record(Type.String(), Type.Unknown())
const TEXT_FIELDS = ['title', 'city', 'country', 'organiser', 'contactEmail', 'description', 'link', 'website', 'timeZone', 'startsAt'] as const

const checkSubmission = compileBodyValidator(SubmittedEventInput)

/** The form's fields as the API's JSON: the local time read in the zone chosen beside it; empty optional fields left out. */
function submissionOf (body: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, string> = {}
  for (const name of TEXT_FIELDS) {
    const value = body[name]
    if (typeof value === 'string') values[name] = normaliseText(value, name === 'description')
  }
  const input: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(values)) if (value !== '' || name === 'website') input[name] = value
  if (input.website === '') delete input.website
  if (values.startsAt !== undefined && values.timeZone !== undefined && isTimeZone(values.timeZone)) {
    input.startsAt = instantOf(values.startsAt, values.timeZone)?.toISOString() ?? values.startsAt
  }
  return input
}

// Events supporters run: the public "add your event" form (without JavaScript too), waiting for an
// organiser's approval before it shows anywhere; and the private page, reached from the mail, on which
// the event's organiser reports afterwards how many came.
const eventPagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, events } = app.services
  const { send } = app.pages
  await app.register(formbody, { bodyLimit: 16_384 })

  async function formPage (request: FastifyRequest, reply: FastifyReply, appeal: Appeal, state: EventFormState, status = 200) {
    const view = createView(request, pageLanguage(request, reply, appeal.originalLanguage), `/appeals/${appeal.slug}/events/new`)
    const texts = await appeals.texts(appeal)
    const title = `${view.i18n('fielddata')('submit.title')} · ${chooseText(appeal, texts, view.lang).text.title}`
    return send(reply, view, { title }, eventSubmissionPage(view, { appeal, texts, timeZones, state }), status)
  }

  app.get('/appeals/:slug/events/new', { schema: { hide: true, params: SlugParams, querystring: Type.Object({ ...PageQuery.properties, sent: Type.Optional(Type.String({ maxLength: 2 })) }) } }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    if (request.query.sent === '1') {
      const view = createView(request, pageLanguage(request, reply, appeal.originalLanguage))
      return send(reply, view, { title: view.i18n('fielddata')('submit.thanksTitle'), noindex: true }, eventSubmittedPage(view, appeal, await appeals.texts(appeal)))
    }
    return formPage(request, reply, appeal, { values: {}, errors: {} })
  })

  app.post('/appeals/:slug/events/new', { schema: { hide: true, params: SlugParams, body: Form }, onRequest: app.limitSigning }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const language = requestLanguage(request, appeal.originalLanguage)
    const input = submissionOf(request.body)
    try {
      if (input.website !== undefined) throw appError('SPAM_SUSPECTED', {}, { website: { key: 'honeypot' } })
      if (!checkSubmission(input)) throw validationError(checkSubmission.errors ?? [])
      if (!isTimeZone(String(input.timeZone))) throw appError('VALIDATION_FAILED', {}, { timeZone: { key: 'choice' } })
      const { website: _honeypot, ...submitted } = input as unknown as SubmittedEvent & { website?: string }
      const { event, reportToken } = await events.submit(appeal, submitted, language)
      const contact = events.contactOf(event)
      if (contact !== null) {
        const base = siteUrl(app.config)
        await sendEventMail(app.mailSender, composeEventMail(app.i18n, 'received', event, contact, {
          reportUrl: `${base}/events/report/${reportToken}`, eventsUrl: `${base}/appeals/${appeal.slug}/events`, siteName: new URL(base).host
        }), request.log)
      }
      return await reply.redirect(`/appeals/${appeal.slug}/events/new?sent=1`, 303)
    } catch (err) {
      if (!(err instanceof AppError) || err.statusCode >= 500) throw err
      const translated = translateError(app.i18n, language, err)
      const values = Object.fromEntries(Object.entries(request.body).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'website'))
      return formPage(request, reply, appeal, { values, errors: translated.fields, message: translated.message }, err.statusCode)
    }
  })

  async function reportPage (request: FastifyRequest, reply: FastifyReply, token: string, state: EventFormState, done = false, status = 200) {
    const event = await events.byReportToken(token)
    const view = createView(request, pageLanguage(request, reply), `/events/report/${token}`)
    return send(reply, view, { title: view.i18n('fielddata')('report.title', { title: event.title }), noindex: true },
      eventReportPage(view, { event, token, now: new Date(), state, done }), status)
  }

  app.get('/events/report/:token', { schema: { hide: true, params: TokenParams, querystring: PageQuery } }, async (request, reply) => {
    const event = await events.byReportToken(request.params.token)
    return reportPage(request, reply, request.params.token, {
      values: { attendance: event.reportAttendance === null ? '' : String(event.reportAttendance), text: event.reportText ?? '' }, errors: {}
    })
  })

  app.post('/events/report/:token', { schema: { hide: true, params: TokenParams, body: Form }, onRequest: app.limitSigning }, async (request, reply) => {
    const raw = typeof request.body.attendance === 'string' ? request.body.attendance.trim() : ''
    const text = typeof request.body.text === 'string' ? normaliseText(request.body.text, true).slice(0, 2000) : ''
    const values = { attendance: raw, text }
    const attendance = /^\d{1,9}$/.test(raw) ? Number(raw) : null
    if (attendance === null) {
      const message = app.i18n.getFixedT(requestLanguage(request), 'errors')('validation.wholeNumber')
      return reportPage(request, reply, request.params.token, { values, errors: { attendance: message }, message }, false, 400)
    }
    try {
      await events.report(request.params.token, { attendance, text: text === '' ? null : text })
    } catch (err) {
      if (!(err instanceof AppError) || err.statusCode >= 500) throw err
      const translated = translateError(app.i18n, requestLanguage(request), err)
      return reportPage(request, reply, request.params.token, { values, errors: {}, message: translated.message }, false, err.statusCode)
    }
    return reportPage(request, reply, request.params.token, { values, errors: {} }, true)
  })
}

export default eventPagesRoutes
