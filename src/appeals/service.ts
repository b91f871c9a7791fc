import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm'
import { isUniqueViolation, type Database, type Executor } from '../db/connection.js'
import { appealMembers, appeals, appealTexts, organisers } from '../db/schema.js'
import { appError, invalidFields } from '../errors/app-error.js'
import { assertAllowed, isAllowed, mayReadContactData, type AppealAction, type AppealRole } from '../organisers/permissions.js'
import type { SignedIn } from '../organisers/service.js'
import { createSlugCache } from './slug-cache.js'

export type Appeal = typeof appeals.$inferSelect
/** An appeal as one organiser may act on it: their role there, and whether they see signers' contact data. */
export interface Access { appeal: Appeal, role: AppealRole, contactData: boolean }

export type AppealText = Pick<typeof appealTexts.$inferSelect, 'title' | 'summary' | 'body' | 'demands'>

export interface AppealSettings {
  goal?: number | null
  opensAt?: string | null
  closesAt?: string | null
  allowOrganisations?: boolean
  showPublicList?: boolean
  requireConfirmation?: boolean
  collectCity?: boolean
  collectOrganisation?: boolean
  collectRole?: boolean
  donationUrl?: string | null
  joinUrl?: string | null
  embedOrigins?: string[]
  retentionMonths?: number
}

export interface NewAppeal extends AppealSettings {
  slug: string
  originalLanguage: string
  text: AppealText
}

function toDate (value: string | null | undefined): Date | null | undefined {
  return value === undefined ? undefined : value === null ? null : new Date(value)
}

/** An origin as browsers compare them; one the pattern lets through but no browser could have (a port over 65535) is refused. */
function browserOrigin (origin: string): string {
  try {
    return new URL(origin).origin
  } catch {
    throw invalidFields({ embedOrigins: { key: 'url' } })
  }
}

function settingsRow (settings: AppealSettings): Partial<typeof appeals.$inferInsert> {
  const { opensAt, closesAt, embedOrigins, ...rest } = settings
  const row: Partial<typeof appeals.$inferInsert> = { ...rest }
  // As browsers compare them: lower-case host, no default port, each once.
  if (embedOrigins !== undefined) row.embedOrigins = [...new Set(embedOrigins.map(browserOrigin))]
  if (opensAt !== undefined) row.opensAt = toDate(opensAt)
  if (closesAt !== undefined) row.closesAt = toDate(closesAt)
  return row
}

function checkDates (opensAt: Date | null | undefined, closesAt: Date | null | undefined): void {
  if (opensAt != null && closesAt != null && closesAt <= opensAt) throw invalidFields({ closesAt: { key: 'closesBeforeOpens' } })
}

/** Whether an appeal has stopped taking signatures: closed by its organisers, or past its closing time. */
export function hasClosed (appeal: Appeal, now = new Date()): boolean {
  return appeal.status === 'closed' || (appeal.closesAt !== null && appeal.closesAt <= now)
}

/**
 * The status the public sees: the one an organiser set, except that an open appeal past its closing time
 * is closed (nothing changes the stored status when that time comes).
 */
export function publicStatus (appeal: Appeal, now = new Date()): Appeal['status'] {
  return appeal.status === 'open' && hasClosed(appeal, now) ? 'closed' : appeal.status
}

/** Whether an appeal takes signatures now (open, and within its dates). */
export function isSigningOpen (appeal: Appeal, now = new Date()): boolean {
  return appeal.status === 'open' && !hasClosed(appeal, now) && (appeal.opensAt === null || appeal.opensAt <= now)
}

/** Why an appeal does not take a signature now, or nothing if it does. */
export function assertSigningOpen (appeal: Appeal, now = new Date()): void {
  if (appeal.status === 'draft') throw appError('APPEAL_NOT_OPEN')
  if (hasClosed(appeal, now)) throw appError('APPEAL_CLOSED')
  if (appeal.opensAt !== null && appeal.opensAt > now) throw appError('APPEAL_NOT_YET_OPEN', { opensAt: appeal.opensAt.toISOString() })
}

