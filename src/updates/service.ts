import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import type { i18n } from 'i18next'
import type { Appeal } from '../appeals/service.js'
import { selectRows, type Database, type Executor } from '../db/connection.js'
import { mailOutbox, mailSuppressions, signatures, updates, updateTexts } from '../db/schema.js'
import { appError, invalidFields } from '../errors/app-error.js'
import { languages } from '../i18n/index.js'
import type { MailFooter } from '../mail/messages.js'
import type { GiveWay } from '../jobs/give-way.js'
import type { MailTexts } from '../jobs/mail-worker.js'
import type { MailSender } from '../mail/transport.js'
import type { SignedIn } from '../organisers/service.js'
import { composeUpdate, renderUpdate, type RenderedUpdate, type UpdateText } from './compose.js'

// An update: the organisers' mail to an appeal's signers. Written per language (the appeal's original
// required), tried out (a preview, a test mail to oneself), then sent now or at a set time. Sending
// queues one mail per recipient with set-based INSERT ... SELECTs of a chunk of recipients each, each
// in its own short transaction (no row passes through Node; signing, which writes other rows, is never
// waited on, and gets its turn between chunks), and the mail worker sends them as it sends any mail.
// Each recipient gets it once: one row per (update, signature), and a mail whose sending was
// interrupted is given up rather than sent again (mail/outbox.ts).

export type Update = typeof updates.$inferSelect
export type UpdateKind = 'individual' | 'organisation'
export interface UpdateInput { texts: Record<string, UpdateText>, countries?: string[], kinds?: UpdateKind[] }
export interface Progress { queued: number, sent: number, failed: number, cancelled: number }
export interface UpdateDetail extends Update { texts: Record<string, UpdateText>, progress: Progress }

// An update's recipients are queued this many at a time: a chunk takes a fraction of a second, and
// between chunks signing (and other instances) go ahead. A chunk may take longer than a request's deadline.
const QUEUEING_CHUNK = 10_000
const QUEUEING_TIMEOUT_MS = 5 * 60_000

/** A text[] parameter (the drivers would spread a JS array into a row); values are codes the schemas checked, quoted anyway. */
const textArray = (values: string[]): SQL => sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, '')}"`).join(',')}}`}::text[]`

/** The one place that says who an update goes to: consenting, confirmed, shown, not erased, not refused by their server, in its audience. */
function audienceOf (appealId: SQL | string, countries: string[], kinds: UpdateKind[]): SQL {
  const conditions = [
    sql`${signatures.appealId} = ${appealId}::uuid`,
    sql`${signatures.status} = 'confirmed'`,
    sql`${signatures.contact}`,
    sql`${signatures.hiddenAt} is null`,
    sql`${signatures.anonymisedAt} is null`,
    sql`${signatures.emailHash} is not null`,
    sql`not exists (select 1 from ${mailSuppressions} where ${mailSuppressions.emailHash} = ${signatures.emailHash})`
  ]
  if (countries.length > 0) conditions.push(sql`${signatures.country} = any(${textArray(countries)})`)
  if (kinds.length > 0) conditions.push(sql`${signatures.kind}::text = any(${textArray(kinds)})`)
  return sql.join(conditions, sql` and `)
}

export interface UpdatesOptions {
  i18n: i18n
  sender: MailSender
  siteUrl: string
  /** Where updates are queued (background work's connections), if not `db`. */
  queueDb?: Database
  /** Called between two chunks of an update's recipients being queued (jobs/give-way.ts). */
  giveWay?: GiveWay
  /** Recipients queued per transaction. */
  queueingChunk?: number
}

