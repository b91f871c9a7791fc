import { randomUUID } from 'node:crypto'
import { and, desc, eq, sql } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import { selectRows, type Database, type Executor } from '../db/connection.js'
import { webhookDeliveries, webhookEndpoints } from '../db/schema.js'
import { appError } from '../errors/app-error.js'
import type { Sealer } from '../secrets/sealing.js'
import type { WebhookEvent, WebhookEventType } from './events.js'
import { newSecret } from './signing.js'

// An appeal's endpoints and the queue of deliveries to them. A delivery is queued in the database (in
// the transaction of what it reports, where there is one) and claimed by any instance's worker with
// FOR UPDATE SKIP LOCKED and a lease, as mail is: only the claim holding it may record its outcome, and
// a delivered one is never claimed again. An event is queued once per endpoint (a unique key), and
// keeps its Standard Webhooks id on every attempt, so a receiver can drop a repeat after a crash.

export type WebhookEndpoint = Omit<typeof webhookEndpoints.$inferSelect, 'secretSealed' | 'previousSecretSealed'>
export type WebhookDelivery = Omit<typeof webhookDeliveries.$inferSelect, 'claimedBy' | 'lockedUntil' | 'data'>

export interface EndpointInput { url: string, events: WebhookEventType[], includePersonal?: boolean }

export interface ClaimedDelivery {
  id: number
  endpointId: string
  messageId: string
  type: WebhookEventType
  data: Record<string, unknown>
  signatureId: number | null
  attempts: number
  createdAt: Date
  claim: string
}

// Longer than one delivery may take (its request times out after 15 s).
const LEASE_SECONDS = 60
// Standard Webhooks' suggested schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000]
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1
// After a rotation the previous secret signs too for a day, so a receiver can change over.
const PREVIOUS_SECRET_HOURS = 24
// Finished deliveries are kept a month for the log.
const KEEP_DAYS = 30
// Which appeals have an endpoint, as this instance last read it: signing on any other costs nothing more.
const ENDPOINTS_CACHE_MS = 5000

const endpointColumns = {
  id: webhookEndpoints.id, appealId: webhookEndpoints.appealId, url: webhookEndpoints.url, events: webhookEndpoints.events,
  includePersonal: webhookEndpoints.includePersonal, enabled: webhookEndpoints.enabled,
  previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt, createdAt: webhookEndpoints.createdAt
}

