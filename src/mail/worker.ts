import { eq, getTableColumns } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { i18n } from 'i18next'
import { chooseText } from '../appeals/choose-text.js'
import type { AppealsService } from '../appeals/service.js'
import type { Database } from '../db/connection.js'
import { appeals, signatures } from '../db/schema.js'
import type { Sealer } from '../secrets/sealing.js'
import { openPersonal } from '../signatures/personal-fields.js'
import { composeMail } from './messages.js'
import { storableError, type ClaimedMail, type Outbox } from './outbox.js'
import type { MailSender, OutgoingMail } from './transport.js'

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
  batchSize?: number
  /** Writes a mail about a contribution to an appeal's fund (src/fund/), or says why there is none to send. */
  prepareFundMail?: (mail: ClaimedMail) => Promise<OutgoingMail | string>
}

export interface WorkerRun { sent: number, retried: number, failed: number, cancelled: number }

/**
 * Sends queued mail: claims a batch, writes each mail from the signature as it is now (its owner's
 * address is opened only here), sends it and records the outcome. A failure is retried later with a
 * growing delay; a mail whose signature was erased, or confirmed meanwhile, is not sent.
 */
export function createMailWorker (o: MailWorkerOptions) {
  // One mail a claim: its lease then only has to outlast one mail's sending.
  const batchSize = o.batchSize ?? 1

  async function prepare (mail: ClaimedMail): Promise<OutgoingMail | string> {
    if (mail.contributionId !== null) return o.prepareFundMail === undefined ? 'no fund mail writer' : o.prepareFundMail(mail)
    if (mail.signatureId === null) return 'nobody to write to'
    const [row] = await o.db.select({ signature: getTableColumns(signatures), appeal: getTableColumns(appeals) })
      .from(signatures).innerJoin(appeals, eq(appeals.id, signatures.appealId)).where(eq(signatures.id, mail.signatureId)).limit(1)
    if (row === undefined) return 'signature deleted'
    const { signature, appeal } = row
    if (signature.status === 'erased' || signature.anonymisedAt !== null) return 'signature erased'
    if (mail.kind === 'confirm' && signature.status !== 'pending') return 'already confirmed'
    const personal = openPersonal(o.sealer, signature)
    if (personal.email === null) return 'no address'
    const { language: titleLanguage, text } = chooseText(appeal, await o.appeals.texts(appeal), mail.language)
    const appealUrl = `${o.siteUrl}/appeals/${appeal.slug}?lang=${mail.language}`
    const token = mail.sealed === null ? undefined : o.outbox.open(mail.sealed).token
    const confirmUrl = token === undefined ? undefined : `${o.siteUrl}/confirm/${token}?lang=${mail.language}`
    const content = composeMail(o.i18n, {
      kind: mail.kind,
      language: mail.language,
      title: text.title,
      titleLanguage,
      name: personal.name,
      ...(confirmUrl !== undefined && { confirmUrl }),
      appealUrl,
      removeUrl: `${o.siteUrl}${o.removalPath(signature.id)}?lang=${mail.language}`,
      siteName: new URL(o.siteUrl).host,
      ttlDays: o.ttlDays
    })
    return { to: personal.email, ...content, language: mail.language, link: confirmUrl ?? appealUrl }
  }

  async function deliver (mail: ClaimedMail, run: WorkerRun): Promise<void> {
    try {
      const outgoing = await prepare(mail)
      if (typeof outgoing === 'string') {
        await o.outbox.cancel(mail, outgoing)
        run.cancelled++
        return
      }
      await o.sender.send(outgoing)
    } catch (err) {
      const retry = await o.outbox.markFailed(mail, err)
      o.log.warn({ mail: mail.id, attempts: mail.attempts, retry }, `mail ${mail.id} not sent: ${storableError(err)}`)
      if (retry) run.retried++
      else run.failed++
      return
    }
    await o.outbox.markSent(mail)
    run.sent++
  }

  return {
    /** Sends the mail that is due now (while `active` says to go on: shutdown stops it between mails); returns what happened. */
    async runOnce (active: () => boolean = () => true): Promise<WorkerRun> {
      const run: WorkerRun = { sent: 0, retried: 0, failed: 0, cancelled: 0 }
      while (active()) {
        const batch = await o.outbox.claim(batchSize)
        for (const mail of batch) await deliver(mail, run)
        if (batch.length < batchSize) break
      }
      return run
    }
  }
}

export type MailWorker = ReturnType<typeof createMailWorker>
