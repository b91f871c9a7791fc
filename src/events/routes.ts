import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import { siteUrl } from '../config.js'
import { appError } from '../errors/app-error.js'
import { requestLanguage } from '../http/language.js'
import { SlugParams, withErrors } from '../http/schemas.js'
import { calendarOf } from './calendar.js'
import { isTimeZone } from './local-time.js'
import { composeEventMail, sendEventMail } from './mail.js'
import { EventSchema, presentEvent, SubmittedEventInput } from './schemas.js'

const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, events } = app.services

  app.get('/appeals/:slug/events', {
    schema: {
      tags: ['events'],
      summary: 'Solidarity events of an appeal, in date order',
      params: SlugParams,
      response: withErrors({ 200: Type.Object({ items: Type.Array(EventSchema) }) }, 404)
    }
  }, async (request) => {
    const appeal = await appeals.getPublic(request.params.slug)
    return { items: (await events.list(appeal)).map(presentEvent) }
  })

  app.get('/appeals/:slug/events.ics', {
    schema: {
      tags: ['events'],
      summary: 'iCalendar feed of an appeal\'s upcoming solidarity events',
      params: SlugParams,
      response: withErrors({ 200: Type.String({ description: 'text/calendar' }) }, 404)
    }
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const [texts, upcoming] = await Promise.all([appeals.texts(appeal), events.upcoming(appeal)])
    const lang = requestLanguage(request, appeal.originalLanguage)
    const names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'code' })
    const base = siteUrl(app.config)
    const body = calendarOf({
      title: chooseText(appeal, texts, lang).text.title, url: `${base}/appeals/${appeal.slug}/events`, host: new URL(base).host, events: upcoming,
      countryName: (code) => names.of(code) ?? code
    })
    return reply.type('text/calendar; charset=utf-8').header('cache-control', 'public, max-age=300').send(body)
  })

  app.post('/appeals/:slug/event-submissions', {
    schema: {
      tags: ['events'],
      summary: 'Propose a solidarity event (shown once an organiser approves it)',
      description: 'The contact email is sealed and never shown; it gets a confirmation mail with a private link for a report after the date.',
      params: SlugParams,
      body: SubmittedEventInput,
      response: withErrors({ 202: Type.Object({ status: Type.Literal('pending') }) }, 400, 404, 429)
    },
    onRequest: app.limitSigning
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const { website, ...input } = request.body
    if (website !== undefined) throw appError('SPAM_SUSPECTED', {}, { website: { key: 'honeypot' } })
    if (!isTimeZone(input.timeZone)) throw appError('VALIDATION_FAILED', {}, { timeZone: { key: 'choice' } })
    const language = requestLanguage(request, appeal.originalLanguage)
    const { event, reportToken } = await events.submit(appeal, input, language)
    const contact = events.contactOf(event)
    if (contact !== null) {
      const base = siteUrl(app.config)
      await sendEventMail(app.mailSender, composeEventMail(app.i18n, 'received', event, contact, {
        reportUrl: `${base}/events/report/${reportToken}`, eventsUrl: `${base}/appeals/${appeal.slug}/events`, siteName: new URL(base).host
      }), request.log)
    }
    return reply.code(202).send({ status: 'pending' as const })
  })
}

export default eventRoutes
