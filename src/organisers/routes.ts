import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestLanguage } from '../http/language.js'
import { Email, Line, Nullable, TimestampOut, Uuid, withErrors } from '../http/schemas.js'
import { actorOf, assertMay, auditIpHash, completeSignIn, endSession, replaceSessionCookie, signedIn, startSession } from './auth.js'
import { AppealRoleSchema, FirstAdminInput, NewOrganiserInput, NewPassword, Role } from './schemas.js'
import { lowerRole } from './permissions.js'
import { describeDevice } from './service.js'
const OrganiserSchema = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), role: Role })
const MeSchema = Type.Object({
  id: Type.String(), email: Type.String(), name: Type.String(), role: Role,
  twoFactor: Type.Boolean({ description: 'whether this account signs in with a second factor' }),
  via: Type.Union([Type.Literal('session'), Type.Literal('token')]),
  tokenRole: Nullable(AppealRoleSchema)
})
const TokenSchema = Type.Object({
  id: Type.String(), name: Type.String(), role: Nullable(AppealRoleSchema), createdAt: TimestampOut,
  lastUsedAt: Type.Union([TimestampOut, Type.Null()]), revokedAt: Type.Union([TimestampOut, Type.Null()])
})
const SessionSchema = Type.Object({
  id: Type.String(), device: Nullable(Type.String()), createdAt: TimestampOut, lastUsedAt: Nullable(TimestampOut), expiresAt: TimestampOut,
  current: Type.Boolean()
})
const IdParams = Type.Object({ id: Uuid })
const Code = Type.String({ minLength: 6, maxLength: 20, description: 'six digits from the authenticator app, or a recovery code' })
const SignedInAnswer = Type.Object({ organiser: OrganiserSchema, expiresAt: TimestampOut, twoFactorRequired: Type.Literal(false) })

// Signing in and out, the first admin, invitations and password resets: reached without credentials.
export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accountLinks, audit } = app.services
  const setup = app.setup

  app.post('/session', {
    schema: {
      tags: ['organisers'],
      summary: 'Sign in; sets an httpOnly session cookie. With two-factor sign-in on, answers 202 and the code follows (POST /session/code)',
      body: Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
      response: withErrors({ 200: SignedInAnswer, 202: Type.Object({ twoFactorRequired: Type.Literal(true), expiresAt: TimestampOut }) }, 401)
    },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    const started = await startSession(app, reply, request.body.email, request.body.password)
    if (started.awaitingCode) return reply.code(202).send({ twoFactorRequired: true, expiresAt: started.expiresAt })
    return { organiser: started.organiser, expiresAt: started.expiresAt, twoFactorRequired: false as const }
  })

  app.post('/session/code', {
    schema: {
      tags: ['organisers'],
      summary: 'The second step of signing in: a code from the authenticator app, or a recovery code (each works once)',
      body: Type.Object({ code: Code }, { additionalProperties: false }),
      response: withErrors({ 200: Type.Object({ organiser: OrganiserSchema, expiresAt: TimestampOut, recoveryCodesLeft: Nullable(Type.Integer()) }) }, 401)
    },
    // Codes are limited like passwords, with the same counter: guessing six digits is no easier than a password.
    onRequest: app.limitSignIn
  }, async (request) => {
    const { organiser, expiresAt, recoveryCodesLeft } = await completeSignIn(app, request, request.body.code)
    return { organiser, expiresAt, recoveryCodesLeft }
  })

  // The first admin, made through the running server with the one-time token it printed at start (the
  // CLI cannot open the embedded database while the server has it).
  app.post('/setup', {
    schema: {
      tags: ['organisers'],
      summary: 'Create the first admin with the one-time token printed at start',
      body: FirstAdminInput,
      response: withErrors({ 201: OrganiserSchema }, 403, 409)
    },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    const { token, ...account } = request.body
    return reply.code(201).send(await setup.createFirstAdmin(token, account))
  })

  app.delete('/session', {
    schema: { tags: ['organisers'], summary: 'Sign out', response: withErrors({ 204: Type.Null() }) }
  }, async (request, reply) => {
    await endSession(app, request, reply)
    return reply.code(204).send(null)
  })

  app.post('/invitations/accept', {
    schema: {
      tags: ['organisers'],
      summary: 'Accept an invitation from its mail: the account is made with the password chosen here, and signed in',
      body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), name: Line(200), password: NewPassword }, { additionalProperties: false }),
      response: withErrors({ 201: SignedInAnswer }, 404, 409)
    },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    const created = await accountLinks.accept(request.body.token, { name: request.body.name, password: request.body.password })
    await audit.record({ id: created.id, email: created.email, via: null, ipHash: auditIpHash(request) }, 'invitation.accept', { appealId: created.appealId })
    const started = await startSession(app, reply, created.email, request.body.password)
    if (started.awaitingCode) throw new Error('a new account has no second factor')
    return reply.code(201).send({ organiser: started.organiser, expiresAt: started.expiresAt, twoFactorRequired: false as const })
  })

  app.post('/password-reset', {
    schema: {
      tags: ['organisers'],
      summary: 'Ask for a password-reset link by mail. The answer is the same whether or not an account has this address',
      body: Type.Object({ email: Email }, { additionalProperties: false }),
      response: withErrors({ 202: Type.Object({ status: Type.Literal('sent-if-known') }) })
    },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    await accountLinks.requestReset(request.body.email, requestLanguage(request))
    return reply.code(202).send({ status: 'sent-if-known' as const })
  })

  app.post('/password-reset/complete', {
    schema: {
      tags: ['organisers'],
      summary: 'Choose a new password with the link from the reset mail; every session of the account ends',
      body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), password: NewPassword }, { additionalProperties: false }),
      response: withErrors({ 204: Type.Null() }, 404)
    },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    const { organiserId } = await accountLinks.completeReset(request.body.token, request.body.password)
    await audit.record({ id: organiserId, email: null, via: null, ipHash: auditIpHash(request) }, 'password.reset')
    return reply.code(204).send(null)
  })
}

