import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { i18n } from 'i18next'
import type { Database } from '../db/connection.js'
import { accountLinks, appealMembers, appeals, organisers } from '../db/schema.js'
import { appError } from '../errors/app-error.js'
import type { MailSender } from '../mail/transport.js'
import { hashToken, newToken } from '../secrets/tokens.js'
import { composeAccountMail } from './account-mail.js'
import { checkNewPassword } from './passwords.js'
import type { AppealRole } from './permissions.js'
import type { OrganisersService, Role } from './service.js'

export interface Invitation {
  email: string
  instanceRole: Role
  /** An appeal the invited person joins, with their role on it. */
  appeal?: { id: string, slug: string, role: AppealRole }
  language: string
}

// Invitations and password resets: a mailed link of 256 random bits, of which only the SHA-256 is
// stored, used once, expiring. The person chooses their own password on the link's page.
export function createAccountLinks (db: Database, options: {
  organisers: OrganisersService, sender: MailSender, i18n: i18n, siteUrl: string, log: FastifyBaseLogger,
  invitationTtlHours: number, resetTtlMinutes: number
}) {
  const { organisers: accounts } = options
  const inFlight = new Set<Promise<void>>()

  /**
   * A reset mail goes out after the answer: waiting for SMTP would make "there is such an account"
   * slower to answer than "there is none". Failures are logged; the person can ask again.
   */
  function sendLater (mail: Parameters<MailSender['send']>[0]): void {
    const sending = options.sender.send(mail)
      .catch((err: unknown) => { options.log.error({ err }, 'an account mail could not be sent') })
      .finally(() => { inFlight.delete(sending) })
    inFlight.add(sending)
  }

  async function usable (token: string, kind: 'invitation' | 'reset') {
    const [link] = await db.select().from(accountLinks)
      .where(and(eq(accountLinks.tokenHash, hashToken(token)), eq(accountLinks.kind, kind), isNull(accountLinks.usedAt), gt(accountLinks.expiresAt, sql`now()`))).limit(1)
    if (link === undefined) throw appError('ACCOUNT_LINK_INVALID')
    return link
  }

  /** Marks the link used, unless another request did first: the one place that makes a link single-use. */
  async function spend (token: string, organiserId?: string): Promise<void> {
    const spent = await db.update(accountLinks).set({ usedAt: new Date(), ...(organiserId !== undefined && { organiserId }) })
      .where(and(eq(accountLinks.tokenHash, hashToken(token)), isNull(accountLinks.usedAt), gt(accountLinks.expiresAt, sql`now()`))).returning({ kind: accountLinks.kind })
    if (spent.length === 0) throw appError('ACCOUNT_LINK_INVALID')
  }

  return {
    /** Mail sent after an answer, finished (tests, and shutdown). */
    async settled (): Promise<void> { await Promise.all([...inFlight]) },

    /**
     * Invites someone. An address that has an account already is added to the appeal at once (an
     * invitation to the instance alone answers ORGANISER_EXISTS). The caller checked that the inviter may.
     */
    async invite (inviter: { id: string, name: string }, invitation: Invitation): Promise<{ status: 'invited' | 'added', expiresAt: Date | null }> {
      const email = invitation.email.toLowerCase()
      const existing = await accounts.byEmail(email)
      if (existing !== undefined) {
        if (invitation.appeal === undefined) throw appError('ORGANISER_EXISTS')
        await db.insert(appealMembers).values({ appealId: invitation.appeal.id, organiserId: existing.id, role: invitation.appeal.role })
          .onConflictDoUpdate({ target: [appealMembers.appealId, appealMembers.organiserId], set: { role: invitation.appeal.role } })
        return { status: 'added', expiresAt: null }
      }
      const token = newToken()
      const expiresAt = new Date(Date.now() + options.invitationTtlHours * 3600_000)
      await db.insert(accountLinks).values({
        tokenHash: hashToken(token), kind: 'invitation', email, instanceRole: invitation.instanceRole, invitedBy: inviter.id, expiresAt,
        ...(invitation.appeal !== undefined && { appealId: invitation.appeal.id, appealRole: invitation.appeal.role })
      })
      // Awaited: the inviter should hear it if the mail could not be sent (nothing is revealed to them by it).
      await options.sender.send(composeAccountMail(options.i18n, {
        kind: 'invitation', to: email, language: invitation.language, link: `${options.siteUrl}/admin/invitation?token=${token}`,
        siteName: new URL(options.siteUrl).host, inviter: inviter.name, ...(invitation.appeal !== undefined && { appeal: invitation.appeal.slug }),
        hours: options.invitationTtlHours
      }))
      return { status: 'invited', expiresAt }
    },

    /** What an invitation's page shows (throws ACCOUNT_LINK_INVALID for a used, expired or unknown one). */
    async invitation (token: string): Promise<{ email: string, appeal: string | null, role: AppealRole | null }> {
      const link = await usable(token, 'invitation')
      const [appeal] = link.appealId === null ? [] : await db.select({ slug: appeals.slug }).from(appeals).where(eq(appeals.id, link.appealId)).limit(1)
      return { email: link.email ?? '', appeal: appeal?.slug ?? null, role: link.appealRole }
    },

    /** Accepts an invitation: the account, with the password its owner chose, and its place on the appeal. */
    async accept (token: string, input: { name: string, password: string }) {
      checkNewPassword(input.password)
      const link = await usable(token, 'invitation')
      const created = await accounts.create({ email: link.email ?? '', name: input.name, password: input.password, role: link.instanceRole ?? 'organiser' })
      await spend(token, created.id).catch(async (err: unknown) => {
        // Another request accepted it in between: that one made the account (this one's insert lost on the email).
        await db.delete(organisers).where(eq(organisers.id, created.id))
        throw err
      })
      if (link.appealId !== null) {
        await db.insert(appealMembers).values({ appealId: link.appealId, organiserId: created.id, role: link.appealRole ?? 'viewer' }).onConflictDoNothing()
      }
      return { ...created, appealId: link.appealId, invitedBy: link.invitedBy }
    },

    /**
     * Asks for a reset link. The answer is the same whether or not an account has this address (and
     * takes as long: the mail is sent after it), so nobody can learn from it who has an account.
     */
    async requestReset (email: string, language: string): Promise<void> {
      const account = await accounts.byEmail(email)
      if (account === undefined) return
      const token = newToken()
      await db.insert(accountLinks).values({ tokenHash: hashToken(token), kind: 'reset', organiserId: account.id, email: account.email, expiresAt: new Date(Date.now() + options.resetTtlMinutes * 60_000) })
      sendLater(composeAccountMail(options.i18n, {
        kind: 'reset', to: account.email, language, link: `${options.siteUrl}/admin/reset?token=${token}`,
        siteName: new URL(options.siteUrl).host, hours: Math.max(1, Math.round(options.resetTtlMinutes / 60))
      }))
    },

    /** Whether a reset link still works (its page asks before showing the form). */
    async checkReset (token: string): Promise<void> { await usable(token, 'reset') },

    /** Sets the new password from a reset link: the link is spent, every session of the person ends. */
    async completeReset (token: string, password: string): Promise<{ organiserId: string }> {
      checkNewPassword(password)
      const link = await usable(token, 'reset')
      if (link.organiserId === null) throw appError('ACCOUNT_LINK_INVALID')
      await spend(token)
      await accounts.setPassword(link.organiserId, password)
      return { organiserId: link.organiserId }
    },

    /** Links past their time, and used ones, are of no use: deleted daily. */
    async deleteExpired (): Promise<number> {
      const deleted = await db.delete(accountLinks).where(sql`${accountLinks.expiresAt} < now() or ${accountLinks.usedAt} is not null`).returning({ k: accountLinks.tokenHash })
      return deleted.length
    }
  }
}

export type AccountLinks = ReturnType<typeof createAccountLinks>
