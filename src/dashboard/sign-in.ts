import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { AppError } from '../errors/app-error.js'
import { translateError } from '../errors/handler.js'
import { endSession, startSession } from '../organisers/auth.js'
import { MIN_PASSWORD_LENGTH } from '../organisers/passwords.js'
import { csrfField, errorSummary, inputField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin, type AdminView } from './view.js'

const Text = Type.Optional(Type.String({ maxLength: 1000 }))
const NextQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })), notice: Type.Optional(Type.String({ maxLength: 40 })), lang: Type.Optional(Type.String({ maxLength: 35 })) })

/** Where to go after signing in: a dashboard page the reader was sent from, never another site. */
const safeNext = (next: unknown): string => typeof next === 'string' && /^\/admin(\/|$|\?)/.test(next) && !next.startsWith('//') ? next : '/admin'

function signInForm (view: AdminView, values: { email?: string, next: string }, message?: string): string {
  const a = view.a
  return html`<section class="narrow"><h1>${a('signIn.title')}</h1>
!${errorSummary(view, message, {})}
<form method="post" action="/admin/sign-in" novalidate>
!${csrfField(view)}
<input type="hidden" name="next" value="${values.next}">
!${inputField({ name: 'email', label: a('signIn.email'), type: 'email', value: values.email ?? '', required: true, maxlength: 254, attributes: 'autocomplete="username"' })}
!${inputField({ name: 'password', label: a('signIn.password'), type: 'password', required: true, maxlength: 1000, attributes: 'autocomplete="current-password"' })}
<p><button type="submit" class="button">${a('signIn.submit')}</button></p>
</form>
<p class="help">${a('signIn.help')}</p></section>`
}

function setupForm (view: AdminView, values: { token: string, email?: string, name?: string }, message?: string, errors: Record<string, string> = {}): string {
  const a = view.a
  return html`<section class="narrow"><h1>${a('setup.title')}</h1>
<p>${a('setup.intro')}</p>
!${errorSummary(view, message, errors)}
<form method="post" action="/admin/setup" novalidate>
!${csrfField(view)}
<input type="hidden" name="token" value="${values.token}">
!${inputField({ name: 'name', label: a('setup.name'), value: values.name ?? '', required: true, maxlength: 200, attributes: 'autocomplete="name"', ...(errors.name !== undefined && { error: errors.name }) })}
!${inputField({ name: 'email', label: a('signIn.email'), type: 'email', value: values.email ?? '', required: true, maxlength: 254, attributes: 'autocomplete="username"', ...(errors.email !== undefined && { error: errors.email }) })}
!${inputField({ name: 'password', label: a('signIn.password'), type: 'password', required: true, maxlength: 1000, help: a('setup.passwordHelp', { count: MIN_PASSWORD_LENGTH }), attributes: `autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}"`, ...(errors.password !== undefined && { error: errors.password }) })}
<p><button type="submit" class="button">${a('setup.submit')}</button></p>
</form></section>`
}

// Signing in and out, and the first run: the link `npm start` prints opens a page that creates the
// first admin with the server's one-time token.
const signInPages: FastifyPluginAsyncTypebox = async (app) => {
  const refusal = (request: FastifyRequest, view: AdminView, err: unknown) => {
    if (!(err instanceof AppError) || err.statusCode >= 500) throw err
    return translateError(app.i18n, view.lang, err)
  }

  app.get('/sign-in', { schema: { hide: true, querystring: NextQuery } }, async (request, reply) => {
    if (request.organiser !== null) return reply.redirect(safeNext(request.query.next), 303)
    const view = adminView(request, reply)
    return sendAdmin(reply, view, view.a('signIn.title'), signInForm(view, { next: safeNext(request.query.next) }))
  })

  app.post('/sign-in', {
    schema: { hide: true, body: Type.Object({ _csrf: Text, email: Text, password: Text, next: Text }) },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    const { email = '', password = '', next } = request.body
    try {
      await startSession(app, reply, email, password)
      return reply.redirect(safeNext(next), 303)
    } catch (err) {
      const view = adminView(request, reply)
      const translated = refusal(request, view, err)
      return sendAdmin(reply, view, view.a('signIn.title'), signInForm(view, { email, next: safeNext(next) }, translated.message), (err as AppError).statusCode)
    }
  })

  app.post('/sign-out', { schema: { hide: true } }, async (request, reply) => {
    await endSession(app, request, reply)
    return redirectAfter(reply, '/admin/sign-in', 'signedOut')
  })

  app.get('/setup', { schema: { hide: true, querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })), lang: Type.Optional(Type.String({ maxLength: 35 })) }) } }, async (request, reply) => {
    if (app.setup.token === null) return redirectAfter(reply, '/admin/sign-in', 'setupDone')
    const view = adminView(request, reply)
    return sendAdmin(reply, view, view.a('setup.title'), setupForm(view, { token: request.query.token ?? '' }))
  })

  app.post('/setup', {
    schema: { hide: true, body: Type.Object({ _csrf: Text, token: Text, email: Text, name: Text, password: Text }) },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    const { token = '', email = '', name = '', password = '' } = request.body
    const view = adminView(request, reply)
    const errors: Record<string, string> = {}
    if (name === '') errors.name = app.i18n.t('errors:validation.required', { lng: view.lang })
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.email = app.i18n.t('errors:validation.email', { lng: view.lang })
    if (password.length < MIN_PASSWORD_LENGTH) errors.password = app.i18n.t('errors:validation.password', { lng: view.lang, limit: MIN_PASSWORD_LENGTH })
    if (Object.keys(errors).length > 0) return sendAdmin(reply, view, view.a('setup.title'), setupForm(view, { token, email, name }, undefined, errors), 400)
    try {
      await app.setup.createFirstAdmin(token, { email, name, password })
      await startSession(app, reply, email, password)
      return redirectAfter(reply, '/admin', 'welcome')
    } catch (err) {
      const translated = refusal(request, view, err)
      return sendAdmin(reply, view, view.a('setup.title'), setupForm(view, { token, email, name }, translated.message), (err as AppError).statusCode)
    }
  })
}

export default signInPages
