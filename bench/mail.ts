import { spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Result } from 'autocannon'
import type postgres from 'postgres'
import { SMTPServer } from 'smtp-server'
import { load, type Placement } from './load.js'

// Mail at the speed of signing (issue 15), against a local SMTP server this process starts, which
// accepts every mail and discards it:
// (4) mails per second delivered by one instance's worker, and by a bare nodemailer pool (the same
//     connections and mails in flight) sending mails of the same size to the same server;
// (5) the confirmation backlog after signing at a fixed rate (open loop) with the worker on;
// (6) signing throughput while an update to every loaded signer is queued and sent, against signing alone.

export interface MailBenchOptions {
  sql: postgres.Sql
  /** Starts a Solidaria instance with these settings added; returns its URL and a stop function. */
  startApp: (env: Record<string, string>) => Promise<{ url: string, stop: () => Promise<void> }>
  token: string
  slug: string
  confirmSlug: string
  seconds: number
  backlogSeconds: number
  backlogRate: number
  connections: number
  placement: Placement
}

export interface MailBenchResult {
  workerRate: number
  bareRate: number
  backlogMails: number
  backlogSeconds: number
  signedAtRate: number
  alone: Result
  during: Result
  recipients: number
  sentDuring: number
  queueingSeconds: number | undefined
  notes: string[]
}

const SMTP_CONNECTIONS = 5
const IN_FLIGHT = 40

function sink () {
  let count = 0
  let bytes = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData (stream, _session, callback) {
      stream.on('data', (chunk: Buffer) => { bytes += chunk.length })
      stream.on('end', () => { count++; callback() })
    }
  })
  return {
    server,
    get count () { return count },
    get bytes () { return bytes },
    async listen (): Promise<number> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      return (server.server.address() as AddressInfo).port
    }
  }
}

/** Mails per second arriving at the sink over `seconds`, after a second's warm-up. */
async function rateOver (smtp: ReturnType<typeof sink>, seconds: number): Promise<number> {
  await sleep(1000)
  const [from, began] = [smtp.count, performance.now()]
  await sleep(seconds * 1000)
  return (smtp.count - from) / ((performance.now() - began) / 1000)
}

const api = async (url: string, token: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(url + path, {
    method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) })
  })
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<any>
}

