import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { chooseText } from '../appeals/choose-text.js'
import { SlugParams } from '../http/schemas.js'
import { fundSummary } from '../pages/templates/fund.js'
import { createView } from '../pages/view.js'
import { themeStyle, WidgetQuery, widgetOptions, optionsQuery } from './options.js'
import { widgetDocument } from './templates.js'

/** The fund's counter as a widget other sites frame (as the signature counter): raised, the goal, contributors, countries. */
export const fundWidgetPath = (slug: string): string => `/embed/${slug}/fund`

const fundWidget: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, fund } = app.services
  const { security } = app
  const { assets, publicUrl } = app.pages

  app.get('/embed/:slug/fund', { schema: { hide: true, params: SlugParams, querystring: WidgetQuery } }, async (request, reply) => {
    const appeal = await appeals.getPublic(request.params.slug)
    const open = await fund.getOpen(appeal)
    const options = widgetOptions(request, request.query, appeal.originalLanguage)
    const view = createView(request, options.lang)
    const [texts, account] = await Promise.all([appeals.texts(appeal), fund.account(appeal, open)])
    const { language, text } = chooseText(appeal, texts, options.lang)
    const appealUrl = publicUrl(request, `/appeals/${appeal.slug}/fund?${optionsQuery(options)}`)
    const title = view.t('fund:widget.title', { title: text.title })
    const main = html`<h1 class="widget-title"!${language === view.lang ? '' : html` lang="${language}"`}>${text.title}</h1>
!${fundSummary(view, account)}
<p class="widget-action"><a href="${appealUrl}" target="_blank" rel="noopener" class="button">${view.t('fund:widget.give')}<span class="visually-hidden"> ${view.t('embed.newTab')}</span></a></p>`
    const theme = themeStyle(options)
    // Public totals, the same for everyone: a cache may keep them briefly, as the signature counter's.
    return reply.header('cache-control', 'public, max-age=30').header('vary', 'accept-language')
      .header('content-security-policy', security.widgetPolicy(['*'], [theme.hash]))
      .type('text/html; charset=utf-8')
      .send(widgetDocument(view, assets.widget, { widget: 'fund', title, options, style: theme.css, appealUrl }, main))
  })
}

export default fundWidget
