import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { appError } from '../errors/app-error.js'
import type { SignedIn } from './service.js'

export const SESSION_COOKIE = 'solidaria_session'

declare module 'fastify' {
  interface FastifyRequest { organiser: SignedIn | null }
  interface FastifyInstance {
    /** preHandler: any signed-in organiser (session cookie or `Authorization: Bearer` API token). */
    requireOrganiser: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** preHandler: a signed-in admin. */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

async function identify (app: FastifyInstance, request: FastifyRequest): Promise<SignedIn | null> {
  const header = request.headers.authorization
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    return match?.[1] === undefined ? null : (await app.services.organisers.fromApiToken(match[1])) ?? null
  }
  const token = request.cookies[SESSION_COOKIE]
  return token === undefined ? null : (await app.services.organisers.fromSession(token)) ?? null
}

async function authPlugin (app: FastifyInstance): Promise<void> {
  app.decorateRequest('organiser', null)
  app.decorate('requireOrganiser', async (request: FastifyRequest) => {
    request.organiser = await identify(app, request)
    if (request.organiser === null) throw appError('UNAUTHENTICATED')
  })
  app.decorate('requireAdmin', async (request: FastifyRequest, reply: FastifyReply) => {
    // Within /api/admin the organiser was identified already, by requireOrganiser on the whole scope.
    if (request.organiser === null) await app.requireOrganiser(request, reply)
    if (request.organiser?.role !== 'admin') throw appError('FORBIDDEN')
  })
}

export default fp(authPlugin, { name: 'auth', dependencies: ['services'] })

/**
 * Checks the credentials and opens a session: its token goes in an httpOnly, SameSite cookie that is
 * Secure whenever the request came over HTTPS (behind a proxy too, with TRUST_PROXY), only its hash in
 * the database.
 */
export async function startSession (app: FastifyInstance, reply: FastifyReply, email: string, password: string) {
  const { token, expiresAt } = await app.services.organisers.signIn(email, password)
  const organiser = await app.services.organisers.fromSession(token)
  if (organiser === undefined) throw new Error('a session just opened was not found')
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto', expires: expiresAt })
  return { organiser, expiresAt }
}

export async function endSession (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = request.cookies[SESSION_COOKIE]
  if (token !== undefined) await app.services.organisers.signOut(token)
  reply.clearCookie(SESSION_COOKIE, { path: '/' })
}

/** Whether the request carries a session cookie at all (to tell "your session ended" from "sign in"). */
export const hasSessionCookie = (request: FastifyRequest): boolean => request.cookies[SESSION_COOKIE] !== undefined

/** Who is signed in, if anyone (no error): what dashboard pages ask before deciding where to go. */
export async function identifyOrganiser (app: FastifyInstance, request: FastifyRequest): Promise<SignedIn | null> {
  request.organiser = await identify(app, request)
  return request.organiser
}

/** The signed-in organiser of a request that passed requireOrganiser. */
export function signedIn (request: FastifyRequest): SignedIn {
  if (request.organiser === null) throw appError('UNAUTHENTICATED')
  return request.organiser
}
