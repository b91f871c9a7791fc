import { timingSafeEqual } from 'node:crypto'
import { and, asc, desc, eq, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import type { Database, Executor } from '../db/connection.js'
import { contributions, fundReceipts, funds, fundSpending, fundTexts, mailOutbox, mailQuota, type FundWay } from '../db/schema.js'
import { appError, invalidFields } from '../errors/app-error.js'
import { languages } from '../i18n/index.js'
import { keyedHash, type Keys } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'
import { normaliseEmail } from '../signatures/email.js'
import { computeAccount, type FundAccount } from './account.js'
import { parseAmount } from './money.js'
import { openBytes, openContributor, sealBytes, sealContributor } from './personal.js'
import { cleanReceipt } from './receipts.js'

export type Fund = typeof funds.$inferSelect
export interface FundText { purpose: string, ways: FundWay[] }
export type Contribution = typeof contributions.$inferSelect
export type Spending = typeof fundSpending.$inferSelect
export type ContributionStatus = Contribution['status']

export interface FundSettings {
  enabled: boolean
  goalCurrency: string
  goalAmount: number | null
  rates: Record<string, number>
  ratesDate: string | null
  texts: Record<string, FundText>
}

/** A report as the API and the form send it: text, as typed. */
export interface ReportInput {
  amount: string, currency: string, date: string, way: string, reference?: string, name?: string, anonymous?: boolean | string,
  country?: string, message?: string, email?: string, locale?: string, receipt?: string, website?: string
}

export interface RecordInput { amount: number, currency: string, date: string, way?: string, country?: string, name?: string, message?: string }
export interface SpendingInput { amount: number, currency: string, date: string, purpose: string, receipt?: string, receiptPublic?: boolean | string }

/** A contribution as its organisers see it: who gave opened, the sealed form left out. */
export interface RevealedContribution extends Omit<Contribution, 'sealed' | 'publicName' | 'emailHash' | 'ipHash'> {
  name: string | null
  shownName: boolean
  email: string | null
  reference: string | null
  receiptId: string | null
  receiptType: string | null
}

const REMOVAL_PREFIX = '/fund/remove/'
const isTrue = (flag: boolean | string | undefined): boolean => flag === true || flag === 'true' || flag === 'on'
const today = (now: Date): string => now.toISOString().slice(0, 10)

/** The columns an erased contribution keeps empty: who gave goes; how much, in what, when and from where stay. */
const erasedColumns = (now: Date) => ({ publicName: null, message: null, sealed: null, emailHash: null, ipHash: null, locale: null, erasedAt: now })

export function createFundService (db: Database, options: { keys: Keys, sealer: Sealer, receiptMaxBytes: number, mailMaxPerDay: number }) {
  const { keys, sealer } = options

  async function find (appeal: Appeal): Promise<Fund | undefined> {
    const [row] = await db.select().from(funds).where(eq(funds.appealId, appeal.id)).limit(1)
    return row
  }

  async function texts (appeal: Appeal): Promise<Record<string, FundText>> {
    const rows = await db.select().from(fundTexts).where(eq(fundTexts.appealId, appeal.id))
    return Object.fromEntries(rows.map((r) => [r.language, { purpose: r.purpose, ways: r.ways }]))
  }

  /** The fund of an appeal, if it is switched on; a fund switched off is not there for the public. */
  async function getOpen (appeal: Appeal): Promise<Fund> {
    const fund = await find(appeal)
    if (fund === undefined || !fund.enabled) throw appError('FUND_NOT_FOUND')
    return fund
  }

  /** Every way's key, in any language: a report names one of them. */
  const wayKeys = (all: Record<string, FundText>): Set<string> => new Set(Object.values(all).flatMap((t) => t.ways.map((w) => w.key)))

  /** Queues one of the fund's mails to the contribution's supporter, within the daily cap per address (as signing's). */
  async function queueMail (tx: Executor, row: Pick<Contribution, 'id' | 'appealId' | 'emailHash' | 'locale'>,
    kind: 'fund_received' | 'fund_verified' | 'fund_rejected'): Promise<void> {
    if (row.emailHash === null) return
    const [counted] = await tx.insert(mailQuota).values({ appealId: row.appealId, emailHash: row.emailHash, day: sql`current_date`, mails: 1 })
      .onConflictDoUpdate({
        target: [mailQuota.appealId, mailQuota.emailHash, mailQuota.day], set: { mails: sql`${mailQuota.mails} + 1` },
        setWhere: sql`${mailQuota.mails} < ${options.mailMaxPerDay}`
      })
      .returning({ mails: mailQuota.mails })
    if (counted === undefined) return
    await tx.insert(mailOutbox).values({ kind, appealId: row.appealId, contributionId: row.id, language: row.locale ?? 'en' })
  }

  function reveal (row: Contribution, receipt: { id: string, mediaType: string } | undefined): RevealedContribution {
    const { sealed: _sealed, publicName, emailHash: _emailHash, ipHash: _ipHash, ...rest } = row
    const personal = openContributor(sealer, row)
    return {
      ...rest, name: personal.name, shownName: publicName !== null, email: personal.email, reference: personal.reference,
      receiptId: receipt?.id ?? null, receiptType: receipt?.mediaType ?? null
    }
  }

  async function revealAll (rows: Contribution[]): Promise<RevealedContribution[]> {
    if (rows.length === 0) return []
    const receipts = await db.select({ id: fundReceipts.id, mediaType: fundReceipts.mediaType, contributionId: fundReceipts.contributionId })
      .from(fundReceipts).where(inArray(fundReceipts.contributionId, rows.map((r) => r.id)))
    const byContribution = new Map(receipts.map((r) => [r.contributionId, r]))
    return rows.map((row) => reveal(row, byContribution.get(row.id)))
  }

  async function getContribution (appeal: Appeal, id: number): Promise<Contribution> {
    const [row] = await db.select().from(contributions).where(and(eq(contributions.appealId, appeal.id), eq(contributions.id, id))).limit(1)
    if (row === undefined) throw appError('CONTRIBUTION_NOT_FOUND')
    return row
  }

  async function decide (appeal: Appeal, id: number, organiserId: string | null, status: 'verified' | 'rejected',
    reason: string | null): Promise<RevealedContribution> {
    const row = await getContribution(appeal, id)
    if (row.status === status) return (await revealAll([row]))[0]!
    const updated = await db.transaction(async (tx) => {
      const [changed] = await tx.update(contributions).set({ status, rejectionReason: reason, decidedBy: organiserId, decidedAt: new Date() })
        .where(and(eq(contributions.id, row.id), eq(contributions.status, row.status))).returning()
      if (changed === undefined) throw appError('CONTRIBUTION_NOT_FOUND')
      if (changed.source === 'report' && changed.erasedAt === null) await queueMail(tx, changed, status === 'verified' ? 'fund_verified' : 'fund_rejected')
      return changed
    })
    return (await revealAll([updated]))[0]!
  }

  function removalToken (id: number): string {
    return `${id}.${keyedHash(keys.removalLink, `fund-remove:${id}`)}`
  }
  const contributionOf = (token: string): number | undefined => {
    const match = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/.exec(token)
    if (match === null) return undefined
    const id = Number(match[1])
    const expected = Buffer.from(keyedHash(keys.removalLink, `fund-remove:${id}`))
    const given = Buffer.from(match[2] ?? '')
    return Number.isSafeInteger(id) && given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined
  }

  async function eraseWhere (tx: Executor, condition: SQL, now: Date): Promise<Array<{ id: number, appealId: string }>> {
    const rows = await tx.update(contributions).set(erasedColumns(now)).where(and(condition, isNull(contributions.erasedAt)))
      .returning({ id: contributions.id, appealId: contributions.appealId })
    const ids = rows.map((r) => r.id)
    if (ids.length > 0) {
      await tx.delete(fundReceipts).where(inArray(fundReceipts.contributionId, ids))
      await tx.delete(mailOutbox).where(inArray(mailOutbox.contributionId, ids))
    }
    return rows
  }

  async function removalState (token: string): Promise<{ state: 'valid' | 'removed', appealId: string } | { state: 'unknown' }> {
    const id = contributionOf(token)
    if (id === undefined) return { state: 'unknown' }
    const [row] = await db.select({ appealId: contributions.appealId, erasedAt: contributions.erasedAt, anonymisedAt: contributions.anonymisedAt })
      .from(contributions).where(eq(contributions.id, id)).limit(1)
    if (row === undefined) return { state: 'unknown' }
    return { state: row.erasedAt !== null || row.anonymisedAt !== null ? 'removed' : 'valid', appealId: row.appealId }
  }

  return {
    find,
    texts,
    getOpen,

    /** The fund's settings for its organisers (a fund never set up is switched off, in the appeal's... goal currency EUR). */
    async settings (appeal: Appeal): Promise<FundSettings> {
      const fund = await find(appeal)
      return {
        enabled: fund?.enabled ?? false,
        goalCurrency: fund?.goalCurrency ?? 'EUR',
        goalAmount: fund?.goalAmount ?? null,
        rates: fund?.rates ?? {},
        ratesDate: fund?.ratesDate ?? null,
        texts: await texts(appeal)
      }
    },

    /** Sets the whole fund: settings, rates and the texts of each language (a language left out loses its text). */
    async saveSettings (appeal: Appeal, input: FundSettings): Promise<FundSettings> {
      for (const language of Object.keys(input.texts)) {
        if (!languages.includes(language)) throw invalidFields({ [`texts.${language}`]: { key: 'language' } })
      }
      for (const [currency, rate] of Object.entries(input.rates)) {
        if (!Intl.supportedValuesOf('currency').includes(currency)) throw invalidFields({ [`rates.${currency}`]: { key: 'fund.currency' } })
        if (!(rate > 0)) throw invalidFields({ [`rates.${currency}`]: { key: 'fund.rate' } })
      }
      for (const [language, text] of Object.entries(input.texts)) {
        const keysSeen = new Set<string>()
        for (const way of text.ways) {
          if (keysSeen.has(way.key)) throw invalidFields({ [`texts.${language}.ways`]: { key: 'fund.wayTwice' } })
          keysSeen.add(way.key)
        }
      }
      const { [input.goalCurrency]: _own, ...rates } = input.rates
      await db.transaction(async (tx) => {
        const values = {
          goalCurrency: input.goalCurrency, goalAmount: input.goalAmount, rates, ratesDate: input.ratesDate, enabled: input.enabled,
          updatedAt: new Date()
        }
        await tx.insert(funds).values({ appealId: appeal.id, ...values }).onConflictDoUpdate({ target: funds.appealId, set: values })
        await tx.delete(fundTexts).where(eq(fundTexts.appealId, appeal.id))
        const rows = Object.entries(input.texts).map(([language, text]) => ({ appealId: appeal.id, language, purpose: text.purpose, ways: text.ways }))
        if (rows.length > 0) await tx.insert(fundTexts).values(rows)
      })
      return this.settings(appeal)
    },

    /**
     * A supporter's report. Everything is checked (the honeypot, the amount for its currency, the way,
     * the date, the receipt's content) before anything is written; then the report, its sealed receipt
     * and the mail that says it arrived are written together.
     */
    async report (appeal: Appeal, input: ReportInput, context: { ip?: string, language: string, now?: Date }): Promise<{
      status: 'reported',
      receipt: boolean
    }> {
      if (input.website !== undefined) throw appError('SPAM_SUSPECTED', {}, { website: { key: 'honeypot' } })
      const fund = await getOpen(appeal)
      const now = context.now ?? new Date()
      const amountMinor = parseAmount(input.amount, input.currency)
      const problems: Parameters<typeof invalidFields>[0] = {}
      if (amountMinor === undefined || amountMinor <= 0) problems.amount = { key: 'fund.amount' }
      if (!wayKeys(await texts(appeal)).has(input.way)) problems.way = { key: 'choice' }
      if (input.date > today(new Date(now.getTime() + 86_400_000)) || input.date < '2000-01-01') problems.date = { key: 'fund.date' }
      if (Object.keys(problems).length > 0) throw invalidFields(problems)
      const receipt = input.receipt === undefined ? undefined : await cleanReceipt(Buffer.from(input.receipt, 'base64'), options.receiptMaxBytes)
      const email = input.email === undefined ? null : normaliseEmail(input.email)
      const shown = !isTrue(input.anonymous) && input.name !== undefined
      const personal = sealContributor(sealer, { email, reference: input.reference ?? null, name: input.name ?? null }, shown)
      await db.transaction(async (tx) => {
        const [row] = await tx.insert(contributions).values({
          appealId: fund.appealId, source: 'report', status: 'reported', amountMinor: amountMinor!, currency: input.currency, contributedOn: input.date,
          way: input.way, country: input.country ?? null, message: input.message ?? null, ...personal,
          emailHash: email === null ? null : keyedHash(keys.emailHash, email), locale: context.language,
          ipHash: context.ip === undefined ? null : keyedHash(keys.ipHash, context.ip)
        }).returning()
        if (receipt !== undefined) {
          await tx.insert(fundReceipts).values({
            appealId: appeal.id, contributionId: row!.id, mediaType: receipt.mediaType, bytes: receipt.bytes.length,
            sealed: sealBytes(sealer, receipt.bytes)
          })
        }
        await queueMail(tx, row!, 'fund_received')
      })
      return { status: 'reported', receipt: receipt !== undefined }
    },

    /** The contributions of an appeal for its organisers, newest first; reports waiting for a check first of all. */
    async list (appeal: Appeal, filter: { status?: ContributionStatus } = {}): Promise<RevealedContribution[]> {
      const rows = await db.select().from(contributions)
        .where(and(eq(contributions.appealId, appeal.id), filter.status === undefined ? undefined : eq(contributions.status, filter.status)))
        .orderBy(sql`${contributions.status} = 'reported' desc`, desc(contributions.createdAt), desc(contributions.id))
      return revealAll(rows)
    },

    async get (appeal: Appeal, id: number): Promise<RevealedContribution> {
      return (await revealAll([await getContribution(appeal, id)]))[0]!
    },

    /** The money arrived: the contribution counts, and its supporter is told. */
    verify: async (appeal: Appeal, id: number, organiserId: string | null) => decide(appeal, id, organiserId, 'verified', null),
    /** It did not (or the report was wrong): it does not count, and the supporter is told why. */
    reject: async (appeal: Appeal, id: number, organiserId: string | null, reason: string) => decide(appeal, id, organiserId, 'rejected', reason),

    /** A contribution that arrived without a report (cash at an event, a transfer nobody reported): verified at once. */
    async record (appeal: Appeal, input: RecordInput, organiserId: string | null): Promise<RevealedContribution> {
      const fund = await getOpenOrSetUp(appeal)
      const shown = input.name !== undefined
      const [row] = await db.insert(contributions).values({
        appealId: fund.appealId, source: 'organiser', status: 'verified', amountMinor: input.amount, currency: input.currency, contributedOn: input.date,
        way: input.way ?? null, country: input.country ?? null, message: input.message ?? null,
        ...sealContributor(sealer, { email: null, reference: null, name: input.name ?? null }, shown), decidedBy: organiserId, decidedAt: new Date()
      }).returning()
      return (await revealAll([row!]))[0]!
    },

    /** Erases who gave (an organiser, on request): the amount, currency, date and country stay, and still count. */
    async erase (appeal: Appeal, id: number, now = new Date()): Promise<RevealedContribution> {
      await getContribution(appeal, id)
      await db.transaction(async (tx) => eraseWhere(tx, and(eq(contributions.appealId, appeal.id), eq(contributions.id, id)) as SQL, now))
      return (await revealAll([await getContribution(appeal, id)]))[0]!
    },

    /** Erases every report made with this address on these appeals; says how many. */
    async eraseByEmail (appealIds: string[], email: string, now = new Date()): Promise<number> {
      if (appealIds.length === 0) return 0
      const emailHash = keyedHash(keys.emailHash, normaliseEmail(email))
      const rows = await db.transaction(async (tx) => eraseWhere(tx, and(eq(contributions.emailHash, emailHash), inArray(contributions.appealId,
        appealIds)) as SQL, now))
      return rows.length
    },

    async listSpending (appeal: Appeal): Promise<Array<Spending & { receiptId: string | null, receiptPublic: boolean }>> {
      const rows = await db.select({ spending: fundSpending, receiptId: fundReceipts.id, receiptPublic: fundReceipts.public }).from(fundSpending)
        .leftJoin(fundReceipts, eq(fundReceipts.spendingId, fundSpending.id))
        .where(eq(fundSpending.appealId, appeal.id)).orderBy(desc(fundSpending.spentOn), desc(fundSpending.createdAt))
      return rows.map((r) => ({ ...r.spending, receiptId: r.receiptId, receiptPublic: r.receiptPublic ?? false }))
    },

    /** Records what the fund paid for, with its receipt (checked and re-encoded as a report's), public or not. */
    async addSpending (appeal: Appeal, input: SpendingInput): Promise<Spending> {
      await getOpenOrSetUp(appeal)
      const receipt = input.receipt === undefined ? undefined : await cleanReceipt(Buffer.from(input.receipt, 'base64'), options.receiptMaxBytes)
      return db.transaction(async (tx) => {
        const [row] = await tx.insert(fundSpending).values({
          appealId: appeal.id, spentOn: input.date, amountMinor: input.amount,
          currency: input.currency, purpose: input.purpose
        }).returning()
        if (receipt !== undefined) {
          await tx.insert(fundReceipts).values({
            appealId: appeal.id, spendingId: row!.id, public: isTrue(input.receiptPublic), mediaType: receipt.mediaType, bytes: receipt.bytes.length,
            sealed: sealBytes(sealer, receipt.bytes)
          })
        }
        return row!
      })
    },

    async removeSpending (appeal: Appeal, id: string): Promise<void> {
      const removed = await db.delete(fundSpending).where(and(eq(fundSpending.appealId, appeal.id), eq(fundSpending.id, id))).returning({ id: fundSpending.id })
      if (removed.length === 0) throw appError('SPENDING_NOT_FOUND')
    },

    /**
     * A receipt's file: for the appeal's organisers any of its receipts, for the public only a spending's
     * receipt made public. Any other is not found, whether or not it exists.
     */
    async receipt (appeal: Appeal, id: string, reader: 'organiser' | 'public'): Promise<{ mediaType: string, bytes: Buffer }> {
      const [row] = await db.select().from(fundReceipts).where(and(eq(fundReceipts.appealId, appeal.id), eq(fundReceipts.id, id),
        reader === 'public' ? and(eq(fundReceipts.public, true), isNotNull(fundReceipts.spendingId)) : undefined)).limit(1)
      if (row === undefined) throw appError('RECEIPT_NOT_FOUND')
      return { mediaType: row.mediaType, bytes: openBytes(sealer, row.sealed) }
    },

    /** The public account (see account.ts). */
    async account (appeal: Appeal, fund: Fund): Promise<FundAccount> {
      const [verified, spending, [latest]] = await Promise.all([
        db.select({
          amountMinor: contributions.amountMinor, currency: contributions.currency, contributedOn: contributions.contributedOn, country: contributions.country,
          publicName: contributions.publicName, message: contributions.message
        }).from(contributions).where(and(eq(contributions.appealId, appeal.id), eq(contributions.status,
          'verified'))).orderBy(asc(contributions.contributedOn)),
        this.listSpending(appeal),
        db.select({ at: sql<string>`max(${contributions.decidedAt})` }).from(contributions).where(and(eq(contributions.appealId, appeal.id),
          eq(contributions.status, 'verified')))
      ])
      const times = [fund.updatedAt, ...spending.map((s) => s.createdAt), ...(latest?.at == null ? [] : [new Date(latest.at)])]
      const updatedAt = new Date(Math.max(...times.map((d) => d.getTime())))
      return computeAccount(fund, verified, spending.map((s) => ({ ...s, receipt: s.receiptPublic && s.receiptId !== null ? s.receiptId : null })), updatedAt)
    },

    /** The path of the link in the fund's mails with which a supporter removes their details from a report: signed, never stored. */
    removalPath: (id: number): string => `${REMOVAL_PREFIX}${removalToken(id)}`,
    inspectRemoval: removalState,
    async removeByLink (token: string): Promise<{ link: Awaited<ReturnType<typeof removalState>>, removedNow: boolean }> {
      const id = contributionOf(token)
      const erased = id === undefined
        ? []
        : await db.transaction(async (tx) => eraseWhere(tx, and(eq(contributions.id, id),
          isNull(contributions.anonymisedAt)) as SQL, new Date()))
      const [removed] = erased
      return removed === undefined
        ? { link: await removalState(token), removedNow: false }
        : {
            link: { state: 'removed', appealId: removed.appealId },
            removedNow: true
          }
    }
  }

  /** The fund, switched on or not: organisers may record into a fund before they open it. */
  async function getOpenOrSetUp (appeal: Appeal): Promise<Fund> {
    const fund = await find(appeal)
    if (fund === undefined) throw appError('FUND_NOT_FOUND')
    return fund
  }
}

export type FundService = ReturnType<typeof createFundService>
