import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { AuditActor } from '../audit/service.js'
import { AppError, appError } from '../errors/app-error.js'
import { keyedHash } from '../secrets/keys.js'
import { assertInstanceAllowed, type InstanceAction } from './permissions.js'
import { describeDevice, type SignedIn } from './service.js'

export const SESSION_COOKIE = 'solidaria_session'

declare module 'fastify' {
  interface FastifyRequest { organiser: SignedIn | null }
  interface FastifyInstance {
    /** preHandler: any signed-in organiser (session cookie or `Authorization: Bearer` API token). */
    requireOrganiser: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** preHandler: a signed-in admin (with a session, or a token not narrowed to an appeal role). */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/** The keyed hash of the client's address the audit trail keeps (never the address). */
export const auditIpHash = (request: FastifyRequest): string => keyedHash(request.server.keys.auditIpHash, request.ip)

async function identify (app: FastifyInstance, request: FastifyRequest): Promise<SignedIn | null> {
  const header = request.headers.authorization
  let found: SignedIn | undefined
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    found = match?.[1] === undefined ? undefined : await app.services.organisers.fromApiToken(match[1])
  } else {
    const token = request.cookies[SESSION_COOKIE]
    found = token === undefined ? undefined : await app.services.organisers.fromSession(token)
  }
  return found === undefined ? null : { ...found, ipHash: auditIpHash(request) }
}

/** Checks an instance-wide permission (organisers/permissions.ts) for the signed-in organiser. */
export function assertMay (request: FastifyRequest, action: InstanceAction): SignedIn {
  const who = signedIn(request)
  assertInstanceAllowed(who, action)
  return who
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
    assertMay(request, 'organisers.manage')
  })
}

export default fp(authPlugin, { name: 'auth', dependencies: ['services'] })

/** The actor the audit trail records for a signed-in request. */
export function actorOf (request: FastifyRequest): AuditActor {
  const who = signedIn(request)
  return { id: who.id, email: who.email, via: who.via, credentialId: who.credentialId, ipHash: who.ipHash ?? auditIpHash(request) }
}

const setSessionCookie = (reply: FastifyReply, token: string, expiresAt: Date): void => {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto', expires: expiresAt })
}

export type StartedSession = { awaitingCode: false, organiser: SignedIn, expiresAt: Date } | { awaitingCode: true, expiresAt: Date }

/**
 * Checks the credentials and opens a session: its token goes in an httpOnly, SameSite cookie that is
 * Secure whenever the request came over HTTPS (behind a proxy too, with TRUST_PROXY), only its hash in
 * the database. With two-factor sign-in on, that session awaits its code (completeSignIn). Both the
 * success and the failure are recorded in the audit trail.
 */
export async function startSession (app: FastifyInstance, reply: FastifyReply, email: string, password: string): Promise<StartedSession> {
  const request = reply.request
  const ipHash = auditIpHash(request)
  let started
  try {
    started = await app.services.organisers.signIn(email, password, describeDevice(request.headers['user-agent']))
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS') {
      // The account tried, when the address names one; an unknown address is not recorded (it may be anyone's).
      const organiserId = (err as AppError & { organiserId?: string | null }).organiserId ?? null
      await app.services.audit.record({ id: organiserId, email: organiserId === null ? null : email.toLowerCase(), via: null, ipHash }, 'signin.failure')
    }
    throw err
  }
  setSessionCookie(reply, started.token, started.expiresAt)
  if (started.awaitingCode) return { awaitingCode: true, expiresAt: started.expiresAt }
  const organiser = await app.services.organisers.fromSession(started.token)
  if (organiser === undefined) throw new Error('a session just opened was not found')
  await app.services.audit.record({ id: organiser.id, email: organiser.email, via: 'session', ipHash }, 'signin.success')
  return { awaitingCode: false, organiser: { ...organiser, ipHash }, expiresAt: started.expiresAt }
}

/** The second step of signing in, with the cookie the first step set. */
export async function completeSignIn (
  app: FastifyInstance, request: FastifyRequest, code: string
): Promise<{ organiser: SignedIn, expiresAt: Date, recoveryCodesLeft: number | null }> {
  const token = request.cookies[SESSION_COOKIE]
  if (token === undefined) throw appError('UNAUTHENTICATED')
  const ipHash = auditIpHash(request)
  let done
  try {
    done = await app.services.organisers.completeSignIn(token, code)
  } catch (err) {
    const organiserId = (err as { organiserId?: string }).organiserId
    if (organiserId !== undefined) await app.services.audit.record({ id: organiserId, email: null, via: null, ipHash }, 'signin.codeFailure')
    throw err
  }
  const organiser = await app.services.organisers.fromSession(token)
  if (organiser === undefined) throw new Error('a session just completed was not found')
  await app.services.audit.record({ id: organiser.id, email: organiser.email, via: 'session', ipHash }, 'signin.success', { details: { twoFactor: true, recoveryCode: done.recoveryCodesLeft !== null } })
  request.organiser = { ...organiser, ipHash }
  return { organiser: request.organiser, expiresAt: done.expiresAt, recoveryCodesLeft: done.recoveryCodesLeft }
}

/** Whether the request's cookie is a session still waiting for its second factor. */
export async function isAwaitingCode (app: FastifyInstance, request: FastifyRequest): Promise<boolean> {
  const token = request.cookies[SESSION_COOKIE]
  return token !== undefined && await app.services.organisers.isAwaitingCode(token)
}

/** A new session for this browser (after a password change ended all of them). */
export function replaceSessionCookie (reply: FastifyReply, session: { token: string, expiresAt: Date }): void {
  setSessionCookie(reply, session.token, session.expiresAt)
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