export async function mailBench (o: MailBenchOptions): Promise<MailBenchResult> {
  const smtp = sink()
  const port = await smtp.listen()
  const notes: string[] = []
  // Every loaded signer agrees to be contacted: the update's audience is all of them.
  await o.sql`update signatures set contact = true where not contact`
  // The confirmation mails of the earlier signing measurements (made with the worker off) are not these
  // measurements': left queued, the worker would send them first (confirmations before updates, oldest
  // first) while signing during the update is measured, and count them as backlog. Set aside, so that the
  // mail measurements start from an empty queue.
  const leftOver = await o.sql`update mail_outbox set status = 'cancelled' where status = 'queued' returning id`
  notes.push(`(4-6) ${fmt(leftOver.count)} mails left queued by the earlier measurements were set aside (cancelled) first.`)
  await o.sql`vacuum (analyze) signatures`
  const appEnv = {
    BACKGROUND_JOBS: 'true', SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_URL: 'https://bench.example.org', MAIL_POLL_MS: '200',
    MAIL_SMTP_CONNECTIONS: String(SMTP_CONNECTIONS), MAIL_IN_FLIGHT: String(IN_FLIGHT), MAIL_MAX_PER_DAY: '100'
  }
  try {
    const app = await o.startApp(appEnv)
    try {
      // (6a) signing alone, the worker idle.
      const signOptions = { url: `${app.url}/api/appeals/${o.slug}/signatures`, connections: o.connections, signs: true }
      await load(o.placement, { ...signOptions, duration: 2 })
      const alone = await load(o.placement, { ...signOptions, duration: o.seconds })

      // (6b) and (4): an update to everyone, queued by set-based INSERT ... SELECTs (a chunk of recipients each) and sent while signing goes on.
      const [{ n: recipients } = { n: 0 }] = await o.sql<Array<{ n: number }>>`select count(*)::int as n from signatures s join appeals a on a.id = s.appeal_id
        where a.slug = ${o.slug} and s.status = 'confirmed' and s.contact and s.hidden_at is null`
      const update = await api(app.url, o.token, 'POST', `/api/admin/appeals/${o.slug}/updates`, {
        texts: { en: { subject: 'We delivered the signatures', body: 'Thank you all. **The hearing is on Friday**: [details](https://example.org/hearing).\n\n- Bring a friend\n- Share the appeal' } }
      })
      const sentBefore = smtp.count
      const began = performance.now()
      await api(app.url, o.token, 'POST', `/api/admin/appeals/${o.slug}/updates/${update.id}/send`, {})
      let queueingSeconds: number | undefined
      const watch = (async () => {
        for (let i = 0; i < 600 && queueingSeconds === undefined; i++) {
          const [row] = await o.sql<Array<{ recipients: number | null }>>`select recipients from updates where id = ${update.id}`
          if (row?.recipients != null) queueingSeconds = (performance.now() - began) / 1000
          else await sleep(200)
        }
      })()
      const during = await load(o.placement, { ...signOptions, duration: o.seconds })
      const sentDuring = smtp.count - sentBefore
      // The worker's rate once the update is all queued (while it is, its mails are not yet claimable).
      await watch
      const workerRate = await rateOver(smtp, o.seconds)
      notes.push(`(6) the update to ${fmt(recipients)} was queued (INSERT ... SELECTs of 10,000 recipients each, giving way to signing between them) in ${queueingSeconds === undefined ? 'more than the run' : `${fmt(queueingSeconds, 1)} s`}; ` +
        `${fmt(sentDuring)} of its mails went out during the ${o.seconds} s of signing; signing alone ${fmt(alone.requests.average)} req/s (p99 ${alone.latency.p99} ms), during ${fmt(during.requests.average)} req/s (p99 ${during.latency.p99} ms).`)
      await api(app.url, o.token, 'POST', `/api/admin/appeals/${o.slug}/updates/${update.id}/pause`)

      // (4b) the bare pool, in a process of its own (as the worker is in the app's): the same connections and
      // mails in flight, mails of the same average size.
      const size = Math.max(1000, Math.round(smtp.bytes / Math.max(1, smtp.count)))
      const [command, args] = o.placement.node('server', ['--import=tsx', join(import.meta.dirname, 'bare-mail.ts')])
      const bare = spawn(command, args, {
        env: { ...process.env, PORT: String(port), SIZE: String(size), CONNECTIONS: String(SMTP_CONNECTIONS), IN_FLIGHT: String(IN_FLIGHT) }, stdio: ['ignore', 'inherit', 'inherit']
      })
      const bareExited = new Promise((resolve) => bare.once('exit', resolve))
      await sleep(1500) // its start-up, and the worker's paused batches finishing
      const [bareFrom, bareBytes] = [smtp.count, smtp.bytes]
      const bareRate = await rateOver(smtp, o.seconds)
      notes.push(`(4) the worker's mails averaged ${fmt(size)} bytes, the bare pool's ${fmt((smtp.bytes - bareBytes) / Math.max(1, smtp.count - bareFrom))}.`)
      bare.kill('SIGTERM')
      await bareExited

      // (5) confirmation backlog: a fixed rate of signatures needing confirmation, open loop, worker on.
      await o.sql`update mail_outbox set status = 'cancelled' where update_id = ${update.id}::uuid and status = 'queued'`
      const backlogRun = await load(o.placement, {
        url: `${app.url}/api/appeals/${o.confirmSlug}/signatures`, connections: Math.max(50, o.connections), overallRate: o.backlogRate, duration: o.backlogSeconds, signs: true
      })
      const [{ n: backlogMails } = { n: 0 }] = await o.sql<Array<{ n: number }>>`select count(*)::int as n from mail_outbox where status = 'queued' and update_id is null`
      const confirmRate = workerRate > 0 ? workerRate : 1
      notes.push(`(5) ${fmt(backlogRun.requests.total)} signatures sent at a target of ${o.backlogRate}/s for ${o.backlogSeconds} s (achieved ${fmt(backlogRun.requests.average)}/s, ` +
        `${backlogRun.non2xx} non-2xx, ${backlogRun.errors} errors); ${fmt(backlogMails)} confirmation mails still queued at the end.`)
      return {
        workerRate, bareRate, backlogMails, backlogSeconds: backlogMails / confirmRate, signedAtRate: backlogRun.requests.average,
        alone, during, recipients, sentDuring, queueingSeconds, notes
      }
    } finally {
      await app.stop()
    }
  } finally {
    await new Promise<void>((resolve) => { smtp.server.close(() => resolve()) })
  }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
