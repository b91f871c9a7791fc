import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { eq } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'
import type { Sealer } from '../secrets/sealing.js'
import { openPersonal } from '../signatures/personal-fields.js'
import type { ClaimedDelivery, Webhooks } from './service.js'
import { signedHeaders } from './signing.js'

const REQUEST_TIMEOUT_MS = 15_000

export interface WebhookWorkerOptions {
  db: Database
  webhooks: Webhooks
  sealer: Sealer
  log: FastifyBaseLogger
  /** Whether endpoints may be on loopback or private addresses (WEBHOOKS_ALLOW_PRIVATE). */
  allowPrivate: boolean
  fetch?: typeof fetch
  now?: () => Date
  batchSize?: number
}

export interface WebhookRun { delivered: number, retried: number, failed: number, cancelled: number }

/** Loopback, private, link-local (cloud metadata) and unspecified addresses: no webhook is sent there. */
export function isPrivateAddress (address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  if (isIP(v4) === 4) {
    const [a = 0, b = 0] = v4.split('.').map(Number)
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)
  }
  const v6 = address.toLowerCase()
  return v6 === '::' || v6 === '::1' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80')
}

/**
 * Sends due deliveries: the Standard Webhooks body and headers, signed with the endpoint's secret (and
 * its previous one during a rotation). A 2xx answer is a delivery; anything else, or no answer within
 * 15 s, is tried again on the schedule (service.ts). A signature's personal fields are read when it is
 * sent, and only where the endpoint asks for them and the signer agreed to be contacted: a signature
 * erased meanwhile sends none.
 */
export function createWebhookWorker (o: WebhookWorkerOptions) {
  const batchSize = o.batchSize ?? 10
  const send = o.fetch ?? fetch
  const now = o.now ?? (() => new Date())

  async function personalOf (signatureId: number): Promise<Record<string, string | null> | undefined> {
    const [row] = await o.db.select().from(signatures).where(eq(signatures.id, signatureId)).limit(1)
    if (row === undefined || row.status === 'erased' || row.anonymisedAt !== null || !row.contact) return undefined
    const { email, name, city, organisation, role } = openPersonal(o.sealer, row)
    return { email, name, city, organisation, role }
  }

  async function refusedAddress (url: URL): Promise<string | undefined> {
    if (o.allowPrivate) return undefined
    if (url.protocol !== 'https:') return 'not https'
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const addresses = isIP(host) !== 0 ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address)
    return addresses.some(isPrivateAddress) ? 'a private address' : undefined
  }

  async function deliver (delivery: ClaimedDelivery, run: WebhookRun): Promise<void> {
    const endpoint = await o.webhooks.secretsOf(delivery.endpointId)
    if (endpoint === undefined) {
      await o.webhooks.cancel(delivery, 'endpoint disabled')
      run.cancelled++
      return
    }
    const personal = endpoint.includePersonal && delivery.signatureId !== null ? await personalOf(delivery.signatureId) : undefined
    const data = personal === undefined ? delivery.data : { ...delivery.data, signature: { ...(delivery.data.signature as object), ...personal } }
    const body = JSON.stringify({ type: delivery.type, timestamp: delivery.createdAt.toISOString(), data })
    let failure: { statusCode?: number, error: string }
    try {
      const url = new URL(endpoint.url)
      const refused = await refusedAddress(url)
      if (refused !== undefined) {
        failure = { error: `refused: ${refused}` }
      } else {
        const response = await send(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'Solidaria-Webhooks', ...signedHeaders(endpoint.secrets, delivery.messageId, now(), body) },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
        })
        await response.body?.cancel()
        if (response.status >= 200 && response.status < 300) {
          await o.webhooks.markDelivered(delivery, response.status)
          run.delivered++
          return
        }
        failure = { statusCode: response.status, error: `answered ${response.status}` }
      }
    } catch (err) {
      failure = { error: String((err as Error)?.message ?? err) }
    }
    const retry = await o.webhooks.markFailed(delivery, failure)
    o.log.warn({ delivery: delivery.id, attempts: delivery.attempts, retry }, `webhook delivery ${delivery.id} failed: ${failure.error}`)
    if (retry) run.retried++
    else run.failed++
  }

  return {
    /** Sends what is due now (while `active` says to go on); returns what happened. */
    async runOnce (active: () => boolean = () => true): Promise<WebhookRun> {
      const run: WebhookRun = { delivered: 0, retried: 0, failed: 0, cancelled: 0 }
      while (active()) {
        const batch = await o.webhooks.claim(batchSize)
        await Promise.all(batch.map((delivery) => deliver(delivery, run)))
        if (batch.length < batchSize) break
      }
      return run
    }
  }
}

export type WebhookWorker = ReturnType<typeof createWebhookWorker>