// Every public request (signing, stats, lists) starts by finding the appeal from its slug; that lookup
// is cached briefly per instance (slug-cache.ts). A change made here clears it at once; another instance
// sees it within `cacheMs` (APPEAL_CACHE_MS, 2 s by default).
const PUBLIC_CACHE_MS = 2000
const PUBLIC_CACHE_MAX = 1000
const UNKNOWN_SLUGS_MAX = 200

export function createAppealsService (db: Database, options: { now?: () => number, requireTwoFactor?: boolean, cacheMs?: number } = {}) {
  const requireTwoFactor = options.requireTwoFactor ?? false
  const publicCache = createSlugCache<Appeal>({
    ttlMs: options.cacheMs ?? PUBLIC_CACHE_MS, maxKnown: PUBLIC_CACHE_MAX, maxUnknown: UNKNOWN_SLUGS_MAX, ...(options.now !== undefined && { now: options.now })
  })
  const forget = (): void => { publicCache.clear() }
  async function textsOf (appealIds: string[], executor: Executor = db): Promise<Map<string, Record<string, AppealText>>> {
    const byAppeal = new Map<string, Record<string, AppealText>>()
    if (appealIds.length === 0) return byAppeal
    const rows = await executor.select().from(appealTexts).where(inArray(appealTexts.appealId, appealIds)).orderBy(asc(appealTexts.language))
    for (const { appealId, language, title, summary, body, demands } of rows) {
      const texts = byAppeal.get(appealId) ?? {}
      texts[language] = { title, summary, body, demands }
      byAppeal.set(appealId, texts)
    }
    return byAppeal
  }

  async function withTexts (list: Appeal[]): Promise<Array<Appeal & { texts: Record<string, AppealText> }>> {
    const texts = await textsOf(list.map((a) => a.id))
    return list.map((a) => ({ ...a, texts: texts.get(a.id) ?? {} }))
  }

  async function bySlug (slug: string, executor: Executor = db): Promise<Appeal | undefined> {
    const [appeal] = await executor.select().from(appeals).where(eq(appeals.slug, slug)).limit(1)
    return appeal
  }

  return {
    /** Open appeals (not past their closing time), newest first, as the public site lists them. */
    async listOpen (now = new Date()) {
      const list = await db.select().from(appeals)
        .where(and(eq(appeals.status, 'open'), or(isNull(appeals.closesAt), gt(appeals.closesAt, now))))
        .orderBy(sql`${appeals.createdAt} desc`)
      return withTexts(list)
    },

    /** An appeal the public may see (open or closed); drafts do not exist for the public. */
    async getPublic (slug: string): Promise<Appeal> {
      const cached = publicCache.get(slug)
      let appeal = cached.found ? cached.value : undefined
      if (!cached.found) {
        appeal = await bySlug(slug)
        publicCache.set(slug, appeal)
      }
      if (appeal === undefined || appeal.status === 'draft') throw appError('APPEAL_NOT_FOUND')
      return appeal
    },

    /** Whether getPublic would answer this slug without asking the database. */
    isCachedPublic (slug: string): boolean {
      return publicCache.get(slug).found
    },

    /** The appeal getPublic would answer for this slug at once, if it is cached and public. */
    cachedPublic (slug: string): Appeal | undefined {
      const cached = publicCache.get(slug)
      return cached.found && cached.value !== undefined && cached.value.status !== 'draft' ? cached.value : undefined
    },

    /** A draft by its address (its team previews it; see pages/preview.ts). */
    async findDraft (slug: string): Promise<Appeal | undefined> {
      const appeal = await bySlug(slug)
      return appeal?.status === 'draft' ? appeal : undefined
    },

    /** An appeal by id, drafts included (for links that name a signature rather than an appeal). */
    async getById (id: string): Promise<Appeal | undefined> {
      const [appeal] = await db.select().from(appeals).where(eq(appeals.id, id)).limit(1)
      return appeal
    },

    /** This organiser's role on an appeal, or null when not a member. */
    async memberRole (appealId: string, organiserId: string, executor: Executor = db): Promise<AppealRole | null> {
      const [member] = await executor.select({ role: appealMembers.role }).from(appealMembers)
        .where(and(eq(appealMembers.appealId, appealId), eq(appealMembers.organiserId, organiserId))).limit(1)
      return member?.role ?? null
    },

    /**
     * The appeal, if this organiser may do `action` on it, with the role they act in: every admin and
     * dashboard route finds its appeal here, so the permission table (organisers/permissions.ts) is
     * checked for sessions and tokens alike. Someone else's appeal answers exactly like a missing one
     * (its existence is not revealed); a member whose role does not allow the action gets 403.
     */
    async access (who: SignedIn, slug: string, action: AppealAction, executor: Executor = db): Promise<Access> {
      const appeal = await bySlug(slug, executor)
      if (appeal === undefined) throw appError('APPEAL_NOT_FOUND')
      const memberRole = who.role === 'admin' ? null : await this.memberRole(appeal.id, who.id, executor)
      const role = assertAllowed(who, memberRole, action, { requireTwoFactor })
      return { appeal, role, contactData: mayReadContactData(who, role, { requireTwoFactor }) }
    },

    /** The appeal if this organiser may do `action` on it (by default what organisers do: change it). See access. */
    async getManaged (who: SignedIn, slug: string, action: AppealAction = 'appeal.edit', executor: Executor = db): Promise<Appeal> {
      return (await this.access(who, slug, action, executor)).appeal
    },

    /** The ids and addresses of the appeals on which this organiser may do `action` (every appeal, for admins). */
    async managedSlugs (who: SignedIn, action: AppealAction = 'appeal.read'): Promise<Array<{ id: string, slug: string }>> {
      const query = db.select({ id: appeals.id, slug: appeals.slug, role: appealMembers.role }).from(appeals)
      const rows = who.role === 'admin'
        ? (await db.select({ id: appeals.id, slug: appeals.slug }).from(appeals)).map((r) => ({ ...r, role: null }))
        : await query.innerJoin(appealMembers, and(eq(appealMembers.appealId, appeals.id), eq(appealMembers.organiserId, who.id)))
      return rows.filter((r) => {
        try {
          assertAllowed(who, r.role, action, { requireTwoFactor })
          return true
        } catch {
          return false
        }
      }).map((r) => ({ id: r.id, slug: r.slug }))
    },

    /** Whether this organiser is on the appeal's team in any role (drafts are previewed by their team). */
    async isTeamMember (who: SignedIn, appeal: Appeal): Promise<boolean> {
      return who.role === 'admin' || await this.memberRole(appeal.id, who.id) !== null
    },

    async listManaged (who: SignedIn) {
      const query = db.select({ appeal: appeals }).from(appeals)
      const rows = who.role === 'admin'
        ? await query.orderBy(sql`${appeals.createdAt} desc`)
        : await query.innerJoin(appealMembers, and(eq(appealMembers.appealId, appeals.id), eq(appealMembers.organiserId, who.id)))
          .orderBy(sql`${appeals.createdAt} desc`)
      return withTexts(rows.map((r) => r.appeal))
    },

    /** Creates a draft appeal with its original text; its creator (if any: the CLI has none) becomes a member. */
    async create (who: SignedIn | null, input: NewAppeal): Promise<Appeal> {
      // A token narrowed to moderating or watching cannot start appeals either.
      if (who !== null && who.cap !== null && !isAllowed(who.cap, 'appeal.edit')) throw appError('FORBIDDEN')
      const row = settingsRow(input)
      checkDates(row.opensAt, row.closesAt)
      return db.transaction(async (tx) => {
        const [appeal] = await tx.insert(appeals)
          .values({ ...row, slug: input.slug, originalLanguage: input.originalLanguage, status: 'draft' })
          .onConflictDoNothing({ target: appeals.slug }).returning()
        if (appeal === undefined) throw appError('SLUG_TAKEN')
        await tx.insert(appealTexts).values({ appealId: appeal.id, language: input.originalLanguage, ...input.text })
        if (who !== null) await tx.insert(appealMembers).values({ appealId: appeal.id, organiserId: who.id, role: 'owner' })
        return appeal
      }).finally(forget)
    },

    async update (appeal: Appeal, settings: AppealSettings & { slug?: string }): Promise<Appeal> {
      const row = settingsRow(settings)
      checkDates(row.opensAt === undefined ? appeal.opensAt : row.opensAt, row.closesAt === undefined ? appeal.closesAt : row.closesAt)
      if (settings.slug !== undefined && settings.slug !== appeal.slug) {
        if (await bySlug(settings.slug) !== undefined) throw appError('SLUG_TAKEN')
        row.slug = settings.slug
      }
      // The look-up above answers the usual case with a clear message; another appeal may still take
      // the slug between it and this write, which the unique index then refuses.
      const [updated] = await db.update(appeals).set({ ...row, updatedAt: new Date() }).where(eq(appeals.id, appeal.id)).returning()
        .catch((err: unknown) => { throw isUniqueViolation(err, 'appeals_slug_unique') ? appError('SLUG_TAKEN') : err })
        .finally(forget)
      if (updated === undefined) throw appError('APPEAL_NOT_FOUND')
      return updated
    },

    async setStatus (appeal: Appeal, status: Appeal['status']): Promise<Appeal> {
      // The retention period runs from the closing (erasure/retention.ts); reopening stops it.
      const closedAt = status === 'closed' ? sql`coalesce(${appeals.closedAt}, now())` : null
      const [updated] = await db.update(appeals).set({ status, closedAt, updatedAt: new Date() }).where(eq(appeals.id, appeal.id)).returning()
      forget()
      if (updated === undefined) throw appError('APPEAL_NOT_FOUND')
      return updated
    },

    async putText (appeal: Appeal, language: string, text: AppealText): Promise<void> {
      await db.insert(appealTexts).values({ appealId: appeal.id, language, ...text })
        .onConflictDoUpdate({ target: [appealTexts.appealId, appealTexts.language], set: { ...text, updatedAt: new Date() } })
    },

    async deleteText (appeal: Appeal, language: string): Promise<boolean> {
      if (language === appeal.originalLanguage) throw appError('ORIGINAL_TEXT_REQUIRED')
      const deleted = await db.delete(appealTexts)
        .where(and(eq(appealTexts.appealId, appeal.id), eq(appealTexts.language, language))).returning({ language: appealTexts.language })
      return deleted.length > 0
    },

    async texts (appeal: Appeal): Promise<Record<string, AppealText>> {
      return (await textsOf([appeal.id])).get(appeal.id) ?? {}
    },

    async members (appeal: Appeal) {
      return db.select({ id: organisers.id, email: organisers.email, name: organisers.name, role: appealMembers.role, admin: sql<boolean>`${organisers.role} = 'admin'` })
        .from(appealMembers).innerJoin(organisers, eq(organisers.id, appealMembers.organiserId))
        .where(eq(appealMembers.appealId, appeal.id)).orderBy(asc(organisers.email))
    },

    /** Adds an existing account to the team (or changes its role there); answers the account's id and its role before (null: new). */
    async addMember (appeal: Appeal, organiserEmail: string, role: AppealRole = 'organiser'): Promise<{ organiserId: string, previous: AppealRole | null }> {
      const [organiser] = await db.select({ id: organisers.id }).from(organisers).where(eq(organisers.email, organiserEmail.toLowerCase())).limit(1)
      if (organiser === undefined) throw appError('ORGANISER_NOT_FOUND')
      const previous = await this.memberRole(appeal.id, organiser.id)
      await db.insert(appealMembers).values({ appealId: appeal.id, organiserId: organiser.id, role })
        .onConflictDoUpdate({ target: [appealMembers.appealId, appealMembers.organiserId], set: { role } })
      return { organiserId: organiser.id, previous }
    },

    /** Changes a member's role; answers the role before, or throws ORGANISER_NOT_FOUND for someone not on the team. */
    async setMemberRole (appeal: Appeal, organiserId: string, role: AppealRole): Promise<AppealRole> {
      const previous = await this.memberRole(appeal.id, organiserId)
      if (previous === null) throw appError('ORGANISER_NOT_FOUND')
      await db.update(appealMembers).set({ role }).where(and(eq(appealMembers.appealId, appeal.id), eq(appealMembers.organiserId, organiserId)))
      return previous
    },

    async removeMember (appeal: Appeal, organiserId: string): Promise<boolean> {
      const deleted = await db.delete(appealMembers)
        .where(and(eq(appealMembers.appealId, appeal.id), eq(appealMembers.organiserId, organiserId))).returning({ id: appealMembers.organiserId })
      return deleted.length > 0
    }
  }
}

export type AppealsService = ReturnType<typeof createAppealsService>
