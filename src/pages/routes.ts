import formbody from '@fastify/formbody'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import { isSigningOpen, type Appeal } from '../appeals/service.js'
import { paths } from '../config.js'
import { requestLanguage } from '../http/language.js'
import { OEMBED_PATH } from '../http/paths.js'
import { CountryString, SlugParams } from '../http/schemas.js'
import { ASSETS_PREFIX } from './assets.js'
import { appealForReader, markPreview } from './preview.js'
import { sentByScript, signFromForm, signFromScript } from './form-signing.js'
import { emptyReport, fundViewOf } from './fund.js'
import { appealPageData } from './page-data.js'
import { appealPage, PREVIEW_ITEMS } from './templates/appeal.js'
import { fundSection } from './templates/fund.js'
import type { PageMeta } from './templates/layout.js'
import { eventsPage, homePage, organisationsPage, signaturesPage, thanksPage } from './templates/lists.js'
import { emptyForm, type FormState } from './templates/signing-form.js'
import { countryFromLanguage, createView, pageLanguage } from './view.js'

// Links shared on social networks arrive with tracking parameters; a page ignores what it does not know.
const PageQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35 })) })
const SIGNATURES_PER_PAGE = 50
const ORGANISATIONS_PER_PAGE = 50

const pagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, signatures, stats, events } = app.services
  const { assets, send, publicUrl } = app.pages

  await app.register(formbody, { bodyLimit: 16_384 })
  app.addHook('onSend', markPreview)
  if (assets.built) {
    // Content-hashed names never change meaning, so a browser may keep them for a year.
    await app.register(fastifyStatic, {
      root: `${paths.webBuild}${ASSETS_PREFIX}`,
      prefix: ASSETS_PREFIX,
      immutable: true,
      maxAge: '365d',
      preCompressed: true,
      index: false,
      wildcard: false
    })
  }

  async function renderAppeal (request: FastifyRequest, reply: FastifyReply, appeal: Appeal, form: FormState | undefined, status = 200) {
    const lang = pageLanguage(request, reply, appeal.originalLanguage)
    const view = createView(request, lang, request.method === 'GET' ? undefined : `/appeals/${appeal.slug}`)
    const [texts, entry, latest, organisations, eventList, fund] = await Promise.all([
      appeals.texts(appeal),
      stats.get(appeal.id),
      appeal.showPublicList ? signatures.listPublic(appeal, { limit: PREVIEW_ITEMS }) : Promise.resolve(null),
      appeal.allowOrganisations ? signatures.listOrganisations(appeal, { limit: PREVIEW_ITEMS, offset: 0 }) : Promise.resolve([]),
      events.list(appeal),
      fundViewOf(app, appeal, lang)
    ])
    const { language, text } = chooseText(appeal, texts, lang)
    const url = publicUrl(request, `/appeals/${appeal.slug}`)
    const main = appealPage(view, {
      appeal, texts, stats: entry.stats, latest: latest?.items ?? null, organisations, events: eventList,
      form: form ?? emptyForm(countryFromLanguage(request)), url, now: new Date(),
      fund: fund === undefined ? '' : fundSection(view, fund, emptyReport(request))
    })
    const data = appealPageData(app, view, { appeal, stats: entry.stats, events: eventList, signUrl: `/appeals/${appeal.slug}/sign` })
    const meta: PageMeta = {
      title: text.title,
      description: text.summary ?? '',
      url,
      preview: { type: 'article', locale: language, locales: Object.keys(texts) },
      oembed: publicUrl(request, `${OEMBED_PATH}?url=${encodeURIComponent(url)}&format=json`),
      data,
      ...(isSigningOpen(appeal) && { signLink: '#sign' })
    }
    return send(reply, view, meta, main, status)
  }

  app.get('/', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) => {
    const view = createView(request, pageLanguage(request, reply))
    const open = await appeals.listOpen()
    const items = await Promise.all(open.map(async (appeal) => ({ appeal, texts: appeal.texts, signatures: (await stats.get(appeal.id)).stats.signatures })))
    return send(reply, view, { title: view.t('site.name'), description: view.t('site.tagline') }, homePage(view, items))
  })

  app.get('/appeals/:slug', { schema: { hide: true, params: SlugParams, querystring: PageQuery } }, async (request, reply) => {
    return renderAppeal(request, reply, await appealForReader(request, reply, request.params.slug), undefined)
  })

  app.post('/appeals/:slug/sign', {
    schema: { hide: true, params: SlugParams },
    onRequest: app.limitSigning
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const context = { ip: request.ip, source: 'web', language: requestLanguage(request, appeal.originalLanguage) } as const
    if (sentByScript(request)) return reply.code(201).send(await signFromScript(app, request, appeal, context))
    const outcome = await signFromForm(app, request, appeal, context)
    if (!outcome.signed) return renderAppeal(request, reply, appeal, outcome.form, outcome.statusCode)
    return reply.redirect(`/appeals/${appeal.slug}/thanks${outcome.status === 'pending' ? '?status=pending' : ''}`, 303)
  })

  app.get('/appeals/:slug/thanks', {
    schema: { hide: true, params: SlugParams, querystring: Type.Object({ ...PageQuery.properties, status: Type.Optional(Type.String({ maxLength: 20 })) }) }
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const view = createView(request, pageLanguage(request, reply, appeal.originalLanguage))
    const texts = await appeals.texts(appeal)
    // What happens next, as the organisers wrote it where they did (updates/messages.ts).
    const next = await app.services.messages.choose(appeal.id, 'thanksNext', view.lang)
    const main = thanksPage(view, { appeal, texts, pending: request.query.status === 'pending', url: publicUrl(request, `/appeals/${appeal.slug}`), ...(next !== undefined && { next }) })
    return send(reply, view, { title: view.t('thanks.title'), noindex: true }, main)
  })

  app.get('/appeals/:slug/signatures', {
    schema: {
      hide: true,
      params: SlugParams,
      querystring: Type.Object({ ...PageQuery.properties, country: Type.Optional(Type.Union([CountryString, Type.Literal('')])), cursor: Type.Optional(Type.String({ maxLength: 200 })) })
    }
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const view = createView(request, pageLanguage(request, reply, appeal.originalLanguage))
    const country = request.query.country === '' ? undefined : request.query.country?.toUpperCase()
    const [texts, entry] = await Promise.all([appeals.texts(appeal), stats.get(appeal.id)])
    const page = appeal.showPublicList
      ? await signatures.listPublic(appeal, {
        limit: SIGNATURES_PER_PAGE, ...(country !== undefined && { country }), ...(request.query.cursor !== undefined && { cursor: request.query.cursor })
      })
      : null
    const main = signaturesPage(view, {
      appeal, texts, items: page?.items ?? null, nextCursor: page?.nextCursor ?? null, country,
      countries: Object.keys(entry.stats.byCountry), isFirstPage: request.query.cursor === undefined
    })
    return send(reply, view, { title: `${view.t('signatures.all')} · ${chooseText(appeal, texts, view.lang).text.title}` }, main)
  })

  app.get('/appeals/:slug/organisations', {
    schema: {
      hide: true, params: SlugParams, querystring: Type.Object({ ...PageQuery.properties, offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }) })
    }
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const view = createView(request, pageLanguage(request, reply, appeal.originalLanguage))
    const [texts, items] = await Promise.all([
      appeals.texts(appeal),
      signatures.listOrganisations(appeal, { limit: ORGANISATIONS_PER_PAGE + 1, offset: request.query.offset })
    ])
    const nextOffset = items.length > ORGANISATIONS_PER_PAGE ? request.query.offset + ORGANISATIONS_PER_PAGE : null
    const main = organisationsPage(view, { appeal, texts, items: items.slice(0, ORGANISATIONS_PER_PAGE), nextOffset })
    return send(reply, view, { title: `${view.t('organisations.heading')} · ${chooseText(appeal, texts, view.lang).text.title}` }, main)
  })

  app.get('/appeals/:slug/events', { schema: { hide: true, params: SlugParams, querystring: PageQuery } }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const view = createView(request, pageLanguage(request, reply, appeal.originalLanguage))
    const [texts, list] = await Promise.all([appeals.texts(appeal), events.list(appeal)])
    return send(reply, view, { title: `${view.t('events.heading')} · ${chooseText(appeal, texts, view.lang).text.title}` }, eventsPage(view, { appeal, texts, events: list }))
  })
}

export default pagesRoutes
