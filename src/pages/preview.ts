import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify'
import { html } from 'ghtml'
import type { Appeal } from '../appeals/service.js'
import { AppError } from '../errors/app-error.js'
import { requestLanguage } from '../http/language.js'
import { identifyOrganiser } from '../organisers/auth.js'

const previews = new WeakSet<FastifyReply>()

/**
 * The appeal a page or a widget shows: an open or closed one for anyone; a draft only for its own team
 * (any role, signed in to the dashboard), as a preview, and answering 404 to everyone else exactly as
 * an appeal that does not exist.
 */
export async function appealForReader (request: FastifyRequest, reply: FastifyReply, slug: string): Promise<Appeal> {
  const { appeals } = request.server.services
  try {
    return await appeals.getPublic(slug)
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'APPEAL_NOT_FOUND') throw err
    const draft = await appeals.findDraft(slug)
    if (draft === undefined) throw err
    const who = await identifyOrganiser(request.server, request)
    if (who === null || !await appeals.isTeamMember(who, draft)) throw err
    previews.add(reply)
    return draft
  }
}

/**
 * onSend: a draft's preview is never cached nor indexed, whatever the page set, and says at its top
 * that it is a preview (its team may share a screenshot of it).
 */
export const markPreview: onSendHookHandler = (request, reply, payload, done) => {
  if (!previews.has(reply)) { done(null, payload); return }
  reply.header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex, nofollow').header('vary', 'cookie')
  if (typeof payload !== 'string') { done(null, payload); return }
  const lang = requestLanguage(request)
  const banner = html`<p class="preview-banner" role="status" lang="${lang}">${request.server.i18n.t('admin:accounts.preview', { lng: lang })}</p>`
  done(null, payload.replace(/<head>/, '<head>\n<meta name="robots" content="noindex, nofollow">').replace(/(<body[^>]*>)/, `$1\n${banner}`))
}
