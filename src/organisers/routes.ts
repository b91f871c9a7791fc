import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Email, Line, TimestampOut, Uuid, withErrors } from '../http/schemas.js'
import { endSession, signedIn, startSession } from './auth.js'
import { FirstAdminInput, NewOrganiserInput, Role } from './schemas.js'
const OrganiserSchema = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), role: Role })
const TokenSchema = Type.Object({
  id: Type.String(), name: Type.String(), createdAt: TimestampOut,
  lastUsedAt: Type.Union([TimestampOut, Type.Null()]), revokedAt: Type.Union([TimestampOut, Type.Null()])
})
const IdParams = Type.Object({ id: Uuid })

// Signing in and out, and the first admin: reached without credentials.
export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const setup = app.setup

  app.post('/session', {
    schema: {
      tags: ['organisers'],
      summary: 'Sign in; sets an httpOnly session cookie',
      body: Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
      response: withErrors({ 200: Type.Object({ organiser: OrganiserSchema, expiresAt: TimestampOut }) }, 401)
    },
    onRequest: app.limitSignIn
  }, async (request, reply) => {
    const { organiser, expiresAt } = await startSession(app, reply, request.body.email, request.body.password)
    return { organiser, expiresAt }
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
}

// Organiser accounts and API tokens, for a signed-in organiser (app.ts checks that for all of /api/admin).
const organiserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { organisers } = app.services

  app.get('/me', {
    schema: { tags: ['organisers'], summary: 'Who is signed in', response: withErrors({ 200: OrganiserSchema }, 401) }
  }, async (request) => signedIn(request))

  app.get('/organisers', {
    preHandler: app.requireAdmin,
    schema: { tags: ['organisers'], summary: 'All organiser accounts (admins only)', response: withErrors({ 200: Type.Object({ items: Type.Array(OrganiserSchema) }) }, 401, 403) }
  }, async () => ({ items: await organisers.list() }))

  app.post('/organisers', {
    preHandler: app.requireAdmin,
    schema: {
      tags: ['organisers'],
      summary: 'Create an organiser account (admins only)',
      body: NewOrganiserInput,
      response: withErrors({ 201: OrganiserSchema }, 401, 403, 409)
    }
  }, async (request, reply) => {
    const created = await organisers.create({ ...request.body, role: request.body.role ?? 'organiser' })
    return reply.code(201).send(created)
  })

  app.get('/tokens', {
    schema: { tags: ['organisers'], summary: 'Your API tokens', response: withErrors({ 200: Type.Object({ items: Type.Array(TokenSchema) }) }, 401) }
  }, async (request) => ({ items: await organisers.listApiTokens(signedIn(request).id) }))

  app.post('/tokens', {
    schema: {
      tags: ['organisers'],
      summary: 'Create an API token; its value is shown this once',
      body: Type.Object({ name: Line(100) }, { additionalProperties: false }),
      response: withErrors({ 201: Type.Object({ id: Type.String(), name: Type.String(), createdAt: TimestampOut, token: Type.String() }) }, 401)
    }
  }, async (request, reply) => reply.code(201).send(await organisers.createApiToken(signedIn(request).id, request.body.name)))

  app.delete('/tokens/:id', {
    schema: { tags: ['organisers'], summary: 'Revoke an API token', params: IdParams, response: withErrors({ 204: Type.Null() }, 401, 404) }
  }, async (request, reply) => {
    await organisers.revokeApiToken(signedIn(request).id, request.params.id)
    return reply.code(204).send(null)
  })
}

export default organiserRoutes
