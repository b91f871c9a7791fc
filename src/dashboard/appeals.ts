import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppealSettingsInput, AppealTextInput, NewAppealInput } from '../appeals/schemas.js'
import type { Appeal } from '../appeals/service.js'
import { languages } from '../i18n/index.js'
import { signedIn } from '../organisers/auth.js'
import { renderMarkdown } from '../pages/markdown.js'
import { formValue, isRefusal, throughSchema, type Refusal } from './form-input.js'
import { appealEditor, appealsList, newAppealPage, settingsState, textEditor, type FormState } from './templates/appeals.js'
import { adminView, redirectAfter, sendAdmin } from './view.js'
import { LanguageTag, Slug, SlugParams } from '../http/schemas.js'

const Form = Type.Record(Type.String(), Type.Unknown())
const TextParams = Type.Object({ slug: Slug, language: LanguageTag })
const PageQuery = Type.Object({ notice: Type.Optional(Type.String({ maxLength: 40 })), lang: Type.Optional(Type.String({ maxLength: 35 })) })

/** The settings fields of a form, as the API's JSON. */
function settingsInput (body: Record<string, unknown>) {
  return {
    goal: formValue.number(body, 'goal'),
    opensAt: formValue.utcTime(body, 'opensAt'),
    closesAt: formValue.utcTime(body, 'closesAt'),
    requireConfirmation: formValue.checkbox(body, 'requireConfirmation'),
    allowOrganisations: formValue.checkbox(body, 'allowOrganisations'),
    showPublicList: formValue.checkbox(body, 'showPublicList'),
    collectCity: formValue.checkbox(body, 'collectCity'),
    collectOrganisation: formValue.checkbox(body, 'collectOrganisation'),
    collectRole: formValue.checkbox(body, 'collectRole'),
    donationUrl: formValue.nullableText(body, 'donationUrl'),
    joinUrl: formValue.nullableText(body, 'joinUrl'),
    embedOrigins: formValue.lines(body, 'embedOrigins'),
    ...(body.retentionMonths !== undefined && { retentionMonths: formValue.number(body, 'retentionMonths') })
  }
}

/** A text's fields, as the API's JSON (demands one a line). */
function textInput (body: Record<string, unknown>) {
  return {
    title: formValue.text(body, 'title'),
    summary: formValue.text(body, 'summary') ?? '',
    body: formValue.text(body, 'body') ?? '',
    demands: formValue.lines(body, 'demandsText')
  }
}

/** The form as it was sent, to show again with its errors (boxes as ticked, text as typed). */
function sentState (body: Record<string, unknown>, refused: Refusal): FormState {
  const values: FormState['values'] = {}
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string' && name !== '_csrf') values[name] = value
  for (const box of ['requireConfirmation', 'allowOrganisations', 'showPublicList', 'collectCity', 'collectOrganisation', 'collectRole']) values[box] = body[box] === 'on'
  return { values, errors: refused.fields, message: refused.message }
}

// Form field names, from the API's (the text's fields are nested in a new appeal's JSON).
const formField = (field: string): string => field.startsWith('text.demands') ? 'demandsText' : field.replace(/^text\./, '').replace(/\.\d+$/, '')

