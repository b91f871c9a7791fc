import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { html } from 'ghtml'
import type { TFunction } from 'i18next'
import { Type } from 'typebox'
import type { Appeal } from '../appeals/service.js'
import { Slug, SlugParams, Uuid } from '../http/schemas.js'
import { languages } from '../i18n/index.js'
import { signedIn } from '../organisers/auth.js'
import { renderMarkdown } from '../pages/markdown.js'
import { autonym } from '../pages/view.js'
import { MessagesInput, SendInput, UpdateInput as UpdateInputSchema } from '../updates/schemas.js'
import type { UpdateDetail, UpdateInput, UpdateKind } from '../updates/service.js'
import { formValue, isRefusal, throughSchema } from './form-input.js'
import { appealHeader } from './templates/appeal-nav.js'
import { buttonForm, checkboxField, csrfField, errorSummary, inputField, selectField, textareaField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin, type AdminView } from './view.js'

const UpdateParams = Type.Object({ slug: Slug, id: Uuid })
const Form = Type.Record(Type.String(), Type.Unknown())
const PageQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 35 })),
  language: Type.Optional(Type.String({ maxLength: 35 })),
  done: Type.Optional(Type.String({ pattern: '^[a-zA-Z]{1,20}$' }))
})
const DONE = new Set(['saved', 'testSent', 'sent', 'scheduled', 'paused', 'resumed'])

interface UpdateForm { values: Record<string, string>, errors: Record<string, string>, message?: string }

/** The appeal's languages in the order the form shows them: the original first. */
const formLanguages = (appeal: Appeal): string[] => [appeal.originalLanguage, ...languages.filter((l) => l !== appeal.originalLanguage)]

function stateOf (update: UpdateDetail): UpdateForm {
  const values: Record<string, string> = { countries: update.countries.join(' ') }
  for (const [language, text] of Object.entries(update.texts)) {
    values[`subject_${language}`] = text.subject
    values[`body_${language}`] = text.body
  }
  for (const kind of update.kinds) values[`kind_${kind}`] = 'on'
  return { values, errors: {} }
}

function inputOf (appeal: Appeal, body: Record<string, unknown>): UpdateInput {
  const texts: UpdateInput['texts'] = {}
  for (const language of formLanguages(appeal)) {
    const subject = formValue.text(body, `subject_${language}`) ?? ''
    const text = formValue.text(body, `body_${language}`) ?? ''
    if (subject !== '' || text !== '' || language === appeal.originalLanguage) texts[language] = { subject, body: text }
  }
  const countries = (formValue.text(body, 'countries') ?? '').toUpperCase().split(/[\s,]+/).filter((c) => c !== '')
  const kinds = (['individual', 'organisation'] as UpdateKind[]).filter((k) => formValue.checkbox(body, `kind_${k}`))
  return { texts, countries, kinds }
}

/** A refused form's field names (texts.en.subject) as the form's (subject_en). */
const renameField = (field: string): string => field.replace(/^texts\.([a-z]+)\.(subject|body)$/, '$2_$1').replace(/^texts\.([a-z]+)$/, 'subject_$1').replace(/^countries.*$/, 'countries')

function updateForm (view: AdminView, u: TFunction, appeal: Appeal, action: string, state: UpdateForm): string {
  const v = (name: string): string => state.values[name] ?? ''
  const err = (name: string) => state.errors[name] === undefined ? {} : { error: state.errors[name] }
  return html`!${errorSummary(view, state.message, state.errors)}
<form method="post" action="${action}" novalidate class="admin-form update-form">
!${csrfField(view)}
!${formLanguages(appeal).map((language) => {
    const original = language === appeal.originalLanguage
    const dir = language === 'ar' ? ' dir="rtl"' : ''
    return html`<fieldset class="update-language"${original ? '' : ''}><legend>${autonym(language)}!${original ? html` <span class="muted">(${u('dashboard.original')})</span>` : ''}</legend>
!${original ? '' : html`<p class="help">${u('dashboard.optionalHelp')}</p>`}
!${inputField({ name: `subject_${language}`, label: u('dashboard.subject'), value: v(`subject_${language}`), required: original, maxlength: 200, attributes: `lang="${language}"${dir}`, ...err(`subject_${language}`) })}
!${textareaField({ name: `body_${language}`, label: u('dashboard.body'), value: v(`body_${language}`), required: original, rows: original ? 10 : 5, maxlength: 20000, help: u('dashboard.bodyHelp'), attributes: `lang="${language}"${dir}`, ...err(`body_${language}`) })}
</fieldset>`
  })}
<fieldset><legend>${u('dashboard.audience')}</legend>
<p class="help">${u('dashboard.audienceHelp')}</p>
!${inputField({ name: 'countries', label: u('dashboard.countries'), value: v('countries'), maxlength: 1000, help: u('dashboard.countriesHelp'), ...err('countries') })}
!${checkboxField('kind_individual', u('dashboard.kindIndividual'), v('kind_individual') === 'on')}
!${checkboxField('kind_organisation', u('dashboard.kindOrganisation'), v('kind_organisation') === 'on', u('dashboard.kindsHelp'))}
</fieldset>
<p><button type="submit" class="button">${u('dashboard.save')}</button></p>
</form>`
}

