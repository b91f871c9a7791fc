import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { completeSignIn, endSession, isAwaitingCode, startSession } from '../organisers/auth.js'
import { MIN_PASSWORD_LENGTH } from '../organisers/passwords.js'
import { FirstAdminInput } from '../organisers/schemas.js'
import { isRefusal, refusal, throughSchema } from './form-input.js'
import { csrfField, errorSummary, inputField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin, type AdminView } from './view.js'

const Text = Type.Optional(Type.String({ maxLength: 1000 }))
const NextQuery = Type.Object({
  next: Type.Optional(Type.String({ maxLength: 2000 })),
  notice: Type.Optional(Type.String({ maxLength: 40 })),
  lang: Type.Optional(Type.String({ maxLength: 35 }))
})

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
<p class="help">${a('signIn.help')} <a href="/admin/forgot">${a('accounts.reset.forgot')}</a></p></section>`
}

function codeForm (view: AdminView, next: string, message?: string): string {
  const a = view.a
  return html`<section class="narrow"><h1>${a('accounts.signInCode.title')}</h1>
<p>${a('accounts.signInCode.intro')}</p>
!${errorSummary(view, message, {})}
<form method="post" action="/admin/sign-in/code" novalidate>
!${csrfField(view)}
<input type="hidden" name="next" value="${next}">
!${inputField({ name: 'code', label: a('accounts.twoFactor.code'), required: true, maxlength: 20, help: a('accounts.signInCode.help'), attributes: 'autocomplete="one-time-code" inputmode="numeric" autofocus' })}
<p><button type="submit" class="button">${a('signIn.submit')}</button></p>
</form></section>`
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
      const started = await startSession(app, reply, email, password)
      if (started.awaitingCode) return reply.redirect(`/admin/sign-in/code?next=${encodeURIComponent(safeNext(next))}`, 303)
      return reply.redirect(safeNext(next), 303)
    } catch (err) {
      const refused = refusal(request, err)
      const view = adminView(request, reply)
      return sendAdmin(reply, view, view.a('signIn.title'), signInForm(view, { email, next: safeNext(next) }, refused.message), refused.status)
    }
  })

  app.get('/sign-in/code', { schema: { hide: true, querystring: NextQuery } }, async (request, reply) => {
    if (!await isAwaitingCode(app, request)) return reply.redirect('/admin/sign-in', 303)
    const view = adminView(request, reply)
    return sendAdmin(reply, view, view.a('accounts.signInCode.title'), codeForm(view, safeNext(request.query.next)))
  })

  app.post('/sign-in/code', {
    schema: { hide: true, body: Type.Object({ _csrf: Text, code: Text, next: Text }) },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    const next = safeNext(request.body.next)
    try {
      const done = await completeSignIn(app, request, request.body.code ?? '')
      return done.recoveryCodesLeft === null ? reply.redirect(next, 303) : redirectAfter(reply, '/admin/account', 'recoveryCodeUsed', { count: String(done.recoveryCodesLeft) })
    } catch (err) {
      const refused = refusal(request, err)
      // Too many wrong codes ended the waiting session: back to the password.
      if (!await isAwaitingCode(app, request)) return redirectAfter(reply, '/admin/sign-in', 'codeAttemptsUsed')
      const view = adminView(request, reply)
      return sendAdmin(reply, view, view.a('accounts.signInCode.title'), codeForm(view, next, refused.message), refused.status)
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
    const { _csrf: _token, ...input } = request.body
    const { token = '', email = '', name = '', password = '' } = input
    // The API's own schema for the first admin, so that the form and the API accept the same accounts.
    const created = await throughSchema(request, FirstAdminInput, input, async () => {
      await app.setup.createFirstAdmin(token, { email, name, password })
      return startSession(app, reply, email, password)
    })
    if (!isRefusal(created)) return redirectAfter(reply, '/admin', 'welcome')
    const view = adminView(request, reply)
    const errors = created.status === 400 ? created.fields : {}
    return sendAdmin(reply, view, view.a('setup.title'), setupForm(view, { token, email, name }, Object.keys(errors).length > 0 ? undefined : created.message, errors), created.status)
  })
}

export default signInPages
