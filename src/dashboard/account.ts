import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { Uuid } from '../http/schemas.js'
import { actorOf, replaceSessionCookie, signedIn } from '../organisers/auth.js'
import { MIN_PASSWORD_LENGTH } from '../organisers/passwords.js'
import { describeDevice } from '../organisers/service.js'
import { refusal } from './form-input.js'
import { buttonForm, csrfField, errorSummary, inputField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin, type AdminView } from './view.js'

const Text = Type.Optional(Type.String({ maxLength: 1000 }))
type Request = Parameters<typeof adminView>[0]
type Reply = Parameters<typeof adminView>[1]

interface PageState {
  password?: { message?: string, errors?: Record<string, string> }
  enrolment?: { secret: string, qrSvg: string, message?: string }
  recoveryCodes?: string[]
  twoFactorMessage?: string
}

function recoveryList (view: AdminView, codes: string[]): string {
  return html`<div class="notice" role="status"><p>${view.a('accounts.twoFactor.codesOnce')}</p><ul class="recovery-codes">!${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul></div>`
}

// The signed-in person's own account: password, two-factor sign-in (enrolment with a QR code drawn
// here, recovery codes shown once) and the sessions open in their name, any of which they end.
const accountPages: FastifyPluginAsyncTypebox = async (app) => {
  const { organisers, audit } = app.services

  async function page (request: Request, reply: Reply, state: PageState = {}, status = 200) {
    const who = signedIn(request)
    const view = adminView(request, reply)
    const a = view.a
    const [sessions, codesLeft] = await Promise.all([organisers.listSessions(who.id), who.twoFactor ? organisers.twoFactor.recoveryCodesLeft(who.id) : 0])
    const twoFactor = who.twoFactor
      ? html`<p>${a('accounts.twoFactor.on')} ${a('accounts.twoFactor.codesLeft', { count: codesLeft })}</p>
!${state.recoveryCodes === undefined ? '' : recoveryList(view, state.recoveryCodes)}
!${errorSummary(view, state.twoFactorMessage, {})}
<form method="post" action="/admin/account/recovery-codes" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'code', label: a('accounts.twoFactor.code'), required: true, maxlength: 20, attributes: 'autocomplete="one-time-code" inputmode="numeric"' })}
<p><button type="submit" class="button secondary">${a('accounts.twoFactor.renewCodes')}</button></p></form>
<form method="post" action="/admin/account/two-factor/off" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'password', label: a('accounts.password.current'), type: 'password', required: true, maxlength: 1000, attributes: 'autocomplete="current-password"' })}
<p><button type="submit" class="button secondary">${a('accounts.twoFactor.turnOff')}</button></p></form>`
      : state.enrolment === undefined
        ? html`<p>${a('accounts.twoFactor.off')}</p>
<form method="post" action="/admin/account/two-factor" class="admin-form">!${csrfField(view)}<p><button type="submit" class="button">${a('accounts.twoFactor.start')}</button></p></form>`
        : html`<ol><li>${a('accounts.twoFactor.scan')}</li><li>${a('accounts.twoFactor.typeCode')}</li></ol>
<figure class="qr-code">!${state.enrolment.qrSvg}<figcaption>${a('accounts.twoFactor.secret')} <code class="totp-secret">${state.enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}</code></figcaption></figure>
!${errorSummary(view, state.enrolment.message, {})}
<form method="post" action="/admin/account/two-factor/confirm" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'code', label: a('accounts.twoFactor.code'), required: true, maxlength: 20, attributes: 'autocomplete="one-time-code" inputmode="numeric"' })}
<p><button type="submit" class="button">${a('accounts.twoFactor.confirm')}</button></p></form>`
    const main = html`<h1>${a('accounts.account.title')}</h1>
<p>${a('accounts.account.intro', { email: who.email })}</p>
<section aria-labelledby="twofactor-heading"><h2 id="twofactor-heading">${a('accounts.twoFactor.title')}</h2>
!${twoFactor}</section>
<section aria-labelledby="password-heading"><h2 id="password-heading">${a('accounts.password.title')}</h2>
<p>${a('accounts.password.intro')}</p>
!${errorSummary(view, state.password?.message, state.password?.errors ?? {})}
<form method="post" action="/admin/account/password" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'currentPassword', label: a('accounts.password.current'), type: 'password', required: true, maxlength: 1000, attributes: 'autocomplete="current-password"', ...(state.password?.errors?.currentPassword !== undefined && { error: state.password.errors.currentPassword }) })}
!${inputField({ name: 'password', label: a('accounts.password.new'), type: 'password', required: true, maxlength: 1000, help: a('setup.passwordHelp', { count: MIN_PASSWORD_LENGTH }), attributes: `autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}"`, ...(state.password?.errors?.password !== undefined && { error: state.password.errors.password }) })}
<p><button type="submit" class="button">${a('accounts.password.submit')}</button></p></form></section>
<section aria-labelledby="sessions-heading"><h2 id="sessions-heading">${a('accounts.sessions.title')}</h2>
<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${a('accounts.sessions.device')}</th><th scope="col">${a('accounts.sessions.lastUsed')}</th><th scope="col">${a('accounts.sessions.started')}</th><th scope="col">${a('signatures.actions')}</th></tr></thead>
<tbody>!${sessions.map((s) => html`<tr><th scope="row">${s.device ?? a('accounts.sessions.unknownDevice')}!${s.id === who.credentialId ? html` <span class="muted">(${a('accounts.sessions.this')})</span>` : ''}</th><td data-label="${a('accounts.sessions.lastUsed')}">${s.lastUsedAt === null ? '—' : view.date(s.lastUsedAt)}</td><td data-label="${a('accounts.sessions.started')}">${view.date(s.createdAt)}</td><td class="actions">!${buttonForm(view, `/admin/account/sessions/${s.id}/end`, a('accounts.sessions.end'), { secondary: true, name: `${a('accounts.sessions.end')}: ${s.device ?? ''}` })}</td></tr>`)}</tbody></table></div></section>`
    return sendAdmin(reply, view, a('accounts.account.title'), main, status)
  }

  app.get('/account', { schema: { hide: true } }, async (request, reply) => page(request, reply))

  app.post('/account/password', { schema: { hide: true, body: Type.Object({ _csrf: Text, currentPassword: Text, password: Text }) }, onRequest: app.limitSignIn }, async (request, reply) => {
    const who = signedIn(request)
    try {
      const session = await organisers.changePassword(who.id, request.body.currentPassword ?? '', request.body.password ?? '', describeDevice(request.headers['user-agent']))
      replaceSessionCookie(reply, session)
      await audit.record(actorOf(request), 'password.change')
    } catch (err) {
      const refused = refusal(request, err, (field) => field)
      const errors = refused.status === 401 ? { currentPassword: refused.message } : refused.fields
      return page(request, reply, { password: { message: refused.message, errors } }, refused.status)
    }
    return redirectAfter(reply, '/admin/account', 'passwordChanged')
  })

  app.post('/account/two-factor', { schema: { hide: true, body: Type.Object({ _csrf: Text }) } }, async (request, reply) => {
    const { secret, qrSvg } = await organisers.twoFactor.begin(signedIn(request).id)
    return page(request, reply, { enrolment: { secret, qrSvg } })
  })

  app.post('/account/two-factor/confirm', { schema: { hide: true, body: Type.Object({ _csrf: Text, code: Text }) }, onRequest: app.limitSignIn }, async (request, reply) => {
    const who = signedIn(request)
    try {
      const { recoveryCodes } = await organisers.twoFactor.confirm(who.id, request.body.code ?? '')
      await audit.record(actorOf(request), 'twoFactor.enable')
      request.organiser = { ...who, twoFactor: true }
      return await page(request, reply, { recoveryCodes })
    } catch (err) {
      const refused = refusal(request, err)
      // The same secret again (it is still the one kept, sealed), so the app need not be scanned twice.
      const { secret, qrSvg } = await organisers.twoFactor.pending(who.id)
      return page(request, reply, { enrolment: { secret, qrSvg, message: refused.message } }, refused.status)
    }
  })

  app.post('/account/recovery-codes', { schema: { hide: true, body: Type.Object({ _csrf: Text, code: Text }) }, onRequest: app.limitSignIn }, async (request, reply) => {
    try {
      const { recoveryCodes } = await organisers.twoFactor.renewRecoveryCodes(signedIn(request).id, request.body.code ?? '')
      await audit.record(actorOf(request), 'twoFactor.recoveryCodes')
      return await page(request, reply, { recoveryCodes })
    } catch (err) {
      const refused = refusal(request, err)
      return page(request, reply, { twoFactorMessage: refused.message }, refused.status)
    }
  })

  app.post('/account/two-factor/off', { schema: { hide: true, body: Type.Object({ _csrf: Text, password: Text }) }, onRequest: app.limitSignIn }, async (request, reply) => {
    const who = signedIn(request)
    try {
      await organisers.checkPassword(who.id, request.body.password ?? '')
    } catch (err) {
      return page(request, reply, { twoFactorMessage: refusal(request, err).message }, 401)
    }
    await organisers.twoFactor.disable(who.id)
    await audit.record(actorOf(request), 'twoFactor.disable')
    return redirectAfter(reply, '/admin/account', 'twoFactorOff')
  })

  app.post('/account/sessions/:id/end', { schema: { hide: true, params: Type.Object({ id: Uuid }), body: Type.Object({ _csrf: Text }) } }, async (request, reply) => {
    const who = signedIn(request)
    await organisers.endSession(who.id, request.params.id)
    await audit.record(actorOf(request), 'session.end', { details: { sessionId: request.params.id } })
    if (request.params.id === who.credentialId) return redirectAfter(reply, '/admin/sign-in', 'signedOut')
    return redirectAfter(reply, '/admin/account', 'sessionClosed')
  })
}

export default accountPages
