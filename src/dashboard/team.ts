import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { SlugParams, Uuid } from '../http/schemas.js'
import { actorOf, signedIn } from '../organisers/auth.js'
import { appealRoles, isAllowed, type AppealRole } from '../organisers/permissions.js'
import { formValue, isRefusal, refusal, throughSchema } from './form-input.js'
import { appealHeader } from './templates/appeal-nav.js'
import { buttonForm, csrfField, errorSummary, inputField, selectField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin, type AdminView } from './view.js'

const Text = Type.Optional(Type.String({ maxLength: 300 }))
const InviteInput = Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }), role: Type.Union(appealRoles.map((r) => Type.Literal(r))) })
const asRole = (value: unknown): AppealRole => appealRoles.includes(value as AppealRole) ? value as AppealRole : 'viewer'

const roleOptions = (view: AdminView) => appealRoles.map((role) => ({ value: role, label: view.a(`accounts.roles.${role}`) }))

// An appeal's team, each member in a role (organisers/permissions.ts says what each may do). Owners
// and organisers see the list; owners (and admins) invite by mail, change roles and remove members.
const teamPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, accountLinks, audit } = app.services

  async function page (
    request: Parameters<typeof adminView>[0], reply: Parameters<typeof adminView>[1], slug: string,
    form: { email?: string, role?: string, message?: string, errors?: Record<string, string> } = {}, status = 200
  ) {
    const who = signedIn(request)
    const { appeal, role } = await appeals.access(who, slug, 'team.read')
    const view = adminView(request, reply)
    const a = view.a
    const [texts, members] = await Promise.all([appeals.texts(appeal), appeals.members(appeal)])
    const base = `/admin/appeals/${appeal.slug}/team`
    const manages = isAllowed(role, 'team.manage')
    const main = appealHeader(view, appeal, texts, 'team', a('team.title')) + html`<p>${a('accounts.team.intro')}</p>
<ul class="role-help">!${appealRoles.map((r) => html`<li><strong>${a(`accounts.roles.${r}`)}</strong>: ${a(`accounts.roleHelp.${r}`)}</li>`)}</ul>
<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${a('team.name')}</th><th scope="col">${a('team.email')}</th><th scope="col">${a('team.role')}</th>!${manages ? html`<th scope="col">${a('signatures.actions')}</th>` : ''}</tr></thead>
<tbody>!${members.map((m) => html`<tr><th scope="row">${m.name}</th><td data-label="${a('team.email')}">${m.email}</td><td data-label="${a('team.role')}">${a(`accounts.roles.${m.role}`)}!${m.admin ? html` <span class="muted">(${a('roles.admin')})</span>` : ''}</td>!${manages
? html`<td class="actions"><form method="post" action="${base}/role" class="inline-form">!${csrfField(view)}<input type="hidden" name="organiserId" value="${m.id}"><label class="visually-hidden" for="role-${m.id}">${a('team.role')}: ${m.name}</label><select id="role-${m.id}" name="role">!${roleOptions(view).map((o) => html`<option value="${o.value}"!${o.value === m.role ? ' selected' : ''}>${o.label}</option>`)}</select> <button type="submit" class="button small secondary">${a('accounts.team.changeRole')}</button></form>
!${buttonForm(view, `${base}/remove`, a('team.remove'), { secondary: true, hidden: { organiserId: m.id }, name: `${a('team.remove')}: ${m.name}` })}</td>`
: ''}</tr>`)}</tbody></table></div>
!${manages
? html`<section aria-labelledby="invite-heading"><h2 id="invite-heading">${a('accounts.team.invite')}</h2>
<p>${a('accounts.team.inviteHelp')}</p>
!${errorSummary(view, form.message, form.errors ?? {})}
<form method="post" action="${base}" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'email', label: a('team.email'), type: 'email', value: form.email ?? '', required: true, maxlength: 254, ...(form.errors?.email !== undefined && { error: form.errors.email }) })}
!${selectField({ name: 'role', label: a('team.role'), value: form.role ?? 'moderator', options: roleOptions(view) })}
<p><button type="submit" class="button">${a('accounts.team.inviteButton')}</button></p></form></section>`
: ''}`
    return sendAdmin(reply, view, a('team.title'), main, status)
  }

  app.get('/appeals/:slug/team', { schema: { hide: true, params: SlugParams } }, async (request, reply) => page(request, reply, request.params.slug))

  app.post('/appeals/:slug/team', { schema: { hide: true, params: SlugParams, body: Type.Record(Type.String(), Type.Unknown()) } }, async (request, reply) => {
    const who = signedIn(request)
    const appeal = await appeals.getManaged(who, request.params.slug, 'team.manage')
    const input = { email: formValue.text(request.body, 'email'), role: formValue.text(request.body, 'role') }
    const done = await throughSchema(request, InviteInput, input, async () => {
      const role = asRole(input.role)
      const answer = await accountLinks.invite(who, { email: input.email ?? '', instanceRole: 'organiser', appeal: { id: appeal.id, slug: appeal.slug, role }, language: adminView(request, reply).lang })
      await audit.record(actorOf(request), answer.status === 'invited' ? 'invitation.create' : 'member.role', { appealId: appeal.id, details: { role, status: answer.status } })
      return answer
    })
    if (isRefusal(done)) return page(request, reply, appeal.slug, { email: input.email ?? '', role: input.role ?? '', message: done.message, errors: done.fields }, done.status)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/team`, done.status === 'invited' ? 'invitationSent' : 'memberAdded')
  })

  app.post('/appeals/:slug/team/role', { schema: { hide: true, params: SlugParams, body: Type.Object({ _csrf: Text, organiserId: Uuid, role: Text }) } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'team.manage')
    const role = asRole(request.body.role)
    try {
      const previous = await appeals.setMemberRole(appeal, request.body.organiserId, role)
      await audit.record(actorOf(request), 'member.role', { appealId: appeal.id, details: { organiserId: request.body.organiserId, from: previous, to: role } })
    } catch (err) {
      const refused = refusal(request, err)
      return page(request, reply, appeal.slug, { message: refused.message }, refused.status)
    }
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/team`, 'roleChanged')
  })

  app.post('/appeals/:slug/team/remove', { schema: { hide: true, params: SlugParams, body: Type.Object({ _csrf: Text, organiserId: Uuid }) } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'team.manage')
    if (await appeals.removeMember(appeal, request.body.organiserId)) {
      await audit.record(actorOf(request), 'member.remove', { appealId: appeal.id, details: { organiserId: request.body.organiserId } })
    }
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/team`, 'memberRemoved')
  })
}

export default teamPages
