import formbody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { chooseText } from '../appeals/choose-text.js'
import { linkActionPage, type LinkActionPage } from './templates/link-action.js'
import { createView, pageLanguage, type View } from './view.js'

/** What a link's token stands for: a state on one appeal, or nothing known. */
export type KnownLink<State extends string> = { state: State, appealId: string }
export type TokenLink<State extends string> = KnownLink<State> | { state: 'unknown' }

export interface LinkAction<State extends string> {
  /** The link's address without its token (`/confirm` for /confirm/:token). */
  path: string
  /** The translation keys of the page for a token that stands for nothing. */
  unknown: { heading: string, text: string }
  /** What the link would do now; opening it changes nothing. */
  inspect: (token: string) => Promise<TokenLink<State>>
  /** Pressing the button: the link as it is afterwards (and whether this press did it), or where to go. */
  act: (token: string) => Promise<{ link: TokenLink<State>, acted: boolean } | { redirect: string }>
  /** The page for a link on an appeal that is shown. */
  page: (
    view: View,
    link: KnownLink<State>,
    at: { title: { text: string, language: string }, appealUrl: string, actionUrl: string, acted: boolean }
  ) => LinkActionPage
  /** Drafts are not public: their links are shown as unknown ones. */
  hidesDrafts?: boolean
  /** The state in which the link is answered 410 Gone. */
  goneState?: State
}

const TokenParams = Type.Object({ token: Type.String({ maxLength: 100 }) })
// Every token is 256 random bits in base64url (a removal link's with its signature's id before a dot):
// anything else is an unknown link at once, and never reaches the database.
const WELL_FORMED_TOKEN = /^([1-9][0-9]{0,15}\.)?[A-Za-z0-9_-]{43}$/
const notKnown: { state: 'unknown' } = { state: 'unknown' }
const PageQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35 })) })

/**
 * The one implementation of the page a link in a mail opens (confirmation/, erasure/): GET shows what
 * the link does and one button, and only the button's POST acts, since mail scanners open links before
 * people do and must not act for them.
 */
export function linkActionRoutes<State extends string> (define: (app: FastifyInstance) => LinkAction<State>): FastifyPluginAsyncTypebox {
  return async (app) => {
    const action = define(app)
    const { appeals } = app.services
    const { send } = app.pages
    await app.register(formbody, { bodyLimit: 1024 })

    async function answer (request: FastifyRequest, reply: FastifyReply, token: string, link: TokenLink<State>, acted: boolean) {
      const appeal = 'appealId' in link ? await appeals.getById(link.appealId) : undefined
      const actionUrl = `${action.path}/${token}`
      const view = createView(request, pageLanguage(request, reply, appeal?.originalLanguage), actionUrl)
      let page: LinkActionPage = { heading: view.t(action.unknown.heading), text: view.t(action.unknown.text) }
      if ('appealId' in link && appeal !== undefined && !(action.hidesDrafts === true && appeal.status === 'draft')) {
        const { language, text } = chooseText(appeal, await appeals.texts(appeal), view.lang)
        page = action.page(view, link, { title: { text: text.title, language }, appealUrl: `/appeals/${appeal.slug}`, actionUrl, acted })
      }
      const status = link.state === 'unknown' ? 404 : link.state === action.goneState ? 410 : 200
      // The address holds the token: it must not travel on in a Referer, nor be kept by a cache.
      reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store')
      return send(reply, view, { title: page.heading, noindex: true }, linkActionPage(view, page), status)
    }

    app.get(`${action.path}/:token`, { schema: { hide: true, params: TokenParams, querystring: PageQuery } }, async (request, reply) => {
      const { token } = request.params
      return answer(request, reply, token, WELL_FORMED_TOKEN.test(token) ? await action.inspect(token) : notKnown, false)
    })

    app.post(`${action.path}/:token`, { schema: { hide: true, params: TokenParams, querystring: PageQuery } }, async (request, reply) => {
      const outcome = WELL_FORMED_TOKEN.test(request.params.token) ? await action.act(request.params.token) : { link: notKnown, acted: false }
      if ('link' in outcome) return answer(request, reply, request.params.token, outcome.link, outcome.acted)
      reply.header('referrer-policy', 'no-referrer')
      return reply.redirect(outcome.redirect, 303)
    })
  }
}
