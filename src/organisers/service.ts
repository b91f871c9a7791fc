import { randomBytes } from 'node:crypto'
import { and, asc, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { apiTokens, organisers, sessions } from '../db/schema.js'
import { appError } from '../errors/app-error.js'
import type { Sealer } from '../secrets/sealing.js'
import { hashToken, newToken } from '../secrets/tokens.js'
import { checkNewPassword, createPasswords } from './passwords.js'
import type { AppealRole } from './permissions.js'
import { createTwoFactor } from './two-factor.js'

export type Role = 'admin' | 'organiser'

/** Who made a request: the organiser, and whether through a session cookie or an API token. */
export interface SignedIn {
  id: string
  email: string
  name: string
  role: Role
  via: 'session' | 'token'
  /** The most a token allows on any appeal (null: its owner's own roles; always null for a session). */
  cap: AppealRole | null
  /** Whether the account has two-factor sign-in. */
  twoFactor: boolean
  /** The session's or the token's id (for the audit trail, and to tell "this session" in the list). */
  credentialId: string
  /** Keyed hash of the client's address (set by the auth hook; for the audit trail). */
  ipHash: string | null
}

const TOKEN_PREFIX = 'sol_'
// Any number that no other advisory lock of ours uses (the migrations' is in db/connection.ts).
const FIRST_ADMIN_LOCK_ID = 7_301_013
// A password given, the second factor has this long to follow, and this many tries.
const AWAITING_CODE_MS = 10 * 60_000
export const MAX_CODE_ATTEMPTS = 5
// A session's last use is written at most once a minute (like a token's): reads would otherwise all write.
const LAST_USE_PRECISION_MS = 60_000

const publicColumns = { id: organisers.id, email: organisers.email, name: organisers.name, role: organisers.role, createdAt: organisers.createdAt }
const identityColumns = { id: organisers.id, email: organisers.email, name: organisers.name, role: organisers.role, totpEnabledAt: organisers.totpEnabledAt }

/** A User-Agent shortened to what tells one's devices apart ("Firefox on Linux"), never more than 120 characters. */
export function describeDevice (userAgent: string | undefined): string | null {
  if (userAgent === undefined || userAgent === '') return null
  // In order of precedence: Chrome's string names Safari too, Android's names Linux.
  const browsers: Array<[RegExp, string]> = [[/\bEdg\//, 'Edge'], [/\bOPR\//, 'Opera'], [/\bFirefox\//, 'Firefox'], [/Chrome\//, 'Chrome'], [/\bSafari\//, 'Safari']]
  const systems: Array<[RegExp, string]> = [[/\bAndroid\b/, 'Android'], [/\biPhone\b/, 'iPhone'], [/\biPad\b/, 'iPad'], [/\bCrOS\b/, 'ChromeOS'], [/\bWindows\b/, 'Windows'], [/\bMac OS X\b/, 'macOS'], [/\bLinux\b/, 'Linux']]
  const browser = browsers.find(([pattern]) => pattern.test(userAgent))?.[1]
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1]
  if (browser !== undefined && system !== undefined) return `${browser} · ${system}`
  return userAgent.replace(/[^\x20-\x7e]/g, '').slice(0, 120)
}

export type SignInResult = { token: string, expiresAt: Date, awaitingCode: boolean, organiserId: string }

// The command-line tool manages accounts without the keys two-factor sign-in needs.
const noSealer: Sealer = {
  keyId: 'none',
  seal: () => { throw new Error('two-factor sign-in needs DATA_KEY') },
  open: () => { throw new Error('two-factor sign-in needs DATA_KEY') },
  isCurrent: () => false,
  dataKeys: []
}

export function createOrganisersService (db: Database, options: { sessionTtlHours: number, passwordHashCost: number, sealer?: Sealer, recoveryKey?: Buffer }) {
  const passwords = createPasswords(options.passwordHashCost)
  const twoFactor = createTwoFactor(db, { sealer: options.sealer ?? noSealer, recoveryKey: options.recoveryKey ?? randomBytes(32) })
  const sessionExpiry = (): Date => new Date(Date.now() + options.sessionTtlHours * 3600_000)

  const identity = (row: { id: string, email: string, name: string, role: Role, totpEnabledAt: Date | null }, via: 'session' | 'token', credentialId: string, cap: AppealRole | null): SignedIn => ({
    id: row.id, email: row.email, name: row.name, role: row.role, via, cap, twoFactor: row.totpEnabledAt !== null, credentialId, ipHash: null
  })

  async function openSession (organiserId: string, device: string | null, awaitingCode: boolean): Promise<{ token: string, expiresAt: Date }> {
    const token = newToken()
    const expiresAt = awaitingCode ? new Date(Date.now() + AWAITING_CODE_MS) : sessionExpiry()
    await db.insert(sessions).values({ tokenHash: hashToken(token), organiserId, expiresAt, device, awaitingCode, lastUsedAt: new Date() })
    // Expired sessions are of no use to anyone; clear them while we are here.
    await db.delete(sessions).where(and(eq(sessions.organiserId, organiserId), sql`${sessions.expiresAt} < now()`))
    return { token, expiresAt }
  }

  return {
    passwords,
    twoFactor,

    async create (input: { email: string, name: string, password: string, role: Role }) {
      checkNewPassword(input.password)
      const [created] = await db.insert(organisers)
        .values({
          email: input.email.toLowerCase(), name: input.name, role: input.role,
          passwordHash: await passwords.hash(input.password), passwordChangedAt: new Date()
        })
        .onConflictDoNothing({ target: organisers.email }).returning(publicColumns)
      if (created === undefined) throw appError('ORGANISER_EXISTS')
      return created
    },

    /**
     * Creates the first admin, unless an organiser exists: the check and the insert are one transaction
     * under an advisory lock, so two set-ups at once (on one instance or several) make one admin.
     * Undefined when one existed already.
     */
    async createFirstAdmin (input: { email: string, name: string, password: string }) {
      checkNewPassword(input.password)
      const passwordHash = await passwords.hash(input.password)
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK_ID})`)
        const [existing] = await tx.select({ id: organisers.id }).from(organisers).limit(1)
        if (existing !== undefined) return undefined
        const [created] = await tx.insert(organisers)
          .values({ email: input.email.toLowerCase(), name: input.name, role: 'admin', passwordHash, passwordChangedAt: new Date() }).returning(publicColumns)
        return created
      })
    },

    async list () {
      return db.select(publicColumns).from(organisers).orderBy(asc(organisers.email))
    },

    async count (): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(organisers)
      return row?.n ?? 0
    },

    async byEmail (email: string) {
      const [row] = await db.select(publicColumns).from(organisers).where(eq(organisers.email, email.toLowerCase())).limit(1)
      return row
    },

    /**
     * Checks the credentials and opens a session; the token goes in the cookie, only its hash in the
     * database. With two-factor sign-in the session awaits its code (completeSignIn) and opens nothing
     * until then. `organiserId` is the account the email named, when one exists (for the audit trail).
     */
    async signIn (email: string, password: string, device: string | null = null): Promise<SignInResult> {
      const [organiser] = await db.select().from(organisers).where(eq(organisers.email, email.toLowerCase())).limit(1)
      const ok = await passwords.verify(password, organiser?.passwordHash ?? await passwords.unknownUserHash())
      if (organiser === undefined || !ok) throw Object.assign(appError('INVALID_CREDENTIALS'), { organiserId: organiser?.id ?? null })
      const awaitingCode = organiser.totpEnabledAt !== null
      return { ...await openSession(organiser.id, device, awaitingCode), awaitingCode, organiserId: organiser.id }
    },

    /**
     * The second step of signing in: a code from the authenticator, or a recovery code. A wrong one
     * counts against the session; after MAX_CODE_ATTEMPTS it is ended and the password is asked again.
     */
    async completeSignIn (token: string, code: string): Promise<{ organiserId: string, expiresAt: Date, recoveryCodesLeft: number | null }> {
      const [row] = await db.select({ organiserId: sessions.organiserId, failedCodes: sessions.failedCodes }).from(sessions)
        .where(and(eq(sessions.tokenHash, hashToken(token)), eq(sessions.awaitingCode, true), gt(sessions.expiresAt, sql`now()`))).limit(1)
      if (row === undefined) throw appError('UNAUTHENTICATED')
      const checked = await twoFactor.verifyForSignIn(row.organiserId, code)
      if (!checked.ok) {
        const [counted] = await db.update(sessions).set({ failedCodes: sql`${sessions.failedCodes} + 1` })
          .where(eq(sessions.tokenHash, hashToken(token))).returning({ failedCodes: sessions.failedCodes })
        if ((counted?.failedCodes ?? MAX_CODE_ATTEMPTS) >= MAX_CODE_ATTEMPTS) await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)))
        throw Object.assign(appError('TWO_FACTOR_CODE_INVALID'), { organiserId: row.organiserId })
      }
      const expiresAt = sessionExpiry()
      await db.update(sessions).set({ awaitingCode: false, expiresAt, lastUsedAt: new Date() }).where(eq(sessions.tokenHash, hashToken(token)))
      return { organiserId: row.organiserId, expiresAt, recoveryCodesLeft: checked.recoveryCodesLeft }
    },

    /** Whether this cookie's session is one waiting for its second factor. */
    async isAwaitingCode (token: string): Promise<boolean> {
      const [row] = await db.select({ id: sessions.id }).from(sessions)
        .where(and(eq(sessions.tokenHash, hashToken(token)), eq(sessions.awaitingCode, true), gt(sessions.expiresAt, sql`now()`))).limit(1)
      return row !== undefined
    },

    async signOut (token: string): Promise<void> {
      await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)))
    },

    async fromSession (token: string): Promise<SignedIn | undefined> {
      const [row] = await db.select({ ...identityColumns, sessionId: sessions.id, lastUsedAt: sessions.lastUsedAt }).from(sessions)
        .innerJoin(organisers, eq(organisers.id, sessions.organiserId))
        .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, sql`now()`), eq(sessions.awaitingCode, false))).limit(1)
      if (row === undefined) return undefined
      if (row.lastUsedAt === null || Date.now() - row.lastUsedAt.getTime() > LAST_USE_PRECISION_MS) {
        await db.update(sessions).set({ lastUsedAt: new Date() }).where(eq(sessions.id, row.sessionId))
      }
      return identity(row, 'session', row.sessionId, null)
    },

    /** A person's open sessions, most recently used first. */
    async listSessions (organiserId: string) {
      return db
        .select({ id: sessions.id, device: sessions.device, createdAt: sessions.createdAt, lastUsedAt: sessions.lastUsedAt, expiresAt: sessions.expiresAt })
        .from(sessions).where(and(eq(sessions.organiserId, organiserId), eq(sessions.awaitingCode, false), gt(sessions.expiresAt, sql`now()`)))
        .orderBy(desc(sessions.lastUsedAt))
    },

    async endSession (organiserId: string, sessionId: string): Promise<void> {
      const ended = await db.delete(sessions).where(and(eq(sessions.organiserId, organiserId), eq(sessions.id, sessionId))).returning({ id: sessions.id })
      if (ended.length === 0) throw appError('SESSION_NOT_FOUND')
    },

    /** Ends every session of a person (after a password change or reset), but the one given, if any. */
    async endAllSessions (organiserId: string, except?: string): Promise<void> {
      await db.delete(sessions).where(and(eq(sessions.organiserId, organiserId), ...(except === undefined ? [] : [ne(sessions.id, except)])))
    },

    /** Sets a new password (already checked by its caller against the current one or a reset link) and ends every session. */
    async setPassword (organiserId: string, password: string): Promise<void> {
      checkNewPassword(password)
      await db.update(organisers).set({ passwordHash: await passwords.hash(password), passwordChangedAt: new Date() }).where(eq(organisers.id, organiserId))
      await db.delete(sessions).where(eq(sessions.organiserId, organiserId))
    },

    /** Throws INVALID_CREDENTIALS unless this is the person's password (asked again before changing it, or turning two-factor off). */
    async checkPassword (organiserId: string, password: string): Promise<void> {
      const [row] = await db.select({ passwordHash: organisers.passwordHash }).from(organisers).where(eq(organisers.id, organiserId)).limit(1)
      if (row === undefined || !await passwords.verify(password, row.passwordHash)) throw appError('INVALID_CREDENTIALS')
    },

    /** Changes the signed-in person's password; every session ends, and a new one opens for this browser. */
    async changePassword (organiserId: string, current: string, password: string, device: string | null) {
      await this.checkPassword(organiserId, current)
      await this.setPassword(organiserId, password)
      return openSession(organiserId, device, false)
    },

    /**
     * The organiser behind an API token. Its last use is recorded at most once a minute: a script that
     * polls with one token would otherwise turn every read into a write on the same row.
     */
    async fromApiToken (token: string): Promise<SignedIn | undefined> {
      if (!token.startsWith(TOKEN_PREFIX)) return undefined
      const [row] = await db.select({ ...identityColumns, tokenId: apiTokens.id, cap: apiTokens.role, lastUsedAt: apiTokens.lastUsedAt })
        .from(apiTokens).innerJoin(organisers, eq(organisers.id, apiTokens.organiserId))
        .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt))).limit(1)
      if (row === undefined) return undefined
      if (row.lastUsedAt === null || Date.now() - row.lastUsedAt.getTime() > LAST_USE_PRECISION_MS) {
        await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.tokenId))
      }
      return identity(row, 'token', row.tokenId, row.cap)
    },

    /** A new API token, at most `role` on any appeal if given; its plain value is returned this once and never stored. */
    async createApiToken (organiserId: string, name: string, role: AppealRole | null = null) {
      const token = newToken(TOKEN_PREFIX)
      const [row] = await db.insert(apiTokens).values({ organiserId, name, tokenHash: hashToken(token), role })
        .returning({ id: apiTokens.id, name: apiTokens.name, role: apiTokens.role, createdAt: apiTokens.createdAt })
      if (row === undefined) throw new Error('token insert returned no row')
      return { ...row, token }
    },

    async createApiTokenFor (email: string, name: string) {
      const [organiser] = await db.select({ id: organisers.id }).from(organisers).where(eq(organisers.email, email.toLowerCase())).limit(1)
      if (organiser === undefined) throw appError('ORGANISER_NOT_FOUND')
      return this.createApiToken(organiser.id, name)
    },

    async listApiTokens (organiserId: string) {
      return db
        .select({
          id: apiTokens.id, name: apiTokens.name, role: apiTokens.role,
          createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt
        })
        .from(apiTokens).where(eq(apiTokens.organiserId, organiserId)).orderBy(asc(apiTokens.createdAt))
    },

    async revokeApiToken (organiserId: string, id: string): Promise<void> {
      const revoked = await db.update(apiTokens).set({ revokedAt: new Date() })
        .where(and(eq(apiTokens.id, id), eq(apiTokens.organiserId, organiserId), isNull(apiTokens.revokedAt))).returning({ id: apiTokens.id })
      if (revoked.length === 0) throw appError('TOKEN_NOT_FOUND')
    }
  }
}

export type OrganisersService = ReturnType<typeof createOrganisersService>
