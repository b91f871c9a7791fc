import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { MIN_PASSWORD_LENGTH } from '../organisers/passwords.js'
import { NewOrganiserInput } from '../organisers/schemas.js'
import { formValue, isRefusal, throughSchema } from './form-input.js'
import { csrfField, errorSummary, inputField, selectField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin } from './view.js'

// Organiser accounts (admins only): who may sign in to the dashboard. An admin then adds an
// organiser to the appeals they are to manage (an appeal's Team page).
const organiserPages: FastifyPluginAsyncTypebox = async (app) => {
  const { organisers } = app.services

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
<section aria-labelledby="new-heading"><h2 id="new-heading">${a('organisers.new')}</h2>
<p>${a('organisers.newHelp')}</p>
!${errorSummary(view, form.message, form.errors)}
<form method="post" action="/admin/organisers" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'name', label: a('team.name'), value: form.values.name ?? '', required: true, maxlength: 200, ...(form.errors.name !== undefined && { error: form.errors.name }) })}
!${inputField({ name: 'email', label: a('team.email'), type: 'email', value: form.values.email ?? '', required: true, maxlength: 254, ...(form.errors.email !== undefined && { error: form.errors.email }) })}
!${inputField({ name: 'password', label: a('organisers.password'), type: 'password', required: true, help: a('setup.passwordHelp', { count: MIN_PASSWORD_LENGTH }), attributes: `autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}"`, ...(form.errors.password !== undefined && { error: form.errors.password }) })}
!${selectField({ name: 'role', label: a('team.role'), value: form.values.role ?? 'organiser', options: [{ value: 'organiser', label: a('roles.organiser') }, { value: 'admin', label: a('roles.admin') }] })}
<p><button type="submit" class="button">${a('organisers.create')}</button></p></form></section>`
    return sendAdmin(reply, view, a('organisers.title'), main, status)
  }

  app.get('/organisers', { config: { adminOnly: true }, schema: { hide: true } }, async (request, reply) => page(request, reply, { values: {}, errors: {} }))

  app.post('/organisers', { config: { adminOnly: true }, schema: { hide: true, body: Type.Record(Type.String(), Type.Unknown()) } }, async (request, reply) => {
    const body = request.body
    const input = { email: formValue.text(body, 'email'), name: formValue.text(body, 'name'), password: typeof body.password === 'string' ? body.password : undefined, role: formValue.text(body, 'role') }
    const created = await throughSchema(request, NewOrganiserInput, input, async () => organisers.create({ ...input as { email: string, name: string, password: string }, role: input.role === 'admin' ? 'admin' : 'organiser' }))
    if (isRefusal(created)) {
      const { password: _password, ...values } = input
      const given = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined))
      return page(request, reply, { values: given, errors: created.fields, message: created.message }, created.status)
    }
    return redirectAfter(reply, '/admin/organisers', 'organiserCreated')
  })
}

export default organiserPages
