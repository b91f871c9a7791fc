import csrfProtection from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { normaliseInput } from '../http/normalise-input.js'
import { assertMay, hasSessionCookie, identifyOrganiser } from '../organisers/auth.js'
import accessPages from './access.js'
import accountPages from './account.js'
import appealPages from './appeals.js'
import auditPages from './audit.js'
import embedPages from './embed.js'
import erasurePages from './erasure.js'
import webhookPages from './webhooks.js'
import eventPages from './events.js'
import fundPages from './fund.js'
import importPages from './imports.js'
import organiserPages from './organisers.js'
import signInPages from './sign-in.js'
import sheetPages from './sheets.js'
import signaturePages from './signatures.js'
import teamPages from './team.js'
import tokenPages from './tokens.js'
import updatePages from './updates.js'

/** Pages a visitor who is not signed in may open. */
const OPEN_PAGES = new Set(['/admin/sign-in', '/admin/sign-in/code', '/admin/setup', '/admin/forgot', '/admin/reset', '/admin/invitation'])

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Admins only (organiser accounts): others get the "not allowed" page. */
    adminOnly?: boolean
  }
}

// The organisers' dashboard: server-rendered pages under /admin that work without JavaScript.
// - Every form posts a CSRF token bound to a secret in an httpOnly, SameSite cookie
//   (@fastify/csrf-protection); a post without a valid one is refused before it is acted on.
// - A page needs the organiser's session; without one it sends the reader to sign in and back.
// - Each page module finds its appeal through getManaged, so another organiser's appeal is a 404.
const dashboard: FastifyPluginAsync = async (app) => {
  await app.register(formbody, { bodyLimit: 1_048_576 })
  // Paper signatures arrive as a file, then travel in the import's own (multipart) forms between its
  // steps; their fields become the body like a form's.
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: 2_097_152, fieldSize: 2_097_152, files: 1, fields: 40 } })
  // The app cleans a body before multipart has read it (app.ts); a multipart one is cleaned here.
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      if (request.isMultipart() && typeof request.body === 'object' && request.body !== null) request.body = normaliseInput(request.body)
      done()
    } catch (err) {
      done(err as Error)
    }
  })
  await app.register(csrfProtection, {
    cookieKey: 'solidaria_csrf',
    // Lax, not Strict: a link into the dashboard from a mail would otherwise arrive without the cookie,
    // mint a new secret, and spoil the forms open in other tabs. The token is what protects.
    cookieOpts: { path: '/admin', httpOnly: true, sameSite: 'lax', secure: 'auto' },
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined
      return typeof body?._csrf === 'string' ? body._csrf : undefined
    }
  })

  // First the token, as soon as the form is read and before anything else looks at it, so that a
  // forged post touches nothing, not even the session.
  app.addHook('preValidation', (request, reply, done) => {
    if (request.method === 'POST') app.csrfProtection(request, reply, done)
    else done()
  })
  app.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? ''
    const organiser = await identifyOrganiser(app, request)
    if (organiser === null && !OPEN_PAGES.has(path)) {
      const back = request.method === 'GET' ? `next=${encodeURIComponent(request.url)}` : ''
      const ended = hasSessionCookie(request) ? 'notice=sessionEnded' : ''
      return reply.redirect(`/admin/sign-in${[back, ended].some(Boolean) ? '?' + [back, ended].filter(Boolean).join('&') : ''}`, 303)
    }
    if (request.routeOptions.config.adminOnly === true) assertMay(request, 'organisers.manage')
  })

  await app.register(signInPages)
  await app.register(accessPages)
  await app.register(accountPages)
  await app.register(auditPages)
  await app.register(appealPages)
  await app.register(signaturePages)
  await app.register(importPages)
  await app.register(sheetPages)
  await app.register(eventPages)
  await app.register(fundPages)
  await app.register(teamPages)
  await app.register(embedPages)
  await app.register(tokenPages)
  await app.register(organiserPages)
  await app.register(erasurePages)
  await app.register(webhookPages)
  await app.register(updatePages)
}

export default dashboard
