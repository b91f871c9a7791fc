import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { invalidFields } from '../errors/app-error.js'
import { Slug, SlugParams, Uuid } from '../http/schemas.js'
import { signedIn } from '../organisers/auth.js'
import { webhookEventTypes, type WebhookEventType } from '../webhooks/events.js'
import { WebhookEndpointInput } from '../webhooks/routes.js'
import { formValue, isRefusal, throughSchema } from './form-input.js'
import { appealHeader } from './templates/appeal-nav.js'
import { buttonForm, checkboxField, csrfField, errorSummary, inputField } from './templates/forms.js'
import { adminView, sendAdmin } from './view.js'

const Text = Type.Optional(Type.String({ maxLength: 300 }))
const EndpointParams = Type.Object({ slug: Slug, id: Uuid })
const eventField = (type: WebhookEventType): string => `event_${type.replace('.', '_')}`

// An appeal's webhooks: endpoints that receive signed events (Standard Webhooks), their secrets (shown
// once, rotated here) and each endpoint's delivery log.
const webhookPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, webhooks } = app.services

  async function page (
    request: Parameters<typeof adminView>[0], reply: Parameters<typeof adminView>[1], slug: string,
    extra: {
      secret?: { url: string, secret: string }, status?: string, form?: { url: string, events: string[], includePersonal: boolean }
      message?: string, errors?: Record<string, string>
    } = {},
    code = 200
  ) {
    const appeal = await appeals.getManaged(signedIn(request), slug)
    const view = adminView(request, reply)
    const a = view.a
    const [texts, endpoints] = await Promise.all([appeals.texts(appeal), webhooks.list(appeal)])
    const base = `/admin/appeals/${appeal.slug}/webhooks`
    const form = extra.form ?? { url: '', events: [...webhookEventTypes], includePersonal: false }
    const main = appealHeader(view, appeal, texts, 'webhooks', a('webhooks.title')) + html`<p>${a('webhooks.intro')}</p>
!${extra.status === undefined ? '' : html`<div class="notice" role="status"><p>${extra.status}</p></div>`}
!${extra.secret === undefined ? '' : html`<div class="notice" role="status"><p>${a('webhooks.secretOnce', { url: extra.secret.url })}</p><p><label for="new-secret">${a('webhooks.secret')}</label> <input id="new-secret" type="text" readonly value="${extra.secret.secret}" class="token-value"></p></div>`}
!${endpoints.length === 0
? html`<p>${a('webhooks.none')}</p>`
: html`<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${a('webhooks.url')}</th><th scope="col">${a('webhooks.events')}</th><th scope="col">${a('webhooks.personal')}</th><th scope="col">${a('signatures.actions')}</th></tr></thead>
<tbody>!${endpoints.map((e) => html`<tr><th scope="row"><span class="url">${e.url}</span></th><td data-label="${a('webhooks.events')}">${e.events.map((type) => a(`webhooks.eventNames.${type.replace('.', '_')}`)).join(', ')}</td><td data-label="${a('webhooks.personal')}">${e.includePersonal ? a('webhooks.yes') : a('webhooks.no')}</td>
<td class="actions"><a href="${base}/${e.id}">${a('webhooks.log')}<span class="visually-hidden">: ${e.url}</span></a>
!${buttonForm(view, `${base}/${e.id}/rotate`, a('webhooks.rotate'), { secondary: true, name: `${a('webhooks.rotate')}: ${e.url}` })}
!${buttonForm(view, `${base}/${e.id}/remove`, a('webhooks.remove'), { secondary: true, name: `${a('webhooks.remove')}: ${e.url}` })}</td></tr>`)}</tbody></table></div>`}
<section aria-labelledby="new-heading"><h2 id="new-heading">${a('webhooks.new')}</h2>
!${errorSummary(view, extra.message, extra.errors ?? {})}
<form method="post" action="${base}" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'url', label: a('webhooks.url'), type: 'url', value: form.url, required: true, maxlength: 2000, help: a('webhooks.urlHelp'), ...(extra.errors?.url !== undefined && { error: extra.errors.url }) })}
<fieldset><legend>${a('webhooks.events')}</legend>
!${webhookEventTypes.map((type) => checkboxField(eventField(type), a(`webhooks.eventNames.${type.replace('.', '_')}`), form.events.includes(type)))}
!${extra.errors?.events === undefined ? '' : html`<p class="field-error" id="field-events">${extra.errors.events}</p>`}
</fieldset>
!${checkboxField('includePersonal', a('webhooks.includePersonal'), form.includePersonal, a('webhooks.includePersonalHelp'))}
<p><button type="submit" class="button">${a('webhooks.create')}</button></p></form></section>`
    return sendAdmin(reply, view, a('webhooks.title'), main, code)
  }

  app.get('/appeals/:slug/webhooks', { schema: { hide: true, params: SlugParams } }, async (request, reply) => page(request, reply, request.params.slug))

  app.post('/appeals/:slug/webhooks', { schema: { hide: true, params: SlugParams, body: Type.Record(Type.String(), Type.Unknown()) } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const form = {
      url: formValue.text(request.body, 'url') ?? '',
      events: webhookEventTypes.filter((type) => formValue.checkbox(request.body, eventField(type))),
      includePersonal: formValue.checkbox(request.body, 'includePersonal')
    }
    const created = await throughSchema(request, WebhookEndpointInput, form, async () => {
      if (!app.config.WEBHOOKS_ALLOW_PRIVATE && !form.url.startsWith('https://')) throw invalidFields({ url: { key: 'url' } })
      return webhooks.create(appeal, form)
    })
    if (isRefusal(created)) return page(request, reply, appeal.slug, { form, message: created.message, errors: created.fields }, created.status)
    return page(request, reply, appeal.slug, { secret: { url: created.url, secret: created.secret } }, 201)
  })

  app.post('/appeals/:slug/webhooks/:id/rotate', { schema: { hide: true, params: EndpointParams, body: Type.Object({ _csrf: Text }) } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const rotated = await webhooks.rotateSecret(appeal, request.params.id)
    return page(request, reply, appeal.slug, { secret: { url: rotated.url, secret: rotated.secret } })
  })

  app.post('/appeals/:slug/webhooks/:id/remove', { schema: { hide: true, params: EndpointParams, body: Type.Object({ _csrf: Text }) } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const endpoint = await webhooks.get(appeal, request.params.id)
    await webhooks.remove(appeal, endpoint.id)
    return page(request, reply, appeal.slug, { status: adminView(request, reply).a('webhooks.removed', { url: endpoint.url }) })
  })

  app.get('/appeals/:slug/webhooks/:id', { schema: { hide: true, params: EndpointParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const [texts, endpoint, deliveries] = await Promise.all([
      appeals.texts(appeal), webhooks.get(appeal, request.params.id), webhooks.deliveries(appeal, request.params.id)
    ])
    const view = adminView(request, reply)
    const a = view.a
    const main = appealHeader(view, appeal, texts, 'webhooks', a('webhooks.logTitle')) + html`<p><span class="url">${endpoint.url}</span></p>
<p><a href="/admin/appeals/${appeal.slug}/webhooks">${a('webhooks.back')}</a></p>
!${deliveries.length === 0
? html`<p>${a('webhooks.noDeliveries')}</p>`
: html`<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${a('webhooks.when')}</th><th scope="col">${a('webhooks.event')}</th><th scope="col">${a('webhooks.status')}</th><th scope="col">${a('webhooks.attempts')}</th><th scope="col">${a('webhooks.lastAnswer')}</th></tr></thead>
<tbody>!${deliveries.map((d) => html`<tr><th scope="row">${view.date(d.createdAt)}</th><td data-label="${a('webhooks.event')}">${a(`webhooks.eventNames.${d.type.replace('.', '_')}`)}</td><td data-label="${a('webhooks.status')}">${a(`webhooks.statuses.${d.status}`)}!${d.status === 'queued' && d.attempts > 0 ? html` (${a('webhooks.nextAttempt', { date: view.date(d.nextAttemptAt) })})` : ''}</td><td data-label="${a('webhooks.attempts')}">${view.number(d.attempts)}</td><td data-label="${a('webhooks.lastAnswer')}">${d.lastStatusCode === null ? (d.lastError ?? '—') : `HTTP ${d.lastStatusCode}`}</td></tr>`)}</tbody></table></div>`}`
    return sendAdmin(reply, view, a('webhooks.logTitle'), main)
  })
}

export default webhookPages
