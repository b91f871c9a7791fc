import { eq, sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { i18n } from 'i18next'
import { chooseText } from '../appeals/choose-text.js'
import type { Appeal, AppealsService } from '../appeals/service.js'
import { createSlugCache } from '../appeals/slug-cache.js'
import { selectRows, type Database } from '../db/connection.js'
import { appeals, mailSuppressions, signatures } from '../db/schema.js'
import type { Sealer } from '../secrets/sealing.js'
import { openPersonal } from '../signatures/personal-fields.js'
import type { GiveWay } from './give-way.js'
import { composeMail, type MailFooter } from '../mail/messages.js'
import { storableError, type ClaimedMail, type Outbox } from '../mail/outbox.js'
import { isPermanentRefusal, type MailSender, type OutgoingMail } from '../mail/transport.js'

type Signature = typeof signatures.$inferSelect
type Written = { subject: string, text: string, html: string }

/** What the worker asks of the domains whose texts it sends (updates/): it imports none of them. */
export interface MailTexts {
  /** An update's mail in `language` (or its original), written for one signer; undefined if it has no text. */
  update: (updateId: string, language: string, footer: MailFooter, name: string | null) => Promise<Written | undefined>
  /** The organisers' paragraph for an appeal's confirmation mail in `language`, if they wrote one. */
  confirmNote: (appealId: string, language: string) => Promise<{ text: string, language: string } | undefined>
}

export interface MailWorkerOptions {
  db: Database
  appeals: AppealsService
  outbox: Outbox
  sender: MailSender
  sealer: Sealer
  i18n: i18n
  log: FastifyBaseLogger
  /** The address links in mails start with (PUBLIC_URL). */
  siteUrl: string
  ttlDays: number
  /** The signed link with which a signature's owner removes it. */
  removalPath: (signatureId: number) => string
  /** The signed link with which a signature's owner stops mail about its appeal. */
  unsubscribePath: (signatureId: number) => string
  texts?: MailTexts
  /** Mails a claim takes (by default half of `inFlight`). */
  batchSize?: number
  /** Writes a mail about a contribution to an appeal's fund (src/fund/), or says why there is none to send. */
  prepareFundMail?: (mail: ClaimedMail) => Promise<OutgoingMail | string>
  /** Mails being sent at once: this many divided by the batch size claim and send side by side. */
  inFlight?: number
  /** Called after each batch of nothing but updates' mail (signings' mail is never held back): see jobs/give-way.ts. */
  giveWay?: GiveWay
}

export interface WorkerRun { sent: number, retried: number, failed: number, cancelled: number }

// How long an appeal's title and slug, as mails carry them, may be out of date.
const APPEAL_CACHE_MS = 5000

interface RecipientRow {
  id: string | number, status: Signature['status'], anonymised: boolean, contact: boolean, hidden: boolean, email_hash: string | null, suppressed: boolean
  sealed: string | null, legacy_email: string | null, name: string | null, city: string | null, organisation: string | null, role: string | null
}
/** What the worker needs of a signature to write to it, read as the mail is written. */
interface Recipient {
  id: number, status: Signature['status'], anonymised: boolean, contact: boolean, hidden: boolean, emailHash: string | null
  /** The address refused mail for good (a 5xx). */
  suppressed: boolean
  personal: Parameters<typeof openPersonal>[1]
}

type Prepared = { mail: ClaimedMail, emailHash: string | null, outgoing: OutgoingMail } | { mail: ClaimedMail, cancel: string }

/**
 * Sends queued mail: claims a batch, writes each mail from the signature as it is now (its owner's
 * address is opened only here), sends the batch's mails at once through the pooled transport, and
 * records the outcome. A failure is retried later with a growing delay; a refusal for good (5xx)
 * stops all mail to the address; a mail whose signature was erased, confirmed meanwhile, or (for an
 * update) no longer consents, is not sent. Every mail is claimed by one worker at a time.
 */
export function createMailWorker (o: MailWorkerOptions) {
  // Two lanes by default: while one lane's mails are on their way, the other claims and writes the next batch.
  const batchSize = o.batchSize ?? Math.max(10, Math.floor((o.inFlight ?? 20) / 2))
  const lanes = Math.max(1, Math.floor((o.inFlight ?? batchSize) / batchSize))
  const siteName = new URL(o.siteUrl).host

  const texts: MailTexts = o.texts ?? { update: async () => undefined, confirmNote: async () => undefined }

  // An appeal's row and texts, read at most every few seconds per appeal: confirmation mails go out at
  // the pace of signing, and the title they carry need not be fresher than that (as in updates/messages.ts).
  const appealCache = createSlugCache<{ appeal: Appeal, texts: Awaited<ReturnType<AppealsService['texts']>> }>({ ttlMs: APPEAL_CACHE_MS, maxKnown: 1000, maxUnknown: 100 })
  async function appealOf (appealId: string) {
    const hit = appealCache.get(appealId)
    if (hit.found) return hit.value
    const [appeal] = await o.db.select().from(appeals).where(eq(appeals.id, appealId))
    const entry = appeal === undefined ? undefined : { appeal, texts: await o.appeals.texts(appeal) }
    appealCache.set(appealId, entry)
    return entry
  }

  /** The signatures a batch is about, as they are now, with whether their address refused mail for good: one query. */
  async function recipientsOf (batch: ClaimedMail[]): Promise<Map<number, Recipient>> {
    const ids = [...new Set(batch.flatMap((m) => m.signatureId === null ? [] : [m.signatureId]))]
    if (ids.length === 0) return new Map()
    const rows = await selectRows<RecipientRow>(o.db, sql`
      select ${signatures.id} as id, ${signatures.status} as status, ${signatures.anonymisedAt} is not null as anonymised, ${signatures.contact} as contact,
        ${signatures.hiddenAt} is not null as hidden, ${signatures.emailHash} as email_hash, ${signatures.sealed} as sealed, ${signatures.legacyEmail} as legacy_email,
        ${signatures.name} as name, ${signatures.city} as city, ${signatures.organisation} as organisation, ${signatures.role} as role,
        exists (select 1 from ${mailSuppressions} where ${mailSuppressions.emailHash} = ${signatures.emailHash}) as suppressed
      from ${signatures} where ${signatures.id} in ${ids}`)
    return new Map(rows.map((r) => [Number(r.id), {
      id: Number(r.id), status: r.status, anonymised: r.anonymised, contact: r.contact, hidden: r.hidden, emailHash: r.email_hash, suppressed: r.suppressed,
      personal: { sealed: r.sealed, legacyEmail: r.legacy_email, name: r.name, city: r.city, organisation: r.organisation, role: r.role }
    }]))
  }

  async function prepareBatch (batch: ClaimedMail[]): Promise<Prepared[]> {
    const found = await recipientsOf(batch)
    const prepared: Prepared[] = []
    for (const mail of batch) {
      try {
        // A mail about a contribution to the fund is written by the fund (src/fund/), from its own records.
        if (mail.contributionId !== null) {
          const written = o.prepareFundMail === undefined ? 'no fund mail writer' : await o.prepareFundMail(mail)
          prepared.push(typeof written === 'string' ? { mail, cancel: written } : { mail, emailHash: null, outgoing: written })
          continue
        }
        prepared.push(await prepare(mail, mail.signatureId === null ? undefined : found.get(mail.signatureId)))
      } catch (err) {
        // A value that cannot be opened (a key gone) fails this mail only.
        prepared.push({ mail, cancel: `not written: ${storableError(err)}` })
      }
    }
    return prepared
  }

  async function prepare (mail: ClaimedMail, signature: Recipient | undefined): Promise<Prepared> {
    if (signature === undefined) return { mail, cancel: 'signature deleted' }
    if (signature.status === 'erased' || signature.anonymised) return { mail, cancel: 'signature erased' }
    if (mail.kind === 'confirm' && signature.status !== 'pending') return { mail, cancel: 'already confirmed' }
    if (mail.kind === 'update' && (!signature.contact || signature.status !== 'confirmed' || signature.hidden)) return { mail, cancel: 'no longer to be contacted' }
    if (signature.suppressed) return { mail, cancel: 'address refused mail for good' }
    const personal = openPersonal(o.sealer, signature.personal)
    if (personal.email === null) return { mail, cancel: 'no address' }
    const known = await appealOf(mail.appealId)
    if (known === undefined) return { mail, cancel: 'appeal deleted' }
    const { appeal } = known
    const footer: MailFooter = {
      language: mail.language,
      removeUrl: `${o.siteUrl}${o.removalPath(signature.id)}?lang=${mail.language}`,
      unsubscribeUrl: `${o.siteUrl}${o.unsubscribePath(signature.id)}?lang=${mail.language}`,
      siteName
    }
    const appealUrl = `${o.siteUrl}/appeals/${appeal.slug}?lang=${mail.language}`
    const base = { to: personal.email, language: mail.language, unsubscribeUrl: footer.unsubscribeUrl }
    if (mail.kind === 'update') {
      const written = mail.updateId === null ? undefined : await texts.update(mail.updateId, mail.language, footer, personal.name)
      if (written === undefined) return { mail, cancel: 'the update has no text' }
      return { mail, emailHash: signature.emailHash, outgoing: { ...base, ...written, link: appealUrl } }
    }
    const { language: titleLanguage, text } = chooseText(appeal, known.texts, mail.language)
    const token = mail.sealed === null ? undefined : o.outbox.open(mail.sealed).token
    const confirmUrl = token === undefined ? undefined : `${o.siteUrl}/confirm/${token}?lang=${mail.language}`
    const note = mail.kind === 'confirm' ? await texts.confirmNote(appeal.id, mail.language) : undefined
    const content = composeMail(o.i18n, {
      kind: mail.kind,
      language: mail.language,
      title: text.title,
      titleLanguage,
      name: personal.name,
      ...(confirmUrl !== undefined && { confirmUrl }),
      ...(note !== undefined && { note }),
      appealUrl,
      removeUrl: footer.removeUrl,
      unsubscribeUrl: footer.unsubscribeUrl,
      siteName,
      ttlDays: o.ttlDays
    })
    return { mail, emailHash: signature.emailHash, outgoing: { ...base, ...content, link: confirmUrl ?? appealUrl } }
  }

  async function failed (mail: ClaimedMail, emailHash: string | null, err: unknown, run: WorkerRun): Promise<void> {
    if (isPermanentRefusal(err)) {
      await o.outbox.markRefused(mail, emailHash, err)
      o.log.warn({ mail: mail.id }, `mail ${mail.id} refused for good; no more mail goes to its address: ${storableError(err)}`)
      run.failed++
      return
    }
    const retry = await o.outbox.markFailed(mail, err)
    o.log.warn({ mail: mail.id, attempts: mail.attempts, retry }, `mail ${mail.id} not sent: ${storableError(err)}`)
    if (retry) run.retried++
    else run.failed++
  }

  /** Writes and sends one claimed batch, all its mails at once, and records what became of each. */
  async function deliverBatch (batch: ClaimedMail[], run: WorkerRun): Promise<void> {
    let prepared: Prepared[]
    try {
      prepared = await prepareBatch(batch)
    } catch (err) {
      for (const mail of batch) await failed(mail, null, err, run)
      return
    }
    const sent: ClaimedMail[] = []
    await Promise.all(prepared.map(async (p) => {
      if ('cancel' in p) {
        await o.outbox.cancel(p.mail, p.cancel)
        run.cancelled++
        return
      }
      try {
        await o.sender.send(p.outgoing)
      } catch (err) {
        await failed(p.mail, p.emailHash, err, run)
        return
      }
      sent.push(p.mail)
    }))
    await o.outbox.markSent(sent)
    run.sent += sent.length
  }

  async function lane (active: () => boolean, run: WorkerRun): Promise<void> {
    while (active()) {
      const began = performance.now()
      const batch = await o.outbox.claim(batchSize)
      if (batch.length > 0) await deliverBatch(batch, run)
      if (batch.length < batchSize) break
      // An update is not urgent; the people signing are.
      if (o.giveWay !== undefined && batch.every((m) => m.kind === 'update')) await o.giveWay(began)
    }
  }

  return {
    /** Sends the mail that is due now (while `active` says to go on: shutdown stops it between batches); returns what happened. */
    async runOnce (active: () => boolean = () => true): Promise<WorkerRun> {
      const run: WorkerRun = { sent: 0, retried: 0, failed: 0, cancelled: 0 }
      run.failed += await o.outbox.giveUpInterrupted()
      await Promise.all(Array.from({ length: lanes }, async () => lane(active, run)))
      await o.outbox.finishUpdates()
      return run
    }
  }
}

export type MailWorker = ReturnType<typeof createMailWorker>
