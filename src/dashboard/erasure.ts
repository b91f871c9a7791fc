import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { html } from 'ghtml'
import { Type } from 'typebox'
import { ErasureInput } from '../erasure/schemas.js'
import { recordErasureByEmail } from '../erasure/audit.js'
import { actorOf, signedIn } from '../organisers/auth.js'
import { formValue, isRefusal, throughSchema } from './form-input.js'
import { csrfField, errorSummary, inputField } from './templates/forms.js'
import { adminView, sendAdmin } from './view.js'

// A person asks to be forgotten: their signatures on every appeal this organiser manages are erased.
const erasurePages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, erasure, audit, fund } = app.services

  async function page (
    request: Parameters<typeof adminView>[0], reply: Parameters<typeof adminView>[1],
    form: { email?: string, message?: string, errors?: Record<string, string>, done?: string[] } = {}, status = 200
  ) {
    const view = adminView(request, reply)
    const a = view.a
    const main = html`<p class="breadcrumb"><a href="/admin">${a('layout.appeals')}</a></p><h1>${a('erasure.title')}</h1><p>${a('erasure.intro')}</p>
!${form.done === undefined ? '' : html`<div class="notice" role="status"><p>${form.done.length === 0 ? a('erasure.doneNone') : a('erasure.done', { count: form.done.length })}</p>!${form.done.length === 0 ? '' : html`<ul>!${form.done.map((slug) => html`<li>/${slug}</li>`)}</ul>`}</div>`}
!${errorSummary(view, form.message, form.errors ?? {})}
<form method="post" action="/admin/erasure" novalidate class="admin-form">!${csrfField(view)}
!${inputField({ name: 'email', label: a('erasure.email'), type: 'email', value: form.done === undefined ? form.email ?? '' : '', required: true, maxlength: 254, ...(form.errors?.email !== undefined && { error: form.errors.email }) })}
<p><button type="submit" class="button">${a('erasure.submit')}</button></p></form>`
    return sendAdmin(reply, view, a('erasure.title'), main, status)
  }

  app.get('/erasure', { schema: { hide: true } }, async (request, reply) => page(request, reply))

  app.post('/erasure', { schema: { hide: true, body: Type.Record(Type.String(), Type.Unknown()) } }, async (request, reply) => {
    const input = { email: formValue.text(request.body, 'email') }
    const erased = await throughSchema(request, ErasureInput, input, async () => {
      const managed = await appeals.managedSlugs(signedIn(request), 'signatures.erase')
      const result = await erasure.eraseByEmail(managed, input.email as string)
      // Their reports to the funds too: the amounts stay in the accounts, who sent them goes.
      await fund.eraseByEmail(managed.map((a) => a.id), input.email as string)
      await recordErasureByEmail(audit, actorOf(request), managed, result)
      return result.appeals
    })
    if (isRefusal(erased)) {
      return page(request, reply, { ...(input.email !== undefined && { email: input.email }), message: erased.message, errors: erased.fields }, erased.status)
    }
    return page(request, reply, { done: erased })
  })
}

export default erasurePages