export function createWebhooks (db: Database, options: { sealer: Sealer }) {
  const { sealer } = options
  let appealsWithEndpoints: { ids: Set<string>, readAt: number } | undefined

  // Read in the caller's transaction where there is one (PGlite has a single connection, which it holds).
  async function hasEndpoints (appealId: string, executor: Executor = db): Promise<boolean> {
    if (appealsWithEndpoints === undefined || Date.now() - appealsWithEndpoints.readAt > ENDPOINTS_CACHE_MS) {
      const rows = await selectRows<{ appeal_id: string }>(executor, sql`select distinct appeal_id from ${webhookEndpoints} where enabled`)
      appealsWithEndpoints = { ids: new Set(rows.map((row) => row.appeal_id)), readAt: Date.now() }
    }
    return appealsWithEndpoints.ids.has(appealId)
  }

  async function endpointOf (appeal: Appeal, id: string): Promise<typeof webhookEndpoints.$inferSelect> {
    const [row] = await db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.appealId, appeal.id), eq(webhookEndpoints.id, id))).limit(1)
    if (row === undefined) throw appError('WEBHOOK_NOT_FOUND')
    return row
  }

  return {
    /**
     * Queues an event for every enabled endpoint of its appeal that takes its type: the function other
     * modules call (the fund's `contribution.verified` among them), in their own transaction where they
     * have one. The same event (its key) queued again for an endpoint does nothing.
     */
    async enqueue (executor: Executor, event: WebhookEvent): Promise<number> {
      const rows = await selectRows<{ id: number }>(executor, sql`
        insert into ${webhookDeliveries} (endpoint_id, message_id, type, event_key, data, signature_id)
        select id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), ${event.type}, ${event.key}, ${JSON.stringify(event.data)}::jsonb, ${event.signatureId ?? null}::bigint
        from ${webhookEndpoints} where appeal_id = ${event.appealId}::uuid and enabled and ${event.type} = any(events)
        on conflict (endpoint_id, event_key) do nothing
        returning id`)
      return rows.length
    },

    /** Whether an appeal may have endpoints to tell (read at most every few seconds per instance). */
    hasEndpoints,

    async list (appeal: Appeal): Promise<WebhookEndpoint[]> {
      return db.select(endpointColumns).from(webhookEndpoints).where(eq(webhookEndpoints.appealId, appeal.id)).orderBy(webhookEndpoints.createdAt)
    },

    /** A new endpoint; its secret is answered this once (kept sealed). */
    async create (appeal: Appeal, input: EndpointInput): Promise<WebhookEndpoint & { secret: string }> {
      const secret = newSecret()
      const [created] = await db.insert(webhookEndpoints).values({
        appealId: appeal.id, url: input.url, events: [...new Set(input.events)], includePersonal: input.includePersonal ?? false,
        secretSealed: sealer.seal(secret)
      }).returning(endpointColumns)
      if (created === undefined) throw new Error('webhook endpoint insert returned no row')
      appealsWithEndpoints = undefined
      return { ...created, secret }
    },

    /** A new secret, answered this once; the previous one goes on signing beside it for a day. */
    async rotateSecret (appeal: Appeal, id: string): Promise<WebhookEndpoint & { secret: string }> {
      const current = await endpointOf(appeal, id)
      const secret = newSecret()
      const [updated] = await db.update(webhookEndpoints).set({
        secretSealed: sealer.seal(secret),
        previousSecretSealed: current.secretSealed,
        previousSecretExpiresAt: sql`now() + make_interval(hours => ${PREVIOUS_SECRET_HOURS})`
      }).where(eq(webhookEndpoints.id, current.id)).returning(endpointColumns)
      if (updated === undefined) throw appError('WEBHOOK_NOT_FOUND')
      return { ...updated, secret }
    },

    /** Removes an endpoint and its deliveries (sent or not). */
    async remove (appeal: Appeal, id: string): Promise<void> {
      await endpointOf(appeal, id)
      await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id))
      appealsWithEndpoints = undefined
    },

    async get (appeal: Appeal, id: string): Promise<WebhookEndpoint> {
      const { secretSealed: _secret, previousSecretSealed: _previous, ...endpoint } = await endpointOf(appeal, id)
      return endpoint
    },

    /** The delivery log of an endpoint, newest first. */
    async deliveries (appeal: Appeal, id: string, limit = 50): Promise<WebhookDelivery[]> {
      await endpointOf(appeal, id)
      return db.select({
        id: webhookDeliveries.id, endpointId: webhookDeliveries.endpointId, messageId: webhookDeliveries.messageId, type: webhookDeliveries.type,
        eventKey: webhookDeliveries.eventKey, signatureId: webhookDeliveries.signatureId, status: webhookDeliveries.status,
        attempts: webhookDeliveries.attempts, nextAttemptAt: webhookDeliveries.nextAttemptAt, lastStatusCode: webhookDeliveries.lastStatusCode,
        lastError: webhookDeliveries.lastError, createdAt: webhookDeliveries.createdAt, deliveredAt: webhookDeliveries.deliveredAt
      }).from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id)).orderBy(desc(webhookDeliveries.id)).limit(limit)
    },

    /** The secrets a delivery to this endpoint is signed with: the current one, and the previous until it expires. */
    async secretsOf (endpointId: string): Promise<{ url: string, includePersonal: boolean, secrets: string[] } | undefined> {
      const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).limit(1)
      if (row === undefined || !row.enabled) return undefined
      const previous = row.previousSecretSealed !== null && row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > new Date()
        ? [sealer.open(row.previousSecretSealed)]
        : []
      return { url: row.url, includePersonal: row.includePersonal, secrets: [sealer.open(row.secretSealed), ...previous] }
    },

    /** Claims up to `limit` due deliveries for one worker, for the length of a lease. */
    async claim (limit: number): Promise<ClaimedDelivery[]> {
      const claim = randomUUID()
      const rows = await selectRows<{
        id: string | number, endpoint_id: string, message_id: string, type: WebhookEventType, data: unknown,
        signature_id: string | number | null, attempts: number, created_at: string | Date
      }>(db, sql`
        update ${webhookDeliveries} set claimed_by = ${claim}::uuid, locked_until = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = attempts + 1
        where id in (
          select id from ${webhookDeliveries}
          where status = 'queued' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
          order by next_attempt_at, id limit ${limit}
          for update skip locked)
        returning id, endpoint_id, message_id, type, data, signature_id, attempts, created_at`)
      return rows.map((row) => ({
        id: Number(row.id), endpointId: row.endpoint_id, messageId: row.message_id, type: row.type,
        data: (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Record<string, unknown>,
        signatureId: row.signature_id === null ? null : Number(row.signature_id), attempts: row.attempts, createdAt: new Date(row.created_at), claim
      }))
    },

    async markDelivered (delivery: ClaimedDelivery, statusCode: number): Promise<void> {
      await db.update(webhookDeliveries).set({ status: 'delivered', deliveredAt: sql`now()`, lockedUntil: null, lastStatusCode: statusCode, lastError: null })
        .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.claimedBy, delivery.claim)))
    },

    async cancel (delivery: ClaimedDelivery, reason: string): Promise<void> {
      await db.update(webhookDeliveries).set({ status: 'cancelled', lockedUntil: null, lastError: reason })
        .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.claimedBy, delivery.claim)))
    },

    /** A failed attempt: tried again on the schedule, then given up. Returns whether it will be tried again. */
    async markFailed (delivery: ClaimedDelivery, failure: { statusCode?: number, error: string }): Promise<boolean> {
      const delay = RETRY_DELAYS_SECONDS[delivery.attempts - 1]
      await db.update(webhookDeliveries).set({
        ...(delay === undefined ? { status: 'failed' as const } : { nextAttemptAt: sql`now() + make_interval(secs => ${delay})` }),
        lockedUntil: null, lastStatusCode: failure.statusCode ?? null, lastError: failure.error.slice(0, 500)
      }).where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.claimedBy, delivery.claim)))
      return delay !== undefined
    },

    /** Deletes deliveries finished more than a month ago. Returns how many. */
    async cleanUp (): Promise<number> {
      const deleted = await db.delete(webhookDeliveries)
        .where(and(sql`${webhookDeliveries.status} <> 'queued'`, sql`${webhookDeliveries.createdAt} < now() - make_interval(days => ${KEEP_DAYS})`))
        .returning({ id: webhookDeliveries.id })
      return deleted.length
    }
  }
}

export type Webhooks = ReturnType<typeof createWebhooks>
