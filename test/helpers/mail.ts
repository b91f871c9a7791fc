import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import type { DeliveredMail } from '../../src/mail/transport.js'
import type { TestContext } from './app.js'

/** Runs the app's mail worker once (tests start no background loop) and returns every mail it has delivered so far. */
export async function deliverMail (app: FastifyInstance): Promise<DeliveredMail[]> {
  await app.services.mail.worker.runOnce()
  return app.mailSender.delivered
}

/** The mails delivered to this address. */
export const mailsTo = (app: FastifyInstance, address: string): DeliveredMail[] => app.mailSender.delivered.filter((m) => m.to === address.toLowerCase())

/** The first link in a mail's text whose path starts with `path` ('/confirm/', '/remove/'). */
export function linkIn (text: string, path: string): URL {
  const match = new RegExp(`https?://\\S+${path.replace(/\//g, '\\/')}\\S+`).exec(text)
  if (match === null) throw new Error(`no ${path} link in:\n${text}`)
  return new URL(match[0])
}

/** The path and query of a link, as app.inject takes it. */
export const pathOf = (url: URL): string => url.pathname + url.search

export interface TestSmtpServer {
  url: string
  messages: ParsedMail[]
  /** Refuses the next `n` recipients with a temporary error (451), as a busy server would. */
  refuseNext: (n: number) => void
  /** Resolves once `n` messages have arrived (or rejects after `withinMs`). */
  received: (n: number, withinMs?: number) => Promise<ParsedMail[]>
}

/** A real SMTP server on a loopback port, keeping what it receives; closed when the test ends. */
export async function smtpServer (t: TestContext): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = []
  let refusals = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo (_address, _session, callback) {
      if (refusals > 0) {
        refusals--
        const err = Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 })
        callback(err)
        return
      }
      callback()
    },
    onData (stream, _session, callback) {
      simpleParser(stream).then((parsed) => { messages.push(parsed); callback() }, callback)
    }
  })
  // A sender killed in the middle of a mail (the crash tests do it) resets its connection: smtp-server reports
  // that as an 'error' event, which without a listener would end the test process.
  server.on('error', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()) }))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuseNext: (n) => { refusals = n },
    async received (n, withinMs = 30_000) {
      const deadline = Date.now() + withinMs
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`${messages.length} of ${n} messages arrived within ${withinMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return messages
    }
  }
}
