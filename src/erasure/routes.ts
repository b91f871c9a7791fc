import formbody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import { linkActionPage, sentenceWithTitle, type LinkActionPage } from '../pages/templates/link-action.js'
import { createView, pageLanguage } from '../pages/view.js'
import type { RemovalState } from './service.js'

const TokenParams = Type.Object({ token: Type.String({ maxLength: 100 }) })
const PageQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35 })) })

// The page the removal link in every mail opens: it asks, and its button (a POST) erases the signature.
const removalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, erasure } = app.services
  const { send } = app.pages
  await app.register(formbody, { bodyLimit: 1024 })

  async function answer (request: FastifyRequest, reply: FastifyReply, token: string, link: RemovalState, justRemoved: boolean) {
    const appeal = link.state === 'unknown' ? undefined : await appeals.getById(link.appealId)
    const view = createView(request, pageLanguage(request, reply, appeal?.originalLanguage), `/remove/${token}`)
    const t = view.t
    let page: LinkActionPage = { heading: t('remove.unknownTitle'), text: t('remove.unknown') }
    if (appeal !== undefined) {
      const { language, text } = chooseText(appeal, await appeals.texts(appeal), view.lang)
      const title = { text: text.title, language }
      page = link.state === 'valid'
        ? { heading: t('remove.title'), text: sentenceWithTitle(view, 'remove.ask', title), action: { url: `/remove/${token}`, button: t('remove.button') } }
        : { heading: t('remove.doneTitle'), text: sentenceWithTitle(view, justRemoved ? 'remove.done' : 'remove.alreadyDone', title) }
    }
    reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store')
    return send(reply, view, { title: page.heading, noindex: true }, linkActionPage(view, page), link.state === 'unknown' ? 404 : 200)
  }

  app.get('/remove/:token', { schema: { hide: true, params: TokenParams, querystring: PageQuery } }, async (request, reply) => {
    return answer(request, reply, request.params.token, await erasure.inspectRemoval(request.params.token), false)
  })

  app.post('/remove/:token', { schema: { hide: true, params: TokenParams, querystring: PageQuery } }, async (request, reply) => {
    const { link, removedNow } = await erasure.removeByLink(request.params.token)
    return answer(request, reply, request.params.token, link, removedNow)
  })
}

export default removalRoutes
