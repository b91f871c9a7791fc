import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import { widgets, type Widget } from '../embed/options.js'
import { snippets, WIDGET_HEIGHTS, widgetUrl } from '../embed/snippets.js'
import { OEMBED_PATH } from '../http/paths.js'
import { languages } from '../i18n/index.js'
import { signedIn } from '../organisers/auth.js'
import { autonym } from '../pages/view.js'
import { appealHeader } from './templates/appeal-nav.js'
import { selectField } from './templates/forms.js'
import { adminView, sendAdmin } from './view.js'
import { SlugParams } from '../http/schemas.js'

const Query = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 35 })),
  widgetLang: Type.Optional(Type.String({ maxLength: 35 })),
  accent: Type.Optional(Type.String({ pattern: '^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$' })),
  theme: Type.Optional(Type.Union([Type.Literal('light'), Type.Literal('dark')]))
})

// The snippets that put an appeal's map, counter and signing form on another site, with a live
// preview of each widget (framed from this site, as the other site would frame it).
const embedPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals } = app.services

  app.get('/appeals/:slug/embed', { schema: { hide: true, params: SlugParams, querystring: Query } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'appeal.read')
    const view = adminView(request, reply)
    const a = view.a
    const texts = await appeals.texts(appeal)
    const lang = request.query.widgetLang !== undefined && languages.includes(request.query.widgetLang) ? request.query.widgetLang : appeal.originalLanguage
    const accent = request.query.accent?.replace('#', '')
    const theme = request.query.theme ?? 'light'
    const { text } = chooseText(appeal, texts, lang)
    const base = app.pages.publicUrl(request, '')
    const options = { base, slug: appeal.slug, lang, theme, ...(accent !== undefined && { accent }), title: (w: Widget) => app.i18n.t(`embed.titles.${w}`, { lng: lang, ns: 'pages', title: text.title }) }
    const codes = snippets(options)
    const main = appealHeader(view, appeal, texts, 'embed', a('embed.title')) + html`<p>${a('embed.intro')}</p>
<form method="get" action="/admin/appeals/${appeal.slug}/embed" class="filters">
!${selectField({ name: 'widgetLang', label: a('embed.language'), value: lang, options: languages.map((l) => ({ value: l, label: autonym(l) })) })}
<div class="field"><label for="field-accent">${a('embed.accent')}</label><input id="field-accent" name="accent" type="text" value="${accent ?? ''}" maxlength="7" pattern="#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})" aria-describedby="accent-help"><p class="help" id="accent-help">${a('embed.accentHelp')}</p></div>
!${selectField({ name: 'theme', label: a('embed.theme'), value: theme, options: [{ value: 'light', label: a('embed.light') }, { value: 'dark', label: a('embed.dark') }] })}
<p><button type="submit" class="button secondary">${a('embed.update')}</button></p>
</form>
!${widgets.map((widget) => html`<section aria-labelledby="widget-${widget}" class="panel embed-widget"><h2 id="widget-${widget}">${a(`embed.widgets.${widget}`)}</h2>
<label for="script-${widget}">${a('embed.script')}</label>
<textarea id="script-${widget}" readonly rows="3" class="snippet">${codes[widget].script}</textarea>
<label for="iframe-${widget}">${a('embed.iframe')}</label>
<textarea id="iframe-${widget}" readonly rows="3" class="snippet">${codes[widget].iframe}</textarea>
<h3>${a('embed.preview')}</h3>
<iframe src="${widgetUrl(options, widget)}" title="${options.title(widget)}" height="${WIDGET_HEIGHTS[widget]}" class="widget-preview" loading="lazy"></iframe>
</section>`)}
<p>${a('embed.oembed')} <code>${base}${OEMBED_PATH}?url=${encodeURIComponent(`${base}/appeals/${appeal.slug}`)}</code></p>
<p>${a('embed.origins')} <a href="/admin/appeals/${appeal.slug}#field-embedOrigins">${a('embed.originsLink')}</a></p>`
    return sendAdmin(reply, view, a('embed.title'), main)
  })
}

export default embedPages
