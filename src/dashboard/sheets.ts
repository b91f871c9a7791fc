import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import { siteUrl } from '../config.js'
import { SlugParams } from '../http/schemas.js'
import { languages } from '../i18n/index.js'
import { signedIn } from '../organisers/auth.js'
import { signatureSheetPdf } from '../sheets/signature-sheet.js'
import { autonym } from '../pages/view.js'
import { appealHeader } from './templates/appeal-nav.js'
import { adminView, sendAdmin } from './view.js'

// Sheets to collect on: one printable PDF per appeal and language, whose columns the paper import reads back.
const sheetPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals } = app.services

  app.get('/appeals/:slug/sheet', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const view = adminView(request, reply)
    const texts = await appeals.texts(appeal)
    const f = view.i18n('fielddata')
    const main = appealHeader(view, appeal, texts, 'import', f('sheet.title')) + html`<p>${f('sheet.intro')}</p>
<ul class="sheet-languages">!${languages.map((lang) => html`<li><a href="/admin/appeals/${appeal.slug}/sheet.pdf?lang=${lang}" hreflang="${lang}" lang="${lang}" type="application/pdf">${autonym(lang)}</a>!${texts[lang] === undefined ? html` <span class="muted">(${f('sheet.untranslated')})</span>` : ''}</li>`)}</ul>
<p><a href="/admin/appeals/${appeal.slug}/import">${view.a('import.title')}</a></p>`
    return sendAdmin(reply, view, f('sheet.title'), main)
  })

  app.get('/appeals/:slug/sheet.pdf', {
    schema: { hide: true, params: SlugParams, querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35 })) }) }
  }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const language = languages.includes(request.query.lang ?? '') ? request.query.lang! : appeal.originalLanguage
    const texts = await appeals.texts(appeal)
    const chosen = chooseText(appeal, texts, language)
    const pdf = await signatureSheetPdf({
      text: chosen.text,
      language,
      formUrl: `${siteUrl(app.config)}/appeals/${appeal.slug}?lang=${language}#sign`,
      t: app.i18n.getFixedT(language, 'fielddata')
    })
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${appeal.slug}-sheet-${language}.pdf"`).send(pdf)
  })
}

export default sheetPages
