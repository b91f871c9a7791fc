import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { apiTokens, organisers, sessions } from '../db/schema.js'
import { appError } from '../errors/app-error.js'
import { hashToken, newToken } from '../secrets/tokens.js'
import { createPasswords } from './passwords.js'

export type Role = 'admin' | 'organiser'

/** Who made a request: the organiser, and whether through a session cookie or an API token. */
export interface SignedIn {
  id: string
  email: string
  name: string
  role: Role
  via: 'session' | 'token'
}

const TOKEN_PREFIX = 'sol_'
// Any number that no other advisory lock of ours uses (the migrations' is in db/connection.ts).
const FIRST_ADMIN_LOCK_ID = 7_301_013

const publicColumns = { id: organisers.id, email: organisers.email, name: organisers.name, role: organisers.role, createdAt: organisers.createdAt }

export function createOrganisersService (db: Database, options: { sessionTtlHours: number, passwordHashCost: number }) {
  const passwords = createPasswords(options.passwordHashCost)
  return {
    async create (input: { email: string, name: string, password: string, role: Role }) {
      const [created] = await db.insert(organisers)
        .values({ email: input.email.toLowerCase(), name: input.name, role: input.role, passwordHash: await passwords.hash(input.password) })
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
      const passwordHash = await passwords.hash(input.password)
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK_ID})`)
        const [existing] = await tx.select({ id: organisers.id }).from(organisers).limit(1)
        if (existing !== undefined) return undefined
        const [created] = await tx.insert(organisers)
          .values({ email: input.email.toLowerCase(), name: input.name, role: 'admin', passwordHash }).returning(publicColumns)
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

    /** Checks the credentials and opens a session; the token goes in the cookie, only its hash in the database. */
    async signIn (email: string, password: string): Promise<{ token: string, expiresAt: Date }> {
      const [organiser] = await db.select().from(organisers).where(eq(organisers.email, email.toLowerCase())).limit(1)
      const ok = await passwords.verify(password, organiser?.passwordHash ?? await passwords.unknownUserHash())
      if (organiser === undefined || !ok) throw appError('INVALID_CREDENTIALS')
      const token = newToken()
      const expiresAt = new Date(Date.now() + options.sessionTtlHours * 3600_000)
      await db.insert(sessions).values({ tokenHash: hashToken(token), organiserId: organiser.id, expiresAt })
      // Expired sessions are of no use to anyone; clear them while we are here.
      await db.delete(sessions).where(and(eq(sessions.organiserId, organiser.id), sql`${sessions.expiresAt} < now()`))
      return { token, expiresAt }
    },

    async signOut (token: string): Promise<void> {
      await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)))
    },

    async fromSession (token: string): Promise<SignedIn | undefined> {
      const [row] = await db.select(publicColumns).from(sessions).innerJoin(organisers, eq(organisers.id, sessions.organiserId))
        .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, sql`now()`))).limit(1)
      return row === undefined ? undefined : { id: row.id, email: row.email, name: row.name, role: row.role, via: 'session' }
    },

    /**
     * The organiser behind an API token. Its last use is recorded at most once a minute: a script that
     * polls with one token would otherwise turn every read into a write on the same row.
     */
    async fromApiToken (token: string): Promise<SignedIn | undefined> {
      if (!token.startsWith(TOKEN_PREFIX)) return undefined
      const [row] = await db.select({ ...publicColumns, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
        .from(apiTokens).innerJoin(organisers, eq(organisers.id, apiTokens.organiserId))
        .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt))).limit(1)
      if (row === undefined) return undefined
      if (row.lastUsedAt === null || Date.now() - row.lastUsedAt.getTime() > 60_000) {
        await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.tokenId))
      }
      return { id: row.id, email: row.email, name: row.name, role: row.role, via: 'token' }
    },

    /** A new API token; its plain value is returned this once and never stored. */
    async createApiToken (organiserId: string, name: string) {
      const token = newToken(TOKEN_PREFIX)
      const [row] = await db.insert(apiTokens).values({ organiserId, name, tokenHash: hashToken(token) })
        .returning({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt })
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
        .select({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt })
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
