import type { FastifyReply, FastifyRequest } from 'fastify'
import type { TFunction } from 'i18next'
import type { SignedIn } from '../organisers/service.js'
import { createView, pageLanguage, type View } from '../pages/view.js'
import { adminLayout } from './templates/layout.js'

/** What a dashboard template needs: the public site's view, the dashboard's words, who is signed in and the form token. */
export interface AdminView extends View {
  /** The dashboard's strings (locales/<lang>/admin.json). */
  a: TFunction
  organiser: SignedIn | null
  /** The token every form posts back (see plugin.ts). */
  csrf: string
  /** What the last action did ("Hidden as spam."), from the address a form sent the reader back to. */
  notice?: string
  /** The country shapes the event form's map draws (see web/admin/map-picker.ts). */
  mapShapes: string | null
  /** REQUIRE_TWO_FACTOR: the page asks those without a second factor to enrol. */
  twoFactorRequired: boolean
}

const NOTICE = /^[a-zA-Z]{1,40}$/

export function adminView (request: FastifyRequest, reply: FastifyReply): AdminView {
  const view = createView(request, pageLanguage(request, reply))
  const a = request.server.i18n.getFixedT(view.lang, 'admin')
  const notice = (request.query as Record<string, unknown> | undefined)?.notice
  const count = Number((request.query as Record<string, unknown> | undefined)?.count ?? 0)
  return {
    ...view,
    a,
    organiser: request.organiser,
    csrf: reply.generateCsrf(),
    mapShapes: request.server.pages.assets.mapShapes,
    twoFactorRequired: request.server.config.REQUIRE_TWO_FACTOR,
    ...(typeof notice === 'string' && NOTICE.test(notice) && request.server.i18n.exists(`notice.${notice}`, { lng: view.lang, ns: 'admin', count }) && { notice: a(`notice.${notice}`, { count }) }),
    // The fund's pages keep their words in their own namespace (locales/<lang>/fund.json).
    ...(typeof notice === 'string' && NOTICE.test(notice) && request.server.i18n.exists(`admin.notice.${notice}`, { lng: view.lang, ns: 'fund' }) &&
      { notice: request.server.i18n.t(`fund:admin.notice.${notice}`, { lng: view.lang }) })
  }
}

/** A whole dashboard page: never cached (it holds personal data), never indexed. */
export function sendAdmin (reply: FastifyReply, view: AdminView, title: string, main: string, status = 200): FastifyReply {
  return reply.code(status)
    .header('cache-control', 'private, no-store')
    .header('vary', 'accept-language, cookie')
    .type('text/html; charset=utf-8')
    .send(adminLayout(view, reply.server.pages.assets, title, main))
}

/** After a form did its work: back to a page (303, so a reload does not post again), with what to say there. */
export function redirectAfter (reply: FastifyReply, path: string, notice?: string, extra: Record<string, string> = {}): FastifyReply {
  const query = new URLSearchParams({ ...(notice !== undefined && { notice }), ...extra }).toString()
  return reply.redirect(query === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${query}`, 303)
}
