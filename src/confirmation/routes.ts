import formbody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import { linkActionPage, sentenceWithTitle, type LinkActionPage } from '../pages/templates/link-action.js'
import { createView, pageLanguage } from '../pages/view.js'
import type { LinkState } from './service.js'

const TokenParams = Type.Object({ token: Type.String({ maxLength: 100 }) })
const PageQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35 })) })

// The page the confirmation mail links to. Opening it confirms nothing (mail scanners open links
// before people do); its one button posts back to the same address, and that confirms.
const confirmationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, confirmation } = app.services
  const { send } = app.pages
  await app.register(formbody, { bodyLimit: 1024 })

  async function answer (request: FastifyRequest, reply: FastifyReply, token: string, link: LinkState) {
    const appeal = link.state === 'unknown' ? undefined : await appeals.getById(link.appealId)
    const view = createView(request, pageLanguage(request, reply, appeal?.originalLanguage), `/confirm/${token}`)
    const t = view.t
    let page: LinkActionPage = { heading: t('confirm.unknownTitle'), text: t('confirm.unknown') }
    if (appeal !== undefined && appeal.status !== 'draft') {
      const { language, text } = chooseText(appeal, await appeals.texts(appeal), view.lang)
      const title = { text: text.title, language }
      const appealUrl = `/appeals/${appeal.slug}`
      if (link.state === 'valid') {
        page = { heading: t('confirm.title'), text: sentenceWithTitle(view, 'confirm.ask', title), action: { url: `/confirm/${token}`, button: t('confirm.button') } }
      } else if (link.state === 'confirmed') {
        page = { heading: t('confirm.confirmedTitle'), text: sentenceWithTitle(view, 'confirm.alreadyConfirmed', title), next: { url: appealUrl, label: t('confirm.toAppeal') } }
      } else {
        page = { heading: t('confirm.expiredTitle'), text: sentenceWithTitle(view, 'confirm.expired', title), next: { url: `${appealUrl}#sign`, label: t('confirm.signAgain') } }
      }
    }
    const status = link.state === 'unknown' ? 404 : link.state === 'expired' ? 410 : 200
    // The address holds the token: it must not travel on in a Referer, nor be kept by a cache.
    reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store')
    return send(reply, view, { title: page.heading, noindex: true }, linkActionPage(view, page), status)
  }

  app.get('/confirm/:token', { schema: { hide: true, params: TokenParams, querystring: PageQuery } }, async (request, reply) => {
    return answer(request, reply, request.params.token, await confirmation.inspect(request.params.token))
  })

  app.post('/confirm/:token', { schema: { hide: true, params: TokenParams, querystring: PageQuery } }, async (request, reply) => {
    const link = await confirmation.confirm(request.params.token)
    if (link.state !== 'valid') return answer(request, reply, request.params.token, link)
    const appeal = await appeals.getById(link.appealId)
    reply.header('referrer-policy', 'no-referrer')
    return reply.redirect(appeal === undefined || appeal.status === 'draft' ? '/' : `/appeals/${appeal.slug}/thanks?status=confirmed`, 303)
  })
}

export default confirmationRoutes
