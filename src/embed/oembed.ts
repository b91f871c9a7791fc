import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import { appError } from '../errors/app-error.js'
import { OEMBED_PATH } from '../http/paths.js'
import { withErrors } from '../http/schemas.js'
import { matchLanguage } from '../i18n/index.js'
import { EMBED_SCRIPT } from './script.js'
import { iframeSnippet, WIDGET_HEIGHTS } from './snippets.js'
import { widgets, type Widget } from './options.js'

const DEFAULT_WIDTH = 640

const OembedQuery = Type.Object({
  url: Type.String({ maxLength: 2000 }),
  format: Type.Optional(Type.String({ maxLength: 100 })),
  maxwidth: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  maxheight: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 }))
})

const OembedResponse = Type.Object({
  version: Type.Literal('1.0'),
  type: Type.Literal('rich'),
  provider_name: Type.String(),
  provider_url: Type.String(),
  title: Type.String(),
  html: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  cache_age: Type.Integer()
})

/** What an oEmbed URL points at on this site: an appeal's page (its signing widget) or a widget. */
function parseTarget (url: string, ownOrigin: string): { slug: string, widget: Widget, lang: string | undefined } | undefined {
  let parsed: URL
  try { parsed = new URL(url) } catch { return undefined }
  if (parsed.origin !== new URL(ownOrigin).origin) return undefined
  const lang = matchLanguage([parsed.searchParams.get('lang') ?? undefined])
  const page = /^\/appeals\/([a-z0-9-]{2,80})\/?$/.exec(parsed.pathname)
  if (page?.[1] !== undefined) return { slug: page[1], widget: 'sign', lang }
  const widget = /^\/embed\/([a-z0-9-]{2,80})\/([a-z]+)$/.exec(parsed.pathname)
  if (widget?.[1] !== undefined && (widgets as readonly string[]).includes(widget[2] ?? '')) return { slug: widget[1], widget: widget[2] as Widget, lang }
  return undefined
}

/**
 * oEmbed (https://oembed.com), so that a CMS given an appeal's link embeds its signing form, or given a
 * widget's address, that widget. Appeal pages name this endpoint in a discovery link.
 */
export const oembedRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals } = app.services
  app.get(OEMBED_PATH, {
    schema: {
      tags: ['embedding'],
      summary: 'oEmbed: the embed code for an appeal\'s page or one of its widgets',
      querystring: OembedQuery,
      response: withErrors({ 200: OembedResponse }, 404, 501)
    }
  }, async (request, reply) => {
    const { url, format, maxwidth, maxheight } = request.query
    if (format !== undefined && format !== 'json') throw appError('OEMBED_FORMAT_UNSUPPORTED')
    const base = app.pages.publicUrl(request, '')
    const target = parseTarget(url, base)
    if (target === undefined) throw appError('NOT_FOUND')
    const appeal = await appeals.getPublic(target.slug)
    const lang = target.lang ?? appeal.originalLanguage
    const { text } = chooseText(appeal, await appeals.texts(appeal), lang)
    const title = (widget: Widget): string => app.i18n.t(`embed.titles.${widget}`, { lng: lang, ns: 'pages', title: text.title })
    const width = Math.min(maxwidth ?? DEFAULT_WIDTH, DEFAULT_WIDTH)
    const height = Math.min(maxheight ?? WIDGET_HEIGHTS[target.widget], WIDGET_HEIGHTS[target.widget])
    const frame = iframeSnippet({ base, slug: appeal.slug, lang, title }, target.widget, { width, height })
    reply.header('access-control-allow-origin', '*').header('cache-control', 'public, max-age=3600')
    return {
      version: '1.0' as const,
      type: 'rich' as const,
      provider_name: app.i18n.t('site.name', { lng: lang, ns: 'pages' }),
      provider_url: `${base}/`,
      title: text.title,
      // The frame works alone; embed.js, where the site lets it run, fits its height to its content.
      html: frame + html`<script async src="${base}/${EMBED_SCRIPT}"></script>`,
      width,
      height,
      cache_age: 3600
    }
  })
}