export function createUpdatesService (db: Database, options: UpdatesOptions) {
  const chunk = options.queueingChunk ?? QUEUEING_CHUNK
  const siteName = new URL(options.siteUrl).host

  async function textsOf (id: string, executor: Executor = db): Promise<Record<string, UpdateText>> {
    const rows = await executor.select().from(updateTexts).where(eq(updateTexts.updateId, id)).orderBy(asc(updateTexts.language))
    return Object.fromEntries(rows.map((r) => [r.language, { subject: r.subject, body: r.body }]))
  }

  async function progressOf (id: string): Promise<Progress> {
    const rows = await db.select({ status: mailOutbox.status, n: sql<number>`count(*)::int` }).from(mailOutbox)
      .where(eq(mailOutbox.updateId, id)).groupBy(mailOutbox.status)
    const progress: Progress = { queued: 0, sent: 0, failed: 0, cancelled: 0 }
    for (const row of rows) progress[row.status] = Number(row.n)
    return progress
  }

  async function find (appeal: Appeal, id: string, executor: Executor = db): Promise<Update> {
    const [row] = await executor.select().from(updates).where(and(eq(updates.id, id), eq(updates.appealId, appeal.id)))
    if (row === undefined) throw appError('UPDATE_NOT_FOUND')
    return row
  }

  function checkTexts (appeal: Appeal, texts: Record<string, UpdateText>): void {
    const unknown = Object.keys(texts).find((language) => !languages.includes(language))
    if (unknown !== undefined) throw invalidFields({ [`texts.${unknown}`]: { key: 'language' } })
    const original = texts[appeal.originalLanguage]
    if (original === undefined || original.subject.trim() === '' || original.body.trim() === '') throw appError('UPDATE_ORIGINAL_REQUIRED', { language: appeal.originalLanguage })
  }

  async function writeTexts (tx: Executor, id: string, texts: Record<string, UpdateText>): Promise<void> {
    await tx.delete(updateTexts).where(eq(updateTexts.updateId, id))
    const rows = Object.entries(texts).filter(([, t]) => t.subject.trim() !== '' || t.body.trim() !== '')
      .map(([language, t]) => ({ updateId: id, language, subject: t.subject, body: t.body }))
    if (rows.length > 0) await tx.insert(updateTexts).values(rows)
  }

  /** An update's text in a language, else in the appeal's original (which it always has). */
  function textFor (texts: Record<string, UpdateText>, original: string, language: string): RenderedUpdate | undefined {
    const own = texts[language]
    if (own !== undefined) return renderUpdate(language, own)
    const fallback = texts[original]
    return fallback === undefined ? undefined : renderUpdate(original, fallback)
  }

  // What the mail worker writes update mails from: texts do not change once an update is sent, so
  // each update's are read and rendered once per process.
  const rendered = new Map<string, { original: string, byLanguage: Map<string, RenderedUpdate | undefined>, texts: Record<string, UpdateText> }>()
  const mailTexts: Pick<MailTexts, 'update'> = {
    async update (updateId: string, language: string, footer: MailFooter, name: string | null) {
      let entry = rendered.get(updateId)
      if (entry === undefined) {
        const [row] = await db.select({ original: sql<string>`(select original_language from appeals where appeals.id = ${updates.appealId})` })
          .from(updates).where(eq(updates.id, updateId))
        if (row === undefined) return undefined
        if (rendered.size > 100) rendered.clear()
        entry = { original: row.original, byLanguage: new Map(), texts: await textsOf(updateId) }
        rendered.set(updateId, entry)
      }
      if (!entry.byLanguage.has(language)) entry.byLanguage.set(language, textFor(entry.texts, entry.original, language))
      const text = entry.byLanguage.get(language)
      return text === undefined ? undefined : composeUpdate(options.i18n, text, footer, name)
    }
  }

  return {
    mailTexts,

    async list (appeal: Appeal): Promise<Array<Update & { subject: string }>> {
      const rows = await db.select({ update: updates, subject: updateTexts.subject }).from(updates)
        .leftJoin(updateTexts, and(eq(updateTexts.updateId, updates.id), eq(updateTexts.language, appeal.originalLanguage)))
        .where(eq(updates.appealId, appeal.id)).orderBy(desc(updates.createdAt))
      return rows.map((r) => ({ ...r.update, subject: r.subject ?? '' }))
    },

    async get (appeal: Appeal, id: string): Promise<UpdateDetail> {
      const update = await find(appeal, id)
      return { ...update, texts: await textsOf(id), progress: await progressOf(id) }
    },

    async create (appeal: Appeal, who: SignedIn, input: UpdateInput): Promise<UpdateDetail> {
      checkTexts(appeal, input.texts)
      const id = await db.transaction(async (tx) => {
        const [created] = await tx.insert(updates)
          .values({ appealId: appeal.id, countries: input.countries ?? [], kinds: input.kinds ?? [], createdBy: who.id })
          .returning({ id: updates.id })
        await writeTexts(tx, created!.id, input.texts)
        return created!.id
      })
      return this.get(appeal, id)
    },

    /** Changes a draft (once scheduled or sent, an update is what its recipients get). */
    async change (appeal: Appeal, id: string, input: UpdateInput): Promise<UpdateDetail> {
      checkTexts(appeal, input.texts)
      await db.transaction(async (tx) => {
        const [changed] = await tx.update(updates).set({ countries: input.countries ?? [], kinds: input.kinds ?? [], updatedAt: sql`now()` })
          .where(and(eq(updates.id, id), eq(updates.appealId, appeal.id), eq(updates.status, 'draft'))).returning({ id: updates.id })
        if (changed === undefined) {
          await find(appeal, id, tx)
          throw appError('UPDATE_LOCKED')
        }
        await writeTexts(tx, id, input.texts)
      })
      return this.get(appeal, id)
    },

    /** How many people the update would reach now. */
    async audienceSize (appeal: Appeal, update: Pick<Update, 'countries' | 'kinds'>): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(signatures).where(audienceOf(appeal.id, update.countries, update.kinds))
      return Number(row?.n ?? 0)
    },

    /** The update as one language's readers get it (the original where it has no text in that language). */
    async preview (appeal: Appeal, id: string, language: string, name: string | null) {
      const texts = await textsOf((await find(appeal, id)).id)
      const text = textFor(texts, appeal.originalLanguage, language)
      if (text === undefined) throw appError('UPDATE_ORIGINAL_REQUIRED', { language: appeal.originalLanguage })
      const here = `${options.siteUrl}/admin/appeals/${appeal.slug}/updates/${id}`
      return composeUpdate(options.i18n, text, { language, removeUrl: here, unsubscribeUrl: here, siteName }, name)
    },

    /** Sends the update, as `language`'s readers get it, to the organiser alone (straight away, not through the queue). */
    async sendTest (appeal: Appeal, id: string, who: SignedIn, language: string) {
      const mail = await this.preview(appeal, id, language, who.name)
      const subject = options.i18n.getFixedT(language, 'updates')('mail.testSubject', { subject: mail.subject })
      await options.sender.send({ to: who.email, ...mail, subject, language, link: `${options.siteUrl}/admin/appeals/${appeal.slug}/updates/${id}`, unsubscribeUrl: `${options.siteUrl}/admin/appeals/${appeal.slug}/updates/${id}` })
    },

    /** Sends a draft now, or at `at`: the queueing loop (`queueDue`) takes it from there. */
    async send (appeal: Appeal, id: string, at?: Date): Promise<UpdateDetail> {
      const [sent] = await db.update(updates).set({ status: 'scheduled', scheduledAt: at ?? sql`now()`, updatedAt: sql`now()` })
        .where(and(eq(updates.id, id), eq(updates.appealId, appeal.id), eq(updates.status, 'draft'))).returning({ id: updates.id })
      if (sent === undefined) {
        await find(appeal, id)
        throw appError('UPDATE_LOCKED')
      }
      return this.get(appeal, id)
    },

    /** Stops sending (or the schedule): mails already queued wait, nothing new goes out. */
    async pause (appeal: Appeal, id: string): Promise<UpdateDetail> {
      const [paused] = await db.update(updates).set({ status: 'paused', updatedAt: sql`now()` })
        .where(and(eq(updates.id, id), eq(updates.appealId, appeal.id), inArray(updates.status, ['scheduled', 'sending']))).returning({ id: updates.id })
      if (paused === undefined) {
        await find(appeal, id)
        throw appError('UPDATE_LOCKED')
      }
      return this.get(appeal, id)
    },

    /** Goes on where it stopped: sending if it was queued, else waiting for its time. */
    async resume (appeal: Appeal, id: string): Promise<UpdateDetail> {
      const [resumed] = await db.update(updates).set({ status: sql`case when ${updates.queuedAt} is null then 'scheduled' else 'sending' end::update_status`, updatedAt: sql`now()` })
        .where(and(eq(updates.id, id), eq(updates.appealId, appeal.id), eq(updates.status, 'paused'))).returning({ id: updates.id })
      if (resumed === undefined) {
        await find(appeal, id)
        throw appError('UPDATE_LOCKED')
      }
      return this.get(appeal, id)
    },

    /**
     * Queues the mail of every update whose time has come, one update at a time, in chunks of
     * recipients taken in the order of their signatures: each chunk is one set-based INSERT ... SELECT,
     * in a transaction that holds the update's row (so no other instance writes the same chunk) and
     * turns it to 'sending' (its mail goes out while the rest is queued). Each recipient is written in
     * their language where the update has it, else the original. A crash loses no more than a chunk,
     * which the next run writes again (it goes on after the last signature queued); the last chunk
     * records how many recipients there are. Returns how many mails were queued.
     */
    async queueDue (): Promise<number> {
      let total = 0
      for (;;) {
        const began = performance.now()
        // On background work's connections: queueing a large audience takes a while.
        const step = await (options.queueDb ?? db).transaction(async (tx) => {
          const [due] = await selectRows<{ id: string, appeal_id: string, countries: string[], kinds: UpdateKind[], original: string }>(tx, sql`
            update ${updates} set status = 'sending', queued_at = coalesce(queued_at, now()), updated_at = now()
            where id = (select id from ${updates} where (status = 'scheduled' and scheduled_at <= now()) or (status = 'sending' and recipients is null)
              order by scheduled_at limit 1 for update skip locked)
            returning id, appeal_id, countries, kinds, (select original_language from appeals where appeals.id = ${updates.appealId}) as original`)
          if (due === undefined) return undefined
          await tx.execute(sql.raw(`set local statement_timeout = ${QUEUEING_TIMEOUT_MS}`))
          const languages = Object.keys(await textsOf(due.id, tx))
          const [queued] = await selectRows<{ n: number, taken: number }>(tx, sql`
            with chunk as (
              select ${signatures.appealId} as appeal_id, ${signatures.id} as signature_id, ${signatures.locale} as locale from ${signatures}
              where ${audienceOf(due.appeal_id, due.countries, due.kinds)}
                and ${signatures.id} > coalesce((select max(signature_id) from ${mailOutbox} where update_id = ${due.id}::uuid), 0)
              order by ${signatures.id} limit ${chunk}),
            queued as (
              insert into ${mailOutbox} (kind, appeal_id, signature_id, language, update_id)
              select 'update', appeal_id, signature_id, case when locale = any(${textArray(languages)}) then locale else ${due.original}::text end, ${due.id}::uuid
              from chunk
              on conflict (update_id, signature_id) where update_id is not null do nothing
              returning 1)
            select (select count(*)::int from queued) as n, (select count(*)::int from chunk) as taken`)
          const n = Number(queued?.n ?? 0)
          const last = Number(queued?.taken ?? 0) < chunk
          if (last) {
            await tx.update(updates).set({ recipients: sql`(select count(*)::int from ${mailOutbox} where ${mailOutbox.updateId} = ${due.id}::uuid)` })
              .where(eq(updates.id, due.id))
          }
          return { n, last }
        })
        if (step === undefined) return total
        total += step.n
        if (!step.last) await options.giveWay?.(began)
      }
    }
  }
}

export type UpdatesService = ReturnType<typeof createUpdatesService>
