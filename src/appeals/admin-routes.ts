import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Email, SiteLanguage, Slug, SlugParams, TimestampOut, Uuid, withErrors } from '../http/schemas.js'
import { requestLanguage } from '../http/language.js'
import { actorOf, signedIn } from '../organisers/auth.js'
import { AppealRoleSchema } from '../organisers/schemas.js'
import { AdminAppealSchema, AppealSettingsInput, AppealTextInput, NewAppealInput, presentAdminAppeal } from './schemas.js'
import type { Appeal } from './service.js'

const MemberSchema = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), role: AppealRoleSchema, admin: Type.Boolean({ description: 'an admin of the instance (owner of every appeal)' }) })
const MembersAnswer = Type.Object({ items: Type.Array(MemberSchema) })

// Managing appeals. Every route answers 404 for an appeal the organiser is not a member of, and 403 for
// an action their role on it does not allow (organisers/permissions.ts).
const adminAppealRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, signatures, accountLinks, audit } = app.services

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
  }, async (request) => present(await appeals.getManaged(signedIn(request), request.params.slug, 'appeal.read')))

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
    schema: { tags: ['admin: appeals'], summary: 'The appeal\'s team, with each member\'s role', params: SlugParams, response: withErrors({ 200: MembersAnswer }, ...errors) }
  }, async (request) => ({ items: await appeals.members(await appeals.getManaged(signedIn(request), request.params.slug, 'team.read')) }))

  app.post('/appeals/:slug/members', {
    schema: {
      tags: ['admin: appeals'],
      summary: 'Add an existing account to the team, or change its role (owners and admins)',
      params: SlugParams,
      body: Type.Object({ email: Email, role: Type.Optional(AppealRoleSchema) }, { additionalProperties: false }),
      response: withErrors({ 200: MembersAnswer }, ...errors)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'team.manage')
    const role = request.body.role ?? 'organiser'
    const { organiserId, previous } = await appeals.addMember(appeal, request.body.email, role)
    await audit.record(actorOf(request), 'member.role', { appealId: appeal.id, details: { organiserId, from: previous, to: role } })
    return { items: await appeals.members(appeal) }
  })

  app.patch('/appeals/:slug/members/:organiserId', {
    schema: {
      tags: ['admin: appeals'],
      summary: 'Change a member\'s role (owners and admins)',
      params: Type.Object({ slug: Slug, organiserId: Uuid }),
      body: Type.Object({ role: AppealRoleSchema }, { additionalProperties: false }),
      response: withErrors({ 200: MembersAnswer }, ...errors)
    }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'team.manage')
    const previous = await appeals.setMemberRole(appeal, request.params.organiserId, request.body.role)
    await audit.record(actorOf(request), 'member.role', { appealId: appeal.id, details: { organiserId: request.params.organiserId, from: previous, to: request.body.role } })
    return { items: await appeals.members(appeal) }
  })

  app.delete('/appeals/:slug/members/:organiserId', {
    schema: { tags: ['admin: appeals'], summary: 'Remove someone from the team (owners and admins)', params: Type.Object({ slug: Slug, organiserId: Uuid }), response: withErrors({ 200: MembersAnswer }, ...errors) }
  }, async (request) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'team.manage')
    if (await appeals.removeMember(appeal, request.params.organiserId)) {
      await audit.record(actorOf(request), 'member.remove', { appealId: appeal.id, details: { organiserId: request.params.organiserId } })
    }
    return { items: await appeals.members(appeal) }
  })

  app.post('/appeals/:slug/invitations', {
    schema: {
      tags: ['admin: appeals'],
      summary: 'Invite someone by mail to the team in a role (owners and admins); an address with an account is added at once',
      params: SlugParams,
      body: Type.Object({ email: Email, role: AppealRoleSchema, language: Type.Optional(Type.String({ maxLength: 35 })) }, { additionalProperties: false }),
      response: withErrors({ 201: Type.Object({ status: Type.Union([Type.Literal('invited'), Type.Literal('added')]), expiresAt: Type.Union([TimestampOut, Type.Null()]) }) }, ...errors)
    }
  }, async (request, reply) => {
    const who = signedIn(request)
    const appeal = await appeals.getManaged(who, request.params.slug, 'team.manage')
    const answer = await accountLinks.invite(who, {
      email: request.body.email, instanceRole: 'organiser', appeal: { id: appeal.id, slug: appeal.slug, role: request.body.role }, language: requestLanguage(request, request.body.language)
    })
    await audit.record(actorOf(request), answer.status === 'invited' ? 'invitation.create' : 'member.role', { appealId: appeal.id, details: { role: request.body.role, status: answer.status } })
    return reply.code(201).send(answer)
  })
}

export default adminAppealRoutes