function progressList (view: AdminView, u: TFunction, update: UpdateDetail): string {
  const p = update.progress
  return html`<dl class="update-progress" data-update-status="${update.status}">
<div><dt>${u('dashboard.queued')}</dt><dd data-count="queued">${view.number(p.queued)}</dd></div>
<div><dt>${u('dashboard.sent')}</dt><dd data-count="sent">${view.number(p.sent)}</dd></div>
<div><dt>${u('dashboard.failed')}</dt><dd data-count="failed">${view.number(p.failed + p.cancelled)}</dd></div>
</dl>`
}

// Updates to an appeal's signers (updates/): writing one per language, previewing it, a test mail to
// oneself, sending now or at a set time, its progress, pausing and resuming; and the texts organisers
// may write in place of the defaults (the thank-you page, the confirmation mail).
const updatePages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, updates, messages } = app.services
  const wordsOf = (view: AdminView): TFunction => app.i18n.getFixedT(view.lang, 'updates')
  const base = (appeal: Appeal) => `/admin/appeals/${appeal.slug}/updates`

  async function listPage (request: FastifyRequest, reply: FastifyReply, appeal: Appeal, form: UpdateForm, status = 200) {
    const view = adminView(request, reply)
    const u = wordsOf(view)
    const [texts, list] = await Promise.all([appeals.texts(appeal), updates.list(appeal)])
    const main = appealHeader(view, appeal, texts, 'updates', u('dashboard.title')) + html`<p>${u('dashboard.intro')}</p>
<p><a href="/admin/appeals/${appeal.slug}/messages">${u('dashboard.messagesLink')}</a></p>
!${list.length === 0
? html`<p>${u('dashboard.none')}</p>`
: html`<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${u('dashboard.subject')}</th><th scope="col">${u('dashboard.status')}</th><th scope="col">${u('dashboard.recipients')}</th><th scope="col">${u('dashboard.created')}</th></tr></thead>
<tbody>!${list.map((item) => html`<tr><th scope="row"><a href="${base(appeal)}/${item.id}">${item.subject === '' ? u('dashboard.untitled') : item.subject}</a></th><td data-label="${u('dashboard.status')}">${u(`status.${item.status}`)}</td><td data-label="${u('dashboard.recipients')}">${item.recipients === null ? '–' : view.number(item.recipients)}</td><td data-label="${u('dashboard.created')}"><time datetime="${item.createdAt.toISOString()}">${view.date(item.createdAt)}</time></td></tr>`)}</tbody></table></div>`}
<section aria-labelledby="new-update"><h2 id="new-update">${u('dashboard.write')}</h2>!${updateForm(view, u, appeal, base(appeal), form)}</section>`
    return sendAdmin(reply, view, u('dashboard.title'), main, status)
  }

  async function updatePage (request: FastifyRequest, reply: FastifyReply, appeal: Appeal, update: UpdateDetail, form: UpdateForm, status = 200) {
    const view = adminView(request, reply)
    const u = wordsOf(view)
    const texts = await appeals.texts(appeal)
    const here = `${base(appeal)}/${update.id}`
    const done = (request.query as { done?: string }).done
    const written = Object.keys(update.texts)
    const audience = update.status === 'draft' || update.status === 'scheduled' ? await updates.audienceSize(appeal, update) : undefined
    const heading = update.texts[appeal.originalLanguage]?.subject ?? u('dashboard.untitled')
    const main = appealHeader(view, appeal, texts, 'updates', heading) + html`
!${done !== undefined && DONE.has(done) ? html`<p class="notice" role="status">${u(`done.${done}`)}</p>` : ''}
<p>${u('dashboard.status')}: <strong class="update-status">${u(`status.${update.status}`)}</strong>!${update.scheduledAt === null || update.status !== 'scheduled' ? '' : html` (<time datetime="${update.scheduledAt.toISOString()}">${update.scheduledAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>)`}</p>
!${audience === undefined ? '' : html`<p class="update-audience">${u('dashboard.audienceNow', { count: audience })}</p>`}
!${update.status === 'draft' ? '' : progressList(view, u, update)}
!${update.status === 'draft' ? '' : errorSummary(view, form.message, {})}
<section aria-labelledby="preview-heading" class="panel"><h2 id="preview-heading">${u('dashboard.previewAndTest')}</h2>
<ul class="update-previews">!${written.map((language) => html`<li><a href="${here}/preview?language=${language}">${u('dashboard.preview', { language: autonym(language) })}</a></li>`)}</ul>
!${buttonForm(view, `${here}/test`, u('dashboard.test', { email: view.organiser?.email ?? '' }), { secondary: true })}
</section>
!${update.status === 'draft'
? html`<section aria-labelledby="send-heading" class="panel"><h2 id="send-heading">${u('dashboard.sendHeading')}</h2>
!${buttonForm(view, `${here}/send`, u('dashboard.sendNow'))}
<form method="post" action="${here}/send" class="admin-form">!${csrfField(view)}
!${inputField({ name: 'at', label: u('dashboard.sendAt'), type: 'datetime-local', help: view.a('appeal.utc'), required: true, ...(form.errors.at === undefined ? {} : { error: form.errors.at }) })}
<p><button type="submit" class="button secondary">${u('dashboard.schedule')}</button></p></form></section>
<section aria-labelledby="edit-heading"><h2 id="edit-heading">${u('dashboard.edit')}</h2>!${updateForm(view, u, appeal, here, form)}</section>`
: html`<p>!${update.status === 'sending' || update.status === 'scheduled' ? buttonForm(view, `${here}/pause`, u('dashboard.pause'), { secondary: true }) : ''}!${update.status === 'paused' ? buttonForm(view, `${here}/resume`, u('dashboard.resume')) : ''}</p>`}
<p><a href="${base(appeal)}">${u('dashboard.back')}</a></p>`
    return sendAdmin(reply, view, heading, main, status)
  }

  const sentState = (body: Record<string, unknown>, errors: Record<string, string>, message: string): UpdateForm =>
    ({ values: Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string')), errors, message })

  app.get('/appeals/:slug/updates', { schema: { hide: true, params: SlugParams, querystring: PageQuery } }, async (request, reply) => {
    return listPage(request, reply, await appeals.getManaged(signedIn(request), request.params.slug), { values: {}, errors: {} })
  })

  app.post('/appeals/:slug/updates', { schema: { hide: true, params: SlugParams, body: Form } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const input = inputOf(appeal, request.body)
    const created = await throughSchema(request, UpdateInputSchema, input, async () => updates.create(appeal, signedIn(request), input), renameField)
    if (isRefusal(created)) return listPage(request, reply, appeal, sentState(request.body, created.fields, created.message), created.status)
    return redirectAfter(reply, `${base(appeal)}/${created.id}`, undefined, { done: 'saved' })
  })

  app.get('/appeals/:slug/updates/:id', { schema: { hide: true, params: UpdateParams, querystring: PageQuery } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const update = await updates.get(appeal, request.params.id)
    return updatePage(request, reply, appeal, update, stateOf(update))
  })

  app.post('/appeals/:slug/updates/:id', { schema: { hide: true, params: UpdateParams, body: Form } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const update = await updates.get(appeal, request.params.id)
    const input = inputOf(appeal, request.body)
    const changed = await throughSchema(request, UpdateInputSchema, input, async () => updates.change(appeal, update.id, input), renameField)
    if (isRefusal(changed)) return updatePage(request, reply, appeal, update, sentState(request.body, changed.fields, changed.message), changed.status)
    return redirectAfter(reply, `${base(appeal)}/${update.id}`, undefined, { done: 'saved' })
  })

  app.get('/appeals/:slug/updates/:id/preview', { schema: { hide: true, params: UpdateParams, querystring: PageQuery } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const view = adminView(request, reply)
    const u = wordsOf(view)
    const language = request.query.language !== undefined && languages.includes(request.query.language) ? request.query.language : appeal.originalLanguage
    const update = await updates.get(appeal, request.params.id)
    const mail = await updates.preview(appeal, update.id, language, view.organiser?.name ?? null)
    const shown = update.texts[language] === undefined ? appeal.originalLanguage : language
    const texts = await appeals.texts(appeal)
    const main = appealHeader(view, appeal, texts, 'updates', u('dashboard.preview', { language: autonym(language) })) + html`
!${shown === language ? '' : html`<p class="notice">${u('dashboard.fallback', { language: autonym(shown) })}</p>`}
<article class="mail-preview panel" lang="${shown}" dir="${shown === 'ar' ? 'rtl' : 'ltr'}">
<p class="mail-subject"><strong>${u('dashboard.subject')}:</strong> ${mail.subject}</p>
<div class="mail-body">!${renderMarkdown(update.texts[shown]?.body ?? '')}</div>
</article>
<details><summary>${u('dashboard.plainText')}</summary><pre class="mail-text">${mail.text}</pre></details>
<p><a href="${base(appeal)}/${update.id}">${u('dashboard.back')}</a></p>`
    return sendAdmin(reply, view, u('dashboard.preview', { language: autonym(language) }), main)
  })

  app.post('/appeals/:slug/updates/:id/test', { schema: { hide: true, params: UpdateParams, body: Form } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const view = adminView(request, reply)
    await updates.sendTest(appeal, request.params.id, signedIn(request), languages.includes(view.lang) ? view.lang : appeal.originalLanguage)
    return redirectAfter(reply, `${base(appeal)}/${request.params.id}`, undefined, { done: 'testSent' })
  })

  app.post('/appeals/:slug/updates/:id/send', { schema: { hide: true, params: UpdateParams, body: Form } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const typed = formValue.utcTime(request.body, 'at')
    const input = typed === null ? {} : { at: typed }
    const at = typed === null ? undefined : new Date(typed)
    const sent = await throughSchema(request, SendInput, input, async () => updates.send(appeal, request.params.id, at))
    if (isRefusal(sent)) {
      const update = await updates.get(appeal, request.params.id)
      return updatePage(request, reply, appeal, update, { ...stateOf(update), errors: sent.fields, message: sent.message }, sent.status)
    }
    return redirectAfter(reply, `${base(appeal)}/${request.params.id}`, undefined, { done: typed === null ? 'sent' : 'scheduled' })
  })

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/appeals/:slug/updates/:id/${action}`, { schema: { hide: true, params: UpdateParams, body: Form } }, async (request, reply) => {
      const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
      await updates[action](appeal, request.params.id)
      return redirectAfter(reply, `${base(appeal)}/${request.params.id}`, undefined, { done: action === 'pause' ? 'paused' : 'resumed' })
    })
  }

  async function messagesPage (request: FastifyRequest, reply: FastifyReply, appeal: Appeal, language: string, form?: UpdateForm, status = 200) {
    const view = adminView(request, reply)
    const u = wordsOf(view)
    const texts = await appeals.texts(appeal)
    const current = (await messages.all(appeal))[language] ?? { thanksNext: null, confirmNote: null }
    const values = form?.values ?? { thanksNext: current.thanksNext ?? '', confirmNote: current.confirmNote ?? '' }
    const defaults = { thanksNext: app.i18n.t('pages:thanks.nextText', { lng: language }), confirmNote: app.i18n.t('mail:confirm.intro', { lng: language, title: '…' }) }
    const action = `/admin/appeals/${appeal.slug}/messages?language=${language}`
    const main = appealHeader(view, appeal, texts, 'updates', u('messages.title')) + html`<p>${u('messages.intro')}</p>
<form method="get" action="/admin/appeals/${appeal.slug}/messages" class="filters">
!${selectField({ name: 'language', label: u('messages.language'), value: language, options: formLanguages(appeal).map((l) => ({ value: l, label: autonym(l) })) })}
<p><button type="submit" class="button secondary">${u('messages.choose')}</button></p></form>
!${(request.query as { done?: string }).done === 'saved' ? html`<p class="notice" role="status">${u('done.saved')}</p>` : ''}
!${errorSummary(view, form?.message, form?.errors ?? {})}
<form method="post" action="${action}" class="admin-form" novalidate>!${csrfField(view)}
!${textareaField({ name: 'thanksNext', label: u('messages.thanksNext'), value: values.thanksNext ?? '', rows: 4, maxlength: 2000, help: u('messages.default', { text: defaults.thanksNext }), attributes: `lang="${language}"` })}
!${textareaField({ name: 'confirmNote', label: u('messages.confirmNote'), value: values.confirmNote ?? '', rows: 3, maxlength: 1000, help: u('messages.default', { text: defaults.confirmNote }), attributes: `lang="${language}"` })}
<p><button type="submit" class="button">${u('dashboard.save')}</button></p></form>
<p><a href="${base(appeal)}">${u('dashboard.back')}</a></p>`
    return sendAdmin(reply, view, u('messages.title'), main, status)
  }

  const languageOf = (appeal: Appeal, query: { language?: string | undefined }): string =>
    query.language !== undefined && languages.includes(query.language) ? query.language : appeal.originalLanguage

  app.get('/appeals/:slug/messages', { schema: { hide: true, params: SlugParams, querystring: PageQuery } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    return messagesPage(request, reply, appeal, languageOf(appeal, request.query))
  })

  app.post('/appeals/:slug/messages', { schema: { hide: true, params: SlugParams, querystring: PageQuery, body: Form } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const language = languageOf(appeal, request.query)
    const input = { thanksNext: formValue.nullableText(request.body, 'thanksNext'), confirmNote: formValue.nullableText(request.body, 'confirmNote') }
    const saved = await throughSchema(request, MessagesInput, input, async () => messages.set(appeal, language, input))
    if (isRefusal(saved)) return messagesPage(request, reply, appeal, language, sentState(request.body, saved.fields, saved.message), saved.status)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/messages?language=${language}`, undefined, { done: 'saved' })
  })
}

export default updatePages
