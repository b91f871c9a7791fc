import { randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import nodemailer from 'nodemailer'
import { paths, siteUrl, type Config } from '../config.js'

/** A finished mail, ready to go. */
export interface OutgoingMail {
  to: string
  subject: string
  text: string
  html: string
  language: string
  /** The link the mail is for (confirm, say); logged when mail is written to files, so it can be followed. */
  link: string
  /**
   * The signer's one-click unsubscribe link (RFC 8058): in List-Unsubscribe, and visible in the mail. Absent
   * from a mail that is only the answer to what its reader did (a report to the fund, an event they submitted).
   */
  unsubscribeUrl?: string
}

/** A mail as delivered in memory (tests, and a throw-away embedded instance): the fields and the raw message. */
export interface DeliveredMail extends OutgoingMail { raw: string }

export interface MailSender {
  /** Where mail goes: an SMTP server, .eml files in DATA_DIR/outbox, or memory. */
  readonly mode: 'smtp' | 'files' | 'memory'
  send: (mail: OutgoingMail) => Promise<void>
  /** What was sent, in memory mode (empty otherwise). */
  readonly delivered: DeliveredMail[]
  close: () => void
}

// SMTP_URL sends through that server (nodemailer). Without it, the embedded default writes each mail as
// an .eml file into DATA_DIR/outbox and logs its link, so that someone trying Solidaria out can follow
// it; a throw-away database (DATA_DIR=memory://) keeps mail in memory.
export function createMailSender (config: Config, log: FastifyBaseLogger): MailSender {
  // Under the host people know the site by, not the machine's name (nodemailer's default is localhost's).
  const messageHost = new URL(siteUrl(config)).hostname
  const message = (mail: OutgoingMail) => ({
    from: config.MAIL_FROM,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: `<${randomUUID()}@${messageHost}>`,
    headers: {
      'Content-Language': mail.language,
      'Auto-Submitted': 'auto-generated',
      // RFC 8058: a mail client offers its own unsubscribe button and POSTs "List-Unsubscribe=One-Click" to the link.
      ...(mail.unsubscribeUrl !== undefined && {
        'List-Unsubscribe': `<${mail.unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click'
      })
    }
  })
  const delivered: DeliveredMail[] = []

  if (config.SMTP_URL !== undefined) {
    // Timeouts that add up to well within the outbox's lease, so that a hung server cannot make two
    // workers send one mail. Pooled: a few connections kept open and reused, each carrying one mail
    // at a time, so that the worker's several mails in flight do not each open a connection.
    const transport = nodemailer.createTransport({
      url: config.SMTP_URL,
      pool: true,
      maxConnections: config.MAIL_SMTP_CONNECTIONS,
      maxMessages: 1000,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000
    })
    return {
      mode: 'smtp',
      delivered,
      async send (mail) { await transport.sendMail(message(mail)) },
      close () { transport.close() }
    }
  }

  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  const raw = async (mail: OutgoingMail): Promise<string> => {
    const info = await composer.sendMail(message(mail))
    return (info.message as Buffer).toString('utf8')
  }
  const dataDir = paths.dataDir(config)
  if (dataDir === 'memory://') {
    return {
      mode: 'memory',
      delivered,
      async send (mail) { delivered.push({ ...mail, raw: await raw(mail) }) },
      close () {}
    }
  }
  const folder = join(dataDir, 'outbox')
  return {
    mode: 'files',
    delivered,
    async send (mail) {
      mkdirSync(folder, { recursive: true, mode: 0o700 })
      const file = join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`)
      writeFileSync(file, await raw(mail), { mode: 0o600 })
      log.info({ file }, `No SMTP_URL: mail written to ${file}. Its link: ${mail.link}`)
    },
    close () {}
  }
}

/** Whether a sending error is a mail server's refusal for good (5xx): the address is not to be tried again. */
export function isPermanentRefusal (err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode
  return typeof code === 'number' && code >= 500 && code < 600
}
