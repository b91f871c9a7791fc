import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { Line, Uuid } from '../http/schemas.js'
import { actorOf, signedIn } from '../organisers/auth.js'
import { appealRoles, lowerRole, type AppealRole } from '../organisers/permissions.js'
import { formValue, isRefusal, throughSchema } from './form-input.js'
import { buttonForm, csrfField, errorSummary, inputField, selectField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin } from './view.js'

const NewToken = Type.Object({ name: Line(100) }, { additionalProperties: false })

// API tokens, for the organiser's own scripts: made here, shown once, revoked here.
const tokenPages: FastifyPluginAsyncTypebox = async (app) => {
  const { organisers, audit } = app.services

  async function page (
    request: Parameters<typeof adminView>[0], reply: Parameters<typeof adminView>[1],
    extra: { created?: { name: string, token: string }, message?: string, errors?: Record<string, string> } = {}, status = 200
  ) {
    const view = adminView(request, reply)
    const a = view.a
    const tokens = await organisers.listApiTokens(signedIn(request).id)
    const main = html`<h1>${a('tokens.title')}</h1><p>${a('tokens.intro')}</p>
!${extra.created === undefined ? '' : html`<div class="notice" role="status"><p>${a('tokens.createdOnce', { name: extra.created.name })}</p><p><label for="new-token">${a('tokens.value')}</label> <input id="new-token" type="text" readonly value="${extra.created.token}" class="token-value"></p></div>`}
!${tokens.length === 0
? html`<p>${a('tokens.none')}</p>`
: html`<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${a('tokens.name')}</th><th scope="col">${a('tokens.created')}</th><th scope="col">${a('accounts.tokens.role')}</th><th scope="col">${a('tokens.lastUsed')}</th><th scope="col">${a('signatures.actions')}</th></tr></thead>
<tbody>!${tokens.map((t) => html`<tr><th scope="row">${t.name}</th><td data-label="${a('tokens.created')}">${view.date(t.createdAt)}</td><td data-label="${a('accounts.tokens.role')}">${t.role === null ? a('accounts.tokens.fullRole') : a(`accounts.roles.${t.role}`)}</td><td data-label="${a('tokens.lastUsed')}">${t.lastUsedAt === null ? a('tokens.never') : view.date(t.lastUsedAt)}</td><td class="actions">!${t.revokedAt === null ? buttonForm(view, `/admin/tokens/${t.id}/revoke`, a('tokens.revoke'), { secondary: true, name: `${a('tokens.revoke')}: ${t.name}` }) : a('tokens.revoked', { date: view.date(t.revokedAt) })}</td></tr>`)}</tbody></table></div>`}
<section aria-labelledby="new-heading"><h2 id="new-heading">${a('tokens.new')}</h2>
!${errorSummary(view, extra.message, extra.errors ?? {})}
<form method="post" action="/admin/tokens" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'name', label: a('tokens.name'), required: true, maxlength: 100, help: a('tokens.nameHelp'), ...(extra.errors?.name !== undefined && { error: extra.errors.name }) })}
!${selectField({ name: 'role', label: a('accounts.tokens.role'), value: '', help: a('accounts.tokens.roleHelp'), options: [{ value: '', label: a('accounts.tokens.fullRole') }, ...appealRoles.map((r) => ({ value: r, label: a(`accounts.roles.${r}`) }))] })}
<p><button type="submit" class="button">${a('tokens.create')}</button></p></form></section>`
    return sendAdmin(reply, view, a('tokens.title'), main, status)
  }

  app.get('/tokens', { schema: { hide: true } }, async (request, reply) => page(request, reply))

  app.post('/tokens', { schema: { hide: true, body: Type.Record(Type.String(), Type.Unknown()) } }, async (request, reply) => {
    const input = { name: formValue.text(request.body, 'name') }
    const asked = formValue.text(request.body, 'role')
    const who = signedIn(request)
    const role = appealRoles.includes(asked as AppealRole) ? lowerRole(asked as AppealRole, who.cap) : who.cap
    const created = await throughSchema(request, NewToken, input, async () => {
      const made = await organisers.createApiToken(who.id, input.name as string, role)
      await audit.record(actorOf(request), 'token.create', { details: { createdTokenId: made.id, role: made.role } })
      return made
    })
    if (isRefusal(created)) return page(request, reply, { message: created.message, errors: created.fields }, created.status)
    // The token is shown on this answer only (never stored in clear, never in an address).
    return page(request, reply, { created: { name: created.name, token: created.token } }, 201)
  })

  app.post('/tokens/:id/revoke', { schema: { hide: true, params: Type.Object({ id: Uuid }) } }, async (request, reply) => {
    await organisers.revokeApiToken(signedIn(request).id, request.params.id)
    await audit.record(actorOf(request), 'token.revoke', { details: { revokedTokenId: request.params.id } })
    return redirectAfter(reply, '/admin/tokens', 'tokenRevoked')
  })
}

export default tokenPages
