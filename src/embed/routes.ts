import formbody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import { isSigningOpen, type Appeal } from '../appeals/service.js'
import { sentByScript, signFromForm, signFromScript } from '../pages/form-signing.js'
import { appealPageData } from '../pages/page-data.js'
import { appealForReader, markPreview } from '../pages/preview.js'
import { emptyForm, type FormState } from '../pages/templates/signing-form.js'
import { countryFromLanguage, createView, type View } from '../pages/view.js'
import { requestLanguage } from '../http/language.js'
import { SignedResponse } from '../signatures/schemas.js'
import { embedScript } from './script.js'
import { asOrigin, embedderOrigin, optionsQuery, themeStyle, WidgetQuery, widgetOptions, type Widget, type WidgetOptions, type WidgetQueryValues } from './options.js'
import { oembedRoute } from './oembed.js'
import fundWidget from './fund.js'
import { counterWidget, mapWidget, signWidget, thanksWidget, widgetDocument, type WidgetMeta } from './templates.js'
import { SlugParams } from '../http/schemas.js'

const WidgetParams = SlugParams

// The widgets other sites frame (map, counter, signing form), the script that frames them, and oEmbed.
const embedRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // A draft's widgets, previewed by its team (pages/preview.ts), are marked and never cached.
  app.addHook('onSend', markPreview)
  const { appeals, stats, events } = app.services
  const { security } = app
  const { assets, publicUrl } = app.pages

  await app.register(formbody, { bodyLimit: 16_384 })

  /** Who may frame a widget: anyone, except that an appeal may keep its signing form to its own sites. */
  const frameAncestors = (widget: WidgetMeta['widget'], appeal: Appeal): string[] =>
    (widget === 'sign' || widget === 'thanks') && appeal.embedOrigins.length > 0 ? ["'self'", ...appeal.embedOrigins] : ['*']

  function send (reply: FastifyReply, view: View, appeal: Appeal, meta: Omit<WidgetMeta, 'style'>, main: string, status = 200): FastifyReply {
    const theme = themeStyle(meta.options)
    return reply.code(status)
      .header('content-security-policy', security.widgetPolicy(frameAncestors(meta.widget, appeal), [theme.hash]))
      .type('text/html; charset=utf-8')
      .send(widgetDocument(view, assets.widget, { ...meta, style: theme.css }, main))
  }

  const appealUrl = (request: FastifyRequest, appeal: Appeal, options: WidgetOptions): string =>
    publicUrl(request, `/appeals/${appeal.slug}?lang=${options.lang}`)

  async function heading (appeal: Appeal, lang: string) {
    const { language, text } = chooseText(appeal, await appeals.texts(appeal), lang)
    return { title: text.title, language }
  }

  // This site's own origins: the one it is published at, and the one the request came to.
  const ownOrigins = (request: FastifyRequest): string[] => [asOrigin(publicUrl(request, '')), `${request.protocol}://${request.host}`].filter((o): o is string => o !== undefined)
  const originOf = (request: FastifyRequest, query: WidgetQueryValues, appeal: Appeal, firstRequest: boolean): string | undefined =>
    embedderOrigin(request, query, { firstRequest, own: ownOrigins(request), allowed: appeal.embedOrigins })

  const widgetTitle = (widget: Widget, lang: string, title: string): string => app.i18n.t(`embed.titles.${widget}`, { lng: lang, ns: 'pages', title })

  // The map and the counter show only public counts, the same for everyone: a cache may keep them briefly
  // (the page's script keeps them live). The signing form carries the embedding site, so it is not shared.
  for (const widget of ['map', 'counter'] as const) {
    app.get(`/embed/:slug/${widget}`, { schema: { hide: true, params: WidgetParams, querystring: WidgetQuery } }, async (request, reply) => {
      const appeal = await appealForReader(request, reply, request.params.slug)
      const options = widgetOptions(request, request.query, appeal.originalLanguage)
      const view = createView(request, options.lang)
      const [title, entry, eventList] = await Promise.all([heading(appeal, options.lang), stats.get(appeal.id), widget === 'map' ? events.list(appeal) : Promise.resolve([])])
      const url = appealUrl(request, appeal, options)
      const main = widget === 'map'
        ? mapWidget(view, { heading: title, stats: entry.stats })
        : counterWidget(view, { heading: title, stats: entry.stats, goal: appeal.goal, appealUrl: url, signable: isSigningOpen(appeal) })
      const data = appealPageData(app, view, { appeal, stats: entry.stats, events: eventList, signUrl: '', sections: ['counter', 'map'], errors: false })
      reply.header('cache-control', 'public, max-age=30').header('vary', 'accept-language')
      return send(reply, view, appeal, { widget, title: widgetTitle(widget, options.lang, title.title), options, appealUrl: url, data }, main)
    })
  }

  async function renderSign (
    request: FastifyRequest, query: WidgetQueryValues, reply: FastifyReply, appeal: Appeal, form: FormState | undefined, status = 200
  ) {
    const options = widgetOptions(request, query, appeal.originalLanguage)
    const view = createView(request, options.lang)
    const origin = originOf(request, query, appeal, request.method === 'GET')
    const [title, entry] = await Promise.all([heading(appeal, options.lang), stats.get(appeal.id)])
    const action = `/embed/${appeal.slug}/sign?${optionsQuery(options, origin)}`
    const main = signWidget(view, { heading: title, appeal, form: form ?? emptyForm(countryFromLanguage(request)), action, now: new Date() })
    const data = appealPageData(app, view, { appeal, stats: entry.stats, events: [], signUrl: action, sections: ['counter', 'form', 'thanks'] })
    reply.header('cache-control', 'private, no-store')
    return send(reply, view, appeal, { widget: 'sign', title: widgetTitle('sign', options.lang, title.title), options, appealUrl: appealUrl(request, appeal, options), data }, main, status)
  }

  app.get('/embed/:slug/sign', { schema: { hide: true, params: WidgetParams, querystring: WidgetQuery } }, async (request, reply) => {
    return renderSign(request, request.query, reply, await appealForReader(request, reply, request.params.slug), undefined)
  })

  // Signs like the appeal page's form does (same checks, errors, duplicates and rate limit), recording
  // that the signature came through a widget and from which site.
  app.post('/embed/:slug/sign', {
    schema: { hide: true, params: WidgetParams, querystring: WidgetQuery, response: { 201: SignedResponse } },
    onRequest: app.limitSigning
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const origin = originOf(request, request.query, appeal, false)
    const context = { ip: request.ip, source: 'embed', language: requestLanguage(request, appeal.originalLanguage), ...(origin !== undefined && { embedOrigin: origin }) } as const
    if (sentByScript(request)) return reply.code(201).send(await signFromScript(app, request, appeal, context))
    const outcome = await signFromForm(app, request, appeal, context)
    if (!outcome.signed) return renderSign(request, request.query, reply, appeal, outcome.form, outcome.statusCode)
    const options = widgetOptions(request, request.query, appeal.originalLanguage)
    return reply.redirect(`/embed/${appeal.slug}/thanks?${optionsQuery(options, origin)}${outcome.status === 'pending' ? '&status=pending' : ''}`, 303)
  })

  app.get('/embed/:slug/thanks', {
    schema: { hide: true, params: WidgetParams, querystring: Type.Object({ ...WidgetQuery.properties, status: Type.Optional(Type.String({ maxLength: 20 })) }) }
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const options = widgetOptions(request, request.query, appeal.originalLanguage)
    const view = createView(request, options.lang)
    const url = appealUrl(request, appeal, options)
    const main = thanksWidget(view, { heading: await heading(appeal, options.lang), pending: request.query.status === 'pending', appealUrl: url })
    reply.header('cache-control', 'private, no-store')
    return send(reply, view, appeal, { widget: 'thanks', title: view.t('thanks.title'), options, appealUrl: url, data: { lang: options.lang } }, main)
  })

  await app.register(fundWidget)
  await app.register(embedScript)
  await app.register(oembedRoute)
}

export default embedRoutes