// Organiser accounts and API tokens, for a signed-in organiser (app.ts checks that for all of /api/admin).
const organiserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { organisers, accountLinks, audit } = app.services

  app.get('/me', {
    schema: { tags: ['organisers'], summary: 'Who is signed in', response: withErrors({ 200: MeSchema }, 401) }
  }, async (request) => {
    const who = signedIn(request)
    return { id: who.id, email: who.email, name: who.name, role: who.role, twoFactor: who.twoFactor, via: who.via, tokenRole: who.cap }
  })

  app.post('/me/password', {
    schema: {
      tags: ['organisers'],
      summary: 'Change your password; every session of yours ends, and this one continues with a new cookie',
      body: Type.Object({ currentPassword: Type.String({ minLength: 1, maxLength: 1000 }), password: NewPassword }, { additionalProperties: false }),
      response: withErrors({ 204: Type.Null() }, 401)
    },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    const who = signedIn(request)
    const session = await organisers.changePassword(who.id, request.body.currentPassword, request.body.password, describeDevice(request.headers['user-agent']))
    if (who.via === 'session') replaceSessionCookie(reply, session)
    else await organisers.signOut(session.token)
    await audit.record(actorOf(request), 'password.change')
    return reply.code(204).send(null)
  })

  app.post('/me/two-factor', {
    schema: {
      tags: ['organisers'],
      summary: 'Start two-factor enrolment: a new secret, its otpauth:// address and a QR code (SVG) to scan',
      response: withErrors({ 200: Type.Object({ secret: Type.String(), uri: Type.String(), qrSvg: Type.String() }) }, 401, 409)
    }
  }, async (request) => organisers.twoFactor.begin(signedIn(request).id))

  app.post('/me/two-factor/confirm', {
    schema: {
      tags: ['organisers'],
      summary: 'Finish enrolment with a first code; answers the ten recovery codes, shown this once',
      body: Type.Object({ code: Code }, { additionalProperties: false }),
      response: withErrors({ 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }) }, 401, 409)
    },
    onRequest: app.limitSignIn
  }, async (request) => {
    const answer = await organisers.twoFactor.confirm(signedIn(request).id, request.body.code)
    await audit.record(actorOf(request), 'twoFactor.enable')
    return answer
  })

  app.post('/me/recovery-codes', {
    schema: {
      tags: ['organisers'],
      summary: 'New recovery codes (the old ones stop working), with a current code from the app',
      body: Type.Object({ code: Code }, { additionalProperties: false }),
      response: withErrors({ 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }) }, 401, 409)
    },
    onRequest: app.limitSignIn
  }, async (request) => {
    const answer = await organisers.twoFactor.renewRecoveryCodes(signedIn(request).id, request.body.code)
    await audit.record(actorOf(request), 'twoFactor.recoveryCodes')
    return answer
  })

  app.delete('/me/two-factor', {
    schema: {
      tags: ['organisers'],
      summary: 'Turn two-factor sign-in off, with your password',
      body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
      response: withErrors({ 204: Type.Null() }, 401)
    },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    const who = signedIn(request)
    await organisers.checkPassword(who.id, request.body.password)
    await organisers.twoFactor.disable(who.id)
    await audit.record(actorOf(request), 'twoFactor.disable')
    return reply.code(204).send(null)
  })

  app.get('/me/sessions', {
    schema: { tags: ['organisers'], summary: 'Your open sessions: device, when they were last used', response: withErrors({ 200: Type.Object({ items: Type.Array(SessionSchema) }) }, 401) }
  }, async (request) => {
    const who = signedIn(request)
    const items = await organisers.listSessions(who.id)
    return { items: items.map((s) => ({ ...s, current: who.via === 'session' && s.id === who.credentialId })) }
  })

  app.delete('/me/sessions/:id', {
    schema: { tags: ['organisers'], summary: 'End one of your sessions', params: IdParams, response: withErrors({ 204: Type.Null() }, 401, 404) }
  }, async (request, reply) => {
    await organisers.endSession(signedIn(request).id, request.params.id)
    await audit.record(actorOf(request), 'session.end', { details: { sessionId: request.params.id } })
    return reply.code(204).send(null)
  })

  app.get('/organisers', {
    preHandler: app.requireAdmin,
    schema: { tags: ['organisers'], summary: 'All organiser accounts (admins only)', response: withErrors({ 200: Type.Object({ items: Type.Array(OrganiserSchema) }) }, 401, 403) }
  }, async () => ({ items: await organisers.list() }))

  app.post('/organisers', {
    preHandler: app.requireAdmin,
    schema: {
      tags: ['organisers'],
      summary: 'Create an organiser account with a password (admins only; an invitation lets the person choose it instead)',
      body: NewOrganiserInput,
      response: withErrors({ 201: OrganiserSchema }, 401, 403, 409)
    }
  }, async (request, reply) => {
    const created = await organisers.create({ ...request.body, role: request.body.role ?? 'organiser' })
    await audit.record(actorOf(request), 'organiser.create', { details: { organiserId: created.id, role: created.role } })
    return reply.code(201).send(created)
  })

  app.post('/invitations', {
    schema: {
      tags: ['organisers'],
      summary: 'Invite someone by mail to the instance (admins only); an appeal\'s team is invited at /appeals/:slug/invitations',
      body: Type.Object({ email: Email, role: Type.Optional(Role), language: Type.Optional(Type.String({ maxLength: 35 })) }, { additionalProperties: false }),
      response: withErrors({ 201: Type.Object({ status: Type.Union([Type.Literal('invited'), Type.Literal('added')]), expiresAt: Nullable(TimestampOut) }) }, 401, 403, 409)
    }
  }, async (request, reply) => {
    const who = assertMay(request, 'organisers.manage')
    const role = request.body.role ?? 'organiser'
    const answer = await accountLinks.invite(who, { email: request.body.email, instanceRole: role, language: requestLanguage(request, request.body.language) })
    await audit.record(actorOf(request), 'invitation.create', { details: { instanceRole: role } })
    return reply.code(201).send(answer)
  })

  app.get('/tokens', {
    schema: { tags: ['organisers'], summary: 'Your API tokens', response: withErrors({ 200: Type.Object({ items: Type.Array(TokenSchema) }) }, 401) }
  }, async (request) => ({ items: await organisers.listApiTokens(signedIn(request).id) }))

  app.post('/tokens', {
    schema: {
      tags: ['organisers'],
      summary: 'Create an API token (optionally narrower than your roles: at most `role` on any appeal); its value is shown this once',
      body: Type.Object({ name: Line(100), role: Type.Optional(AppealRoleSchema) }, { additionalProperties: false }),
      response: withErrors({
        201: Type.Object({ id: Type.String(), name: Type.String(), role: Nullable(AppealRoleSchema), createdAt: TimestampOut, token: Type.String() })
      }, 401)
    }
  }, async (request, reply) => {
    const who = signedIn(request)
    // A token made with a token is never wider than that one.
    const role = request.body.role ?? who.cap
    const created = await organisers.createApiToken(who.id, request.body.name, role === null ? null : lowerRole(role, who.cap))
    await audit.record(actorOf(request), 'token.create', { details: { createdTokenId: created.id, role: created.role } })
    return reply.code(201).send(created)
  })

  app.delete('/tokens/:id', {
    schema: { tags: ['organisers'], summary: 'Revoke an API token', params: IdParams, response: withErrors({ 204: Type.Null() }, 401, 404) }
  }, async (request, reply) => {
    await organisers.revokeApiToken(signedIn(request).id, request.params.id)
    await audit.record(actorOf(request), 'token.revoke', { details: { revokedTokenId: request.params.id } })
    return reply.code(204).send(null)
  })
}

export default organiserRoutes
