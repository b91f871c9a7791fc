import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { signedIn } from '../organisers/auth.js'
import { refusal } from './form-input.js'
import { appealHeader } from './templates/appeal-nav.js'
import { buttonForm, csrfField, errorSummary, inputField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin } from './view.js'
import { SlugParams, Uuid } from '../http/schemas.js'

const Text = Type.Optional(Type.String({ maxLength: 300 }))

// Who manages an appeal: every member sees the list; admins add organisers (by their account's email)
// and remove them. An organiser sees only the appeals they are a member of.
const teamPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals } = app.services

  async function page (
    request: Parameters<typeof adminView>[0], reply: Parameters<typeof adminView>[1], slug: string,
    form: { email?: string, message?: string, errors?: Record<string, string> } = {}, status = 200
  ) {
    const who = signedIn(request)
    const appeal = await appeals.getManaged(who, slug)
    const view = adminView(request, reply)
    const a = view.a
    const [texts, members] = await Promise.all([appeals.texts(appeal), appeals.members(appeal)])
    const base = `/admin/appeals/${appeal.slug}/team`
    const isAdmin = who.role === 'admin'
    const main = appealHeader(view, appeal, texts, 'team', a('team.title')) + html`<p>${a('team.intro')}</p>
<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${a('team.name')}</th><th scope="col">${a('team.email')}</th><th scope="col">${a('team.role')}</th>!${isAdmin ? html`<th scope="col">${a('signatures.actions')}</th>` : ''}</tr></thead>
<tbody>!${members.map((m) => html`<tr><th scope="row">${m.name}</th><td data-label="${a('team.email')}">${m.email}</td><td data-label="${a('team.role')}">${a(`roles.${m.role}`)}</td>!${isAdmin ? html`<td class="actions">!${buttonForm(view, `${base}/remove`, a('team.remove'), { secondary: true, hidden: { organiserId: m.id }, name: `${a('team.remove')}: ${m.name}` })}</td>` : ''}</tr>`)}</tbody></table></div>
!${isAdmin
? html`<section aria-labelledby="add-heading"><h2 id="add-heading">${a('team.add')}</h2>
<p>${a('team.addHelp')} <a href="/admin/organisers">${a('team.accounts')}</a></p>
!${errorSummary(view, form.message, form.errors ?? {})}
<form method="post" action="${base}" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'email', label: a('team.email'), type: 'email', value: form.email ?? '', required: true, maxlength: 254, ...(form.errors?.email !== undefined && { error: form.errors.email }) })}
<p><button type="submit" class="button">${a('team.addButton')}</button></p></form></section>`
: ''}`
    return sendAdmin(reply, view, a('team.title'), main, status)
  }

  app.get('/appeals/:slug/team', { schema: { hide: true, params: SlugParams } }, async (request, reply) => page(request, reply, request.params.slug))

  app.post('/appeals/:slug/team', { config: { adminOnly: true }, schema: { hide: true, params: SlugParams, body: Type.Object({ _csrf: Text, email: Text }) } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const email = request.body.email ?? ''
    try {
      await appeals.addMember(appeal, email)
    } catch (err) {
      const refused = refusal(request, err)
      return page(request, reply, appeal.slug, { email, message: refused.message, errors: { email: refused.message } }, refused.status)
    }
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/team`, 'memberAdded')
  })

  app.post('/appeals/:slug/team/remove', { config: { adminOnly: true }, schema: { hide: true, params: SlugParams, body: Type.Object({ _csrf: Text, organiserId: Uuid }) } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await appeals.removeMember(appeal, request.body.organiserId)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/team`, 'memberRemoved')
  })
}

export default teamPages
