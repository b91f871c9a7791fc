import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { SlugParams } from '../http/schemas.js'
import type { AuditService } from '../audit/service.js'
import { assertMay, signedIn } from '../organisers/auth.js'
import { appealHeader } from './templates/appeal-nav.js'
import { adminView, sendAdmin, type AdminView } from './view.js'

const PAGE_SIZE = 50
const PageQuery = Type.Object({
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  lang: Type.Optional(Type.String({ maxLength: 35 })),
  notice: Type.Optional(Type.String({ maxLength: 40 }))
})

type Entry = Awaited<ReturnType<AuditService['list']>>['items'][number]

const detailText = (details: Record<string, unknown>): string => Object.entries(details)
  .map(([key, value]) => `${key}: ${typeof value === 'object' && value !== null ? Object.entries(value).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '—' : String(value)}`)
  .join(' · ')

function table (view: AdminView, items: Entry[], nextBefore: number | null, base: string): string {
  const a = view.a
  if (items.length === 0) return html`<p>${a('accounts.audit.none')}</p>`
  return html`<div class="table-scroll"><table class="admin-table"><caption class="visually-hidden">${a('accounts.audit.title')}</caption>
<thead><tr><th scope="col">${a('accounts.audit.when')}</th><th scope="col">${a('accounts.audit.who')}</th><th scope="col">${a('accounts.audit.action')}</th><th scope="col">${a('accounts.audit.appeal')}</th><th scope="col">${a('accounts.audit.details')}</th><th scope="col">${a('accounts.audit.address')}</th></tr></thead>
<tbody>!${items.map((e) => html`<tr><td data-label="${a('accounts.audit.when')}"><time datetime="${e.at.toISOString()}">${view.date(e.at)}</time></td>
<th scope="row">${e.actorEmail ?? '—'}!${e.via === 'token' ? html` <span class="muted">(${a('accounts.audit.viaToken')})</span>` : ''}</th>
<td data-label="${a('accounts.audit.action')}">${a(`accounts.audit.actions.${e.action}`, { defaultValue: e.action })}</td>
<td data-label="${a('accounts.audit.appeal')}">${e.appeal ?? '—'}</td>
<td data-label="${a('accounts.audit.details')}">${detailText(e.details)}</td>
<td data-label="${a('accounts.audit.address')}"><code>${(e.ipHash ?? '').slice(0, 8)}</code></td></tr>`)}</tbody></table></div>
!${nextBefore === null ? '' : html`<nav class="pagination" aria-label="${view.t('pagination.label')}"><ul><li><a href="${base}?before=${nextBefore}" rel="next">${a('signatures.older')}</a></li></ul></nav>`}`
}

// The audit trail in the dashboard: the whole of it for admins, an appeal's own for its owners.
const auditPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, audit } = app.services

  app.get('/audit', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) => {
    assertMay(request, 'audit.readAll')
    const view = adminView(request, reply)
    const page = await audit.list({ limit: PAGE_SIZE, ...(request.query.before !== undefined && { before: request.query.before }) })
    const main = html`<h1>${view.a('accounts.audit.title')}</h1><p>${view.a('accounts.audit.intro')}</p>` + table(view, page.items, page.nextBefore, '/admin/audit')
    return sendAdmin(reply, view, view.a('accounts.audit.title'), main)
  })

  app.get('/appeals/:slug/audit', { schema: { hide: true, params: SlugParams, querystring: PageQuery } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'audit.read')
    const view = adminView(request, reply)
    const page = await audit.list({ appealIds: [appeal.id], limit: PAGE_SIZE, ...(request.query.before !== undefined && { before: request.query.before }) })
    const main = appealHeader(view, appeal, await appeals.texts(appeal), 'audit', view.a('accounts.audit.title')) +
      html`<p>${view.a('accounts.audit.intro')}</p>` + table(view, page.items, page.nextBefore, `/admin/appeals/${appeal.slug}/audit`)
    return sendAdmin(reply, view, view.a('accounts.audit.title'), main)
  })
}

export default auditPages
