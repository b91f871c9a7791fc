import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import { OEMBED_PATH } from '../http/paths.js'
import { SiteLanguage, SlugParams, withErrors } from '../http/schemas.js'
import { signedIn } from '../organisers/auth.js'
import { WidgetQuery, type Widget } from './options.js'
import { snippets } from './snippets.js'

const Snippet = Type.Object({
  url: Type.String({ description: 'The widget page' }),
  script: Type.String({ description: 'Script snippet: the frame goes where it stands and fits its content' }),
  iframe: Type.String({ description: 'Plain frame of fixed height, for sites that allow no scripts' })
})

const EmbedCodes = Type.Object({
  widgets: Type.Object({ map: Snippet, counter: Snippet, sign: Snippet }),
  oembed: Type.String({ description: 'The oEmbed address for the appeal\'s page' }),
  embedOrigins: Type.Array(Type.String(), { description: 'Sites allowed to frame the signing widget; empty: any' })
})

// The snippets an organiser copies onto their campaign's sites (the dashboard shows them).
const embedAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals } = app.services

  app.get('/appeals/:slug/embed', {
    schema: {
      tags: ['admin: appeals'],
      summary: 'Ready-made snippets to embed the appeal\'s map, counter and signing form on other sites',
      params: SlugParams,
      querystring: Type.Object({
        lang: Type.Optional(SiteLanguage),
        accent: WidgetQuery.properties.accent,
        theme: WidgetQuery.properties.theme
      }, { additionalProperties: false }),
      response: withErrors({ 200: EmbedCodes }, 401, 403, 404)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'appeal.read')
    const lang = request.query.lang ?? appeal.originalLanguage
    const { text } = chooseText(appeal, await appeals.texts(appeal), lang)
    const base = app.pages.publicUrl(request, '')
    const page = `${base}/appeals/${appeal.slug}`
    return {
      widgets: snippets({
        base,
        slug: appeal.slug,
        lang,
        ...(request.query.accent !== undefined && { accent: request.query.accent }),
        ...(request.query.theme !== undefined && { theme: request.query.theme }),
        title: (widget: Widget) => app.i18n.t(`embed.titles.${widget}`, { lng: lang, ns: 'pages', title: text.title })
      }),
      oembed: `${base}${OEMBED_PATH}?url=${encodeURIComponent(page)}`,
      embedOrigins: appeal.embedOrigins
    }
  })
}

export default embedAdminRoutes
