import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { Email } from '../http/schemas.js'
import { actorOf, signedIn } from '../organisers/auth.js'
import { formValue, isRefusal, throughSchema } from './form-input.js'
import { csrfField, errorSummary, inputField, selectField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin } from './view.js'

const InviteInput = Type.Object({ email: Email })

// Organiser accounts (admins only): who may sign in to the dashboard. An admin invites someone by mail
// (they choose their own password); an appeal's owners invite to their appeal from its Team page.
const organiserPages: FastifyPluginAsyncTypebox = async (app) => {
  const { organisers, accountLinks, audit } = app.services

  async function page (
    request: Parameters<typeof adminView>[0], reply: Parameters<typeof adminView>[1],
    form: { values: Record<string, string>, errors: Record<string, string>, message?: string }, status = 200
  ) {
    const view = adminView(request, reply)
    const a = view.a
    const list = await organisers.list()
    const main = html`<h1>${a('organisers.title')}</h1>
<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${a('team.name')}</th><th scope="col">${a('team.email')}</th><th scope="col">${a('team.role')}</th></tr></thead>
<tbody>!${list.map((o) => html`<tr><th scope="row">${o.name}</th><td data-label="${a('team.email')}">${o.email}</td><td data-label="${a('team.role')}">${a(`roles.${o.role}`)}</td></tr>`)}</tbody></table></div>
<section aria-labelledby="new-heading"><h2 id="new-heading">${a('accounts.organisers.invite')}</h2>
<p>${a('accounts.organisers.inviteHelp')}</p>
!${errorSummary(view, form.message, form.errors)}
<form method="post" action="/admin/organisers" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'email', label: a('team.email'), type: 'email', value: form.values.email ?? '', required: true, maxlength: 254, ...(form.errors.email !== undefined && { error: form.errors.email }) })}
!${selectField({ name: 'role', label: a('team.role'), value: form.values.role ?? 'organiser', options: [{ value: 'organiser', label: a('roles.organiser') }, { value: 'admin', label: a('roles.admin') }] })}
<p><button type="submit" class="button">${a('accounts.team.inviteButton')}</button></p></form></section>`
    return sendAdmin(reply, view, a('organisers.title'), main, status)
  }

  app.get('/organisers', { config: { adminOnly: true }, schema: { hide: true } }, async (request, reply) => page(request, reply, { values: {}, errors: {} }))

  app.post('/organisers', { config: { adminOnly: true }, schema: { hide: true, body: Type.Record(Type.String(), Type.Unknown()) } }, async (request, reply) => {
    const input = { email: formValue.text(request.body, 'email'), role: formValue.text(request.body, 'role') === 'admin' ? 'admin' as const : 'organiser' as const }
    const view = adminView(request, reply)
    const sent = await throughSchema(request, InviteInput, input, async () => {
      const answer = await accountLinks.invite(signedIn(request), { email: input.email ?? '', instanceRole: input.role, language: view.lang })
      await audit.record(actorOf(request), 'invitation.create', { details: { instanceRole: input.role } })
      return answer
    })
    if (isRefusal(sent)) return page(request, reply, { values: { email: input.email ?? '', role: input.role }, errors: sent.fields, message: sent.message }, sent.status)
    return redirectAfter(reply, '/admin/organisers', 'invitationSent')
  })
}

export default organiserPages