// Appeals: the list with their counts, creating one, its settings and status, and its texts.
const appealPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, signatures } = app.services

  async function editor (request: Parameters<typeof adminView>[0], reply: Parameters<typeof adminView>[1], appeal: Appeal, settings: FormState, status = 200) {
    const view = adminView(request, reply)
    const [texts, counts] = await Promise.all([appeals.texts(appeal), signatures.statusCounts([appeal.id])])
    return sendAdmin(reply, view, view.a('appeal.editTitle'), appealEditor(view, { appeal, texts, counts: counts.get(appeal.id)!, settings }), status)
  }

  app.get('/', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) => {
    const view = adminView(request, reply)
    const list = await appeals.listManaged(signedIn(request))
    const counts = await signatures.statusCounts(list.map((a) => a.id))
    const items = list.map((appeal) => ({ appeal, texts: appeal.texts, counts: counts.get(appeal.id)! }))
    return sendAdmin(reply, view, view.a('appeals.title'), appealsList(view, items))
  })

  app.get('/appeals/new', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) => {
    const view = adminView(request, reply)
    return sendAdmin(reply, view, view.a('appeals.new'), newAppealPage(view, { values: {}, errors: {} }))
  })

  app.post('/appeals/new', { schema: { hide: true, body: Form } }, async (request, reply) => {
    const body = request.body
    const view = adminView(request, reply)
    const input = { slug: formValue.text(body, 'slug'), originalLanguage: formValue.text(body, 'originalLanguage'), text: textInput(body), ...settingsInput(body) }
    const created = await throughSchema(request, NewAppealInput, input, async () => {
      const { text, ...rest } = input as typeof input & { slug: string, originalLanguage: string, text: { title: string } }
      return appeals.create(signedIn(request), { ...rest, goal: rest.goal as number | null, retentionMonths: rest.retentionMonths as number | undefined, text })
    }, formField)
    if (isRefusal(created)) return sendAdmin(reply, view, view.a('appeals.new'), newAppealPage(view, sentState(body, created)), created.status)
    return redirectAfter(reply, `/admin/appeals/${created.slug}`, 'created')
  })

  app.get('/appeals/:slug', { schema: { hide: true, params: SlugParams, querystring: PageQuery } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'appeal.read')
    return editor(request, reply, appeal, settingsState(appeal))
  })

  app.post('/appeals/:slug/settings', { schema: { hide: true, params: SlugParams, body: Form } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const input = { slug: formValue.text(request.body, 'slug'), ...settingsInput(request.body) }
    const updated = await throughSchema(request, AppealSettingsInput, input,
      async () => appeals.update(appeal, input as Parameters<typeof appeals.update>[1]))
    if (isRefusal(updated)) return editor(request, reply, appeal, sentState(request.body, updated), updated.status)
    return redirectAfter(reply, `/admin/appeals/${updated.slug}`, 'saved')
  })

  app.post('/appeals/:slug/status', {
    schema: { hide: true, params: SlugParams, body: Type.Object({ _csrf: Type.Optional(Type.String()), status: Type.Union([Type.Literal('open'), Type.Literal('closed')]) }) }
  }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await appeals.setStatus(appeal, request.body.status)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}`, request.body.status === 'open' ? 'opened' : 'closed')
  })

  const textPage = async (
    request: Parameters<typeof adminView>[0], reply: Parameters<typeof adminView>[1],
    appeal: Appeal, language: string, state: FormState, preview?: string, status = 200
  ) => {
    const view = adminView(request, reply)
    const texts = await appeals.texts(appeal)
    return sendAdmin(reply, view, view.a('text.editTranslation', { language: view.languageName(language) }),
      textEditor(view, { appeal, texts, language, state, ...(preview !== undefined && { preview }) }), status)
  }

  app.get('/appeals/:slug/texts/:language', { schema: { hide: true, params: TextParams, querystring: PageQuery } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const { language } = request.params
    if (!languages.includes(language)) return reply.callNotFound()
    const text = (await appeals.texts(appeal))[language]
    const values = text === undefined ? {} : { title: text.title, summary: text.summary, body: text.body, demandsText: text.demands.join('\n') }
    return textPage(request, reply, appeal, language, { values, errors: {} })
  })

  app.post('/appeals/:slug/texts/:language', { schema: { hide: true, params: TextParams, body: Form } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    const { language } = request.params
    if (!languages.includes(language)) return reply.callNotFound()
    const input = textInput(request.body)
    const values: FormState['values'] = { title: input.title, summary: input.summary, body: input.body, demandsText: formValue.text(request.body, 'demandsText') }
    // A preview changes nothing: the page comes back with the text as typed and the body rendered.
    if (request.body.action === 'preview') return textPage(request, reply, appeal, language, { values, errors: {} }, renderMarkdown(input.body))
    const saved = await throughSchema(request, AppealTextInput, input,
      async () => appeals.putText(appeal, language, input as { title: string, summary: string, body: string, demands: string[] }), formField)
    if (isRefusal(saved)) return textPage(request, reply, appeal, language, { values, errors: saved.fields, message: saved.message }, undefined, saved.status)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}`, 'textSaved')
  })

  app.post('/appeals/:slug/texts/:language/remove', { schema: { hide: true, params: TextParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await appeals.deleteText(appeal, request.params.language)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}`, 'textRemoved')
  })
}

export default appealPages
