import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { auditIpHash, startSession } from '../organisers/auth.js'
import { MIN_PASSWORD_LENGTH } from '../organisers/passwords.js'
import { refusal } from './form-input.js'
import { csrfField, errorSummary, inputField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin, type AdminView } from './view.js'

const Text = Type.Optional(Type.String({ maxLength: 1000 }))
const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })), lang: Type.Optional(Type.String({ maxLength: 35 })) })

// The pages a mailed link opens carry their token in the query (never logged): the address must not
// travel on to another site either.
const noReferrer = (reply: FastifyReply): FastifyReply => reply.header('referrer-policy', 'no-referrer')

const passwordField = (view: AdminView, error?: string): string => inputField({
  name: 'password', label: view.a('accounts.password.new'), type: 'password', required: true, maxlength: 1000,
  help: view.a('setup.passwordHelp', { count: MIN_PASSWORD_LENGTH }), attributes: `autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}"`, ...(error !== undefined && { error })
})

function linkGone (view: AdminView): string {
  return html`<section class="narrow"><h1>${view.a('accounts.link.goneTitle')}</h1><p>${view.a('accounts.link.gone')}</p>
<p><a href="/admin/forgot">${view.a('accounts.reset.forgot')}</a> · <a href="/admin/sign-in">${view.a('signIn.title')}</a></p></section>`
}

