import formbody from '@fastify/formbody'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Appeal } from '../appeals/service.js'
import { paths } from '../config.js'
import { AppError } from '../errors/app-error.js'
import { translateError, validationError } from '../errors/handler.js'
import { CountryString, SlugParams } from '../http/schemas.js'
import { requestLanguage } from '../http/language.js'
import { compileBodyValidator } from '../http/validation.js'
import { signingRateLimit } from '../plugins/rate-limit.js'
import { SignatureInput } from '../signatures/schemas.js'
import { ASSETS_PREFIX } from './assets.js'
import { appealPage, chooseText, PREVIEW_ITEMS } from './templates/appeal.js'
import type { PageMeta } from './templates/layout.js'
import { eventsPage, homePage, organisationsPage, signaturesPage, thanksPage } from './templates/lists.js'
import { emptyForm, type FormState } from './templates/signing-form.js'
import { countryFromLanguage, createView, pageLanguage } from './view.js'

// Links shared on social networks arrive with tracking parameters; a page ignores what it does not know.
const PageQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35 })) })
const SIGNATURES_PER_PAGE = 50
const ORGANISATIONS_PER_PAGE = 50

const checkSignature = compileBodyValidator(SignatureInput)
const FORM_FIELDS = ['kind', 'name', 'email', 'country', 'city', 'organisation', 'role', 'organisationType', 'members', 'locale', 'website'] as const

/** An HTML form's fields as the JSON API would receive them: empty means absent, ticked means true. */
function formToSignature (body: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const name of FORM_FIELDS) {
    const value = body[name]
    if (value !== undefined && value !== '') input[name] = value
  }
  input.public = body.public === 'on'
  input.contact = body.contact === 'on'
  if (typeof input.members === 'string' && /^\d{1,10}$/.test(input.members)) input.members = Number(input.members)
  // Without JavaScript the organisation's fields stay on screen; someone signing for themselves may
  // have filled them in before choosing.
  if (input.kind !== 'organisation') {
    delete input.organisationType
    delete input.members
  }
  return input
}

const pagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, signatures, stats, events } = app.services
  const { config } = app
  const { assets, send, publicUrl } = app.pages

  await app.register(formbody, { bodyLimit: 16_384 })
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
    const [texts, entry, latest, organisations, eventList] = await Promise.all([
      appeals.texts(appeal),
      stats.get(appeal.id),
      appeal.showPublicList ? signatures.listPublic(appeal, { limit: PREVIEW_ITEMS }) : Promise.resolve(null),
      appeal.allowOrganisations ? signatures.listOrganisations(appeal, { limit: PREVIEW_ITEMS, offset: 0 }) : Promise.resolve([]),
      events.list(appeal)
    ])
    const { language, text } = chooseText(appeal, texts, lang)
    const url = publicUrl(request, `/appeals/${appeal.slug}`)
    const main = appealPage(view, {
      appeal, texts, stats: entry.stats, latest: latest?.items ?? null, organisations, events: eventList,
      form: form ?? emptyForm(countryFromLanguage(request)), url, now: new Date()
    })
    const data = {
      slug: appeal.slug,
      lang,
      statsUrl: `/api/appeals/${appeal.slug}/stats`,
      signUrl: `/api/appeals/${appeal.slug}/signatures`,
      shapesUrl: assets.mapShapes,
      stats: entry.stats,
      goal: appeal.goal,
      events: eventList.filter((e) => e.latitude !== null && e.longitude !== null).map((e) => ({
        title: e.title, date: view.date(e.startsAt), city: e.city, country: e.country, lat: e.latitude, lng: e.longitude, link: e.link
      })),
      tiles: config.MAP_TILE_URL === undefined ? null : { url: config.MAP_TILE_URL, attribution: config.MAP_TILE_ATTRIBUTION },
      i18n: { pages: app.i18n.getResourceBundle(lang, 'pages'), errors: app.i18n.getResourceBundle(lang, 'errors') }
    }
    const meta: PageMeta = {
      title: text.title,
      description: text.summary ?? '',
      url,
      preview: { type: 'article', locale: language, locales: Object.keys(texts) },
      data
    }
    return send(reply, view, meta, main, status)
  }

  app.get('/', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) => {
    const view = createView(request, pageLanguage(request, reply))
    // An appeal past its closing date is not offered for signing, even before anyone closes it.
    const now = new Date()
    const open = (await appeals.listOpen()).filter((a) => a.closesAt === null || a.closesAt > now)
    const items = await Promise.all(open.map(async (appeal) => ({ appeal, texts: appeal.texts, signatures: (await stats.get(appeal.id)).stats.signatures })))
    return send(reply, view, { title: view.t('site.name'), description: view.t('site.tagline') }, homePage(view, items))
  })

  app.get('/appeals/:slug', { schema: { hide: true, params: SlugParams, querystring: PageQuery } }, async (request, reply) => {
    return renderAppeal(request, reply, await appeals.getPublic(request.params.slug), undefined)
  })

  app.post('/appeals/:slug/sign', {
    schema: { hide: true, params: SlugParams },
    config: { rateLimit: signingRateLimit(config) }
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const body = (request.body ?? {}) as Record<string, unknown>
    const input = formToSignature(body)
    const values = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]))
    const state: FormState = { values: { ...values, public: input.public === true, contact: input.contact === true }, errors: {} }
    try {
      if (!checkSignature(input)) throw validationError(checkSignature.errors ?? [])
      const result = await signatures.sign(appeal, input as unknown as Parameters<typeof signatures.sign>[1], { ip: request.ip, source: 'web' })
      return reply.redirect(`/appeals/${appeal.slug}/thanks${result.status === 'pending' ? '?status=pending' : ''}`, 303)
    } catch (err) {
      if (!(err instanceof AppError) || err.statusCode >= 500) throw err
      const translated = translateError(app.i18n, requestLanguage(request, appeal.originalLanguage), err)
      // A field the form does not show (an unknown one) is reported in the summary instead.
      const shown = new Set<string>(FORM_FIELDS)
      for (const [field, message] of Object.entries(translated.fields)) {
        if (shown.has(field)) state.errors[field] = message
        else state.message ??= translated.message
      }
      if (Object.keys(translated.fields).length === 0 || err.code !== 'VALIDATION_FAILED') state.message = translated.message
      return renderAppeal(request, reply, appeal, state, err.statusCode)
    }
  })

  app.get('/appeals/:slug/thanks', {
    schema: { hide: true, params: SlugParams, querystring: Type.Object({ ...PageQuery.properties, status: Type.Optional(Type.String({ maxLength: 20 })) }) }
  }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const view = createView(request, pageLanguage(request, reply, appeal.originalLanguage))
    const texts = await appeals.texts(appeal)
    const main = thanksPage(view, { appeal, texts, pending: request.query.status === 'pending', url: publicUrl(request, `/appeals/${appeal.slug}`) })
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
      ? await signatures.listPublic(appeal, { limit: SIGNATURES_PER_PAGE, ...(country !== undefined && { country }), ...(request.query.cursor !== undefined && { cursor: request.query.cursor }) })
      : null
    const main = signaturesPage(view, {
      appeal, texts, items: page?.items ?? null, nextCursor: page?.nextCursor ?? null, country,
      countries: Object.keys(entry.stats.byCountry), isFirstPage: request.query.cursor === undefined
    })
    return send(reply, view, { title: `${view.t('signatures.all')} · ${chooseText(appeal, texts, view.lang).text.title}` }, main)
  })

  app.get('/appeals/:slug/organisations', {
    schema: { hide: true, params: SlugParams, querystring: Type.Object({ ...PageQuery.properties, offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }) }) }
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
