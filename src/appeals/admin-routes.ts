import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Email, SiteLanguage, Slug, SlugParams, Uuid, withErrors } from '../http/schemas.js'
import { signedIn } from '../organisers/auth.js'
import { AdminAppealSchema, AppealSettingsInput, AppealTextInput, NewAppealInput, presentAdminAppeal } from './schemas.js'
import type { Appeal } from './service.js'

const MemberSchema = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), role: Type.String() })

// Managing appeals. Every route answers 404 for an appeal the organiser is not a member of.
const adminAppealRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, signatures } = app.services

  const present = async (appeal: Appeal) => {
    const [texts, counts] = await Promise.all([appeals.texts(appeal), signatures.statusCounts([appeal.id])])
    return presentAdminAppeal(appeal, texts, counts.get(appeal.id)!)
  }
  const errors = [401, 403, 404, 409]

  app.get('/appeals', {
    schema: { tags: ['admin: appeals'], summary: 'Appeals you manage (all of them, for admins)', response: withErrors({ 200: Type.Object({ items: Type.Array(AdminAppealSchema) }) }, 401) }
  }, async (request) => {
    const list = await appeals.listManaged(signedIn(request))
    const counts = await signatures.statusCounts(list.map((a) => a.id))
    return { items: list.map((a) => presentAdminAppeal(a, a.texts, counts.get(a.id)!)) }
  })

  app.post('/appeals', {
    schema: { tags: ['admin: appeals'], summary: 'Create a draft appeal with its original text', body: NewAppealInput, response: withErrors({ 201: AdminAppealSchema }, ...errors) }
  }, async (request, reply) => {
    const { text, ...rest } = request.body
    const appeal = await appeals.create(signedIn(request), { ...rest, text: { summary: '', body: '', demands: [], ...text } })
    return reply.code(201).send(await present(appeal))
  })

  app.get('/appeals/:slug', {
    schema: { tags: ['admin: appeals'], summary: 'An appeal, drafts included', params: SlugParams, response: withErrors({ 200: AdminAppealSchema }, ...errors) }
  }, async (request) => present(await appeals.getManaged(signedIn(request), request.params.slug)))

  app.patch('/appeals/:slug', {
    schema: { tags: ['admin: appeals'], summary: 'Change an appeal\'s settings', params: SlugParams, body: AppealSettingsInput, response: withErrors({ 200: AdminAppealSchema }, ...errors) }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    return present(await appeals.update(appeal, request.body))
  })

  for (const [action, status] of [['open', 'open'], ['close', 'closed']] as const) {
    app.post(`/appeals/:slug/${action}`, {
      schema: { tags: ['admin: appeals'], summary: `${action === 'open' ? 'Open (or reopen)' : 'Close'} an appeal for signatures`, params: SlugParams, response: withErrors({ 200: AdminAppealSchema }, ...errors) }
    }, async (request) => {
      const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
      return present(await appeals.setStatus(appeal, status))
    })
  }

  const TextParams = Type.Object({ slug: Slug, language: SiteLanguage })

  app.put('/appeals/:slug/texts/:language', {
    schema: { tags: ['admin: appeals'], summary: 'Add or replace the text in one language', params: TextParams, body: AppealTextInput, response: withErrors({ 200: AdminAppealSchema }, ...errors) }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await appeals.putText(appeal, request.params.language, { summary: '', body: '', demands: [], ...request.body })
    return present(appeal)
  })

  app.delete('/appeals/:slug/texts/:language', {
    schema: { tags: ['admin: appeals'], summary: 'Remove a translation (never the original)', params: TextParams, response: withErrors({ 200: AdminAppealSchema }, ...errors) }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await appeals.deleteText(appeal, request.params.language)
    return present(appeal)
  })

  app.get('/appeals/:slug/members', {
    schema: { tags: ['admin: appeals'], summary: 'Organisers who manage the appeal', params: SlugParams, response: withErrors({ 200: Type.Object({ items: Type.Array(MemberSchema) }) }, ...errors) }
  }, async (request) => ({ items: await appeals.members(await appeals.getManaged(signedIn(request), request.params.slug)) }))

  app.post('/appeals/:slug/members', {
    preHandler: app.requireAdmin,
    schema: { tags: ['admin: appeals'], summary: 'Let an organiser manage the appeal (admins only)', params: SlugParams, body: Type.Object({ email: Email }, { additionalProperties: false }), response: withErrors({ 200: Type.Object({ items: Type.Array(MemberSchema) }) }, ...errors) }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await appeals.addMember(appeal, request.body.email)
    return { items: await appeals.members(appeal) }
  })

  app.delete('/appeals/:slug/members/:organiserId', {
    preHandler: app.requireAdmin,
    schema: { tags: ['admin: appeals'], summary: 'Remove an organiser from the appeal (admins only)', params: Type.Object({ slug: Slug, organiserId: Uuid }), response: withErrors({ 200: Type.Object({ items: Type.Array(MemberSchema) }) }, ...errors) }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await appeals.removeMember(appeal, request.params.organiserId)
    return { items: await appeals.members(appeal) }
  })
}

export default adminAppealRoutes