// Invitations, and a forgotten password: the pages reached from the mails, without being signed in.
const accessPages: FastifyPluginAsyncTypebox = async (app) => {
  const { accountLinks, audit } = app.services

  function invitationForm (
    view: AdminView, token: string, invitation: { email: string, appeal: string | null, role: string | null },
    form: { name?: string, message?: string, errors?: Record<string, string> } = {}
  ): string {
    const a = view.a
    return html`<section class="narrow"><h1>${a('accounts.invitation.title')}</h1>
<p>${invitation.appeal === null ? a('accounts.invitation.intro', { email: invitation.email }) : a('accounts.invitation.introAppeal', { email: invitation.email, appeal: invitation.appeal, role: a(`accounts.roles.${invitation.role ?? 'viewer'}`) })}</p>
!${errorSummary(view, form.message, form.errors ?? {})}
<form method="post" action="/admin/invitation" novalidate>!${csrfField(view)}
<input type="hidden" name="token" value="${token}">
!${inputField({ name: 'name', label: a('setup.name'), value: form.name ?? '', required: true, maxlength: 200, attributes: 'autocomplete="name"', ...(form.errors?.name !== undefined && { error: form.errors.name }) })}
!${passwordField(view, form.errors?.password)}
<p><button type="submit" class="button">${a('accounts.invitation.submit')}</button></p></form></section>`
  }

  app.get('/invitation', { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) => {
    const view = adminView(request, reply)
    const token = request.query.token ?? ''
    noReferrer(reply)
    try {
      return sendAdmin(reply, view, view.a('accounts.invitation.title'), invitationForm(view, token, await accountLinks.invitation(token)))
    } catch {
      return sendAdmin(reply, view, view.a('accounts.link.goneTitle'), linkGone(view), 404)
    }
  })

  app.post('/invitation', { schema: { hide: true, body: Type.Object({ _csrf: Text, token: Text, name: Text, password: Text }) }, onRequest: app.limitSignIn }, async (request, reply) => {
    const { token = '', name = '', password = '' } = request.body
    noReferrer(reply)
    try {
      if (name.trim() === '') throw Object.assign(new Error('name'), { nameMissing: true })
      const created = await accountLinks.accept(token, { name, password })
      await audit.record({ id: created.id, email: created.email, via: null, ipHash: auditIpHash(request) }, 'invitation.accept', { appealId: created.appealId })
      await startSession(app, reply, created.email, password)
      return redirectAfter(reply, '/admin/account', 'welcomeInvited')
    } catch (err) {
      const view = adminView(request, reply)
      if ((err as { nameMissing?: boolean }).nameMissing === true) {
        const invitation = await accountLinks.invitation(token).catch(() => null)
        if (invitation === null) return sendAdmin(reply, view, view.a('accounts.link.goneTitle'), linkGone(view), 404)
        return sendAdmin(reply, view, view.a('accounts.invitation.title'), invitationForm(view, token, invitation, { errors: { name: view.t('errors:validation.required') } }), 400)
      }
      const refused = refusal(request, err)
      if (refused.status === 404) return sendAdmin(reply, view, view.a('accounts.link.goneTitle'), linkGone(view), 404)
      const invitation = await accountLinks.invitation(token)
      return sendAdmin(reply, view, view.a('accounts.invitation.title'), invitationForm(view, token, invitation, { name, message: refused.message, errors: refused.fields }), refused.status)
    }
  })

  function forgotForm (view: AdminView, sent: boolean): string {
    const a = view.a
    return html`<section class="narrow"><h1>${a('accounts.reset.title')}</h1>
!${sent ? html`<div class="notice" role="status"><p>${a('accounts.reset.sent')}</p></div>` : html`<p>${a('accounts.reset.intro')}</p>`}
<form method="post" action="/admin/forgot" novalidate>!${csrfField(view)}
!${inputField({ name: 'email', label: a('signIn.email'), type: 'email', required: true, maxlength: 254, attributes: 'autocomplete="username"' })}
<p><button type="submit" class="button">${a('accounts.reset.send')}</button></p></form>
<p><a href="/admin/sign-in">${a('signIn.title')}</a></p></section>`
  }

  app.get('/forgot', { schema: { hide: true, querystring: Type.Object({ lang: Text }) } }, async (request, reply) => {
    const view = adminView(request, reply)
    return sendAdmin(reply, view, view.a('accounts.reset.title'), forgotForm(view, false))
  })

  // The same page after every request, for an address with an account or without one.
  app.post('/forgot', { schema: { hide: true, body: Type.Object({ _csrf: Text, email: Text }) }, onRequest: app.limitSignIn }, async (request, reply) => {
    const email = (request.body.email ?? '').trim()
    const view = adminView(request, reply)
    if (/^[^@\s]+@[^@\s]+$/.test(email) && email.length <= 254) await accountLinks.requestReset(email, view.lang)
    return sendAdmin(reply, view, view.a('accounts.reset.title'), forgotForm(view, true))
  })

  function resetForm (view: AdminView, token: string, form: { message?: string, errors?: Record<string, string> } = {}): string {
    const a = view.a
    return html`<section class="narrow"><h1>${a('accounts.reset.newTitle')}</h1>
<p>${a('accounts.reset.newIntro')}</p>
!${errorSummary(view, form.message, form.errors ?? {})}
<form method="post" action="/admin/reset" novalidate>!${csrfField(view)}
<input type="hidden" name="token" value="${token}">
!${passwordField(view, form.errors?.password)}
<p><button type="submit" class="button">${a('accounts.reset.submit')}</button></p></form></section>`
  }

  app.get('/reset', { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) => {
    const view = adminView(request, reply)
    const token = request.query.token ?? ''
    noReferrer(reply)
    try {
      await accountLinks.checkReset(token)
    } catch {
      return sendAdmin(reply, view, view.a('accounts.link.goneTitle'), linkGone(view), 404)
    }
    return sendAdmin(reply, view, view.a('accounts.reset.newTitle'), resetForm(view, token))
  })

  app.post('/reset', { schema: { hide: true, body: Type.Object({ _csrf: Text, token: Text, password: Text }) }, onRequest: app.limitSignIn }, async (request, reply) => {
    const { token = '', password = '' } = request.body
    noReferrer(reply)
    try {
      const { organiserId } = await accountLinks.completeReset(token, password)
      await audit.record({ id: organiserId, email: null, via: null, ipHash: auditIpHash(request) }, 'password.reset')
    } catch (err) {
      const view = adminView(request, reply)
      const refused = refusal(request, err)
      if (refused.status === 404) return sendAdmin(reply, view, view.a('accounts.link.goneTitle'), linkGone(view), 404)
      return sendAdmin(reply, view, view.a('accounts.reset.newTitle'), resetForm(view, token, { message: refused.message, errors: refused.fields }), refused.status)
    }
    return redirectAfter(reply, '/admin/sign-in', 'passwordReset')
  })
}

export default accessPages
