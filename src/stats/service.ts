import { createHash } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { events } from '../db/schema.js'
import type { AppealStats } from './appeal-stats.js'
import { appealCounts } from './rollup.js'

interface CacheEntry {
  stats: AppealStats
  json: string
  etag: string
  computedAt: number
  lastReadAt: number
}

export interface StatsOptions {
  ttlMs: number
  /**
   * Moves the count changes waiting into the rollup (stats/rollup.ts), on the primary, before a refresh
   * reads: so that they are folded even where no instance runs the background jobs. The counts read are
   * exact without it; it keeps what they read short.
   */
  fold: () => Promise<unknown>
  now?: () => number
}

// An appeal's counts are read from the rollup (stats/rollup.ts: a few hundred rows whatever the number of
// signatures, exact when read), at most once per TTL per instance, and every reader in between gets the
// cached answer. Nothing is written per signature, so signing never contends on a counter row. With
// several instances each one refreshes on its own, so every answer is at most two TTLs (plus one fold and
// one query) old, on every instance.
export function createStatsService (db: Database, options: StatsOptions) {
  const now = options.now ?? Date.now
  const cache = new Map<string, CacheEntry>()
  const inFlight = new Map<string, Promise<CacheEntry>>()
  const EVICT_AFTER_MS = 10 * 60_000

  async function compute (appealId: string): Promise<AppealStats> {
    await options.fold()
    const [byCountryKind, [eventTotals]] = await Promise.all([
      appealCounts(db, appealId),
      db.select({ n: sql<number>`count(*)::int`, countries: sql<number>`count(distinct ${events.country})::int` })
        .from(events).where(and(eq(events.appealId, appealId), eq(events.status, 'approved')))
    ])
    const stats: AppealStats = {
      signatures: 0, individuals: 0, organisations: 0, countries: 0, membersRepresented: 0,
      events: eventTotals?.n ?? 0, eventCountries: eventTotals?.countries ?? 0, byCountry: {}, updatedAt: new Date(now()).toISOString()
    }
    for (const group of byCountryKind) {
      stats.signatures += group.signatures
      if (group.kind === 'organisation') {
        stats.organisations += group.signatures
        stats.membersRepresented += group.members
      } else {
        stats.individuals += group.signatures
      }
      stats.byCountry[group.country] = (stats.byCountry[group.country] ?? 0) + group.signatures
    }
    stats.countries = Object.keys(stats.byCountry).length
    return stats
  }

  function refresh (appealId: string): Promise<CacheEntry> {
    const running = inFlight.get(appealId)
    if (running !== undefined) return running
    const promise = compute(appealId).then((stats) => {
      const { updatedAt: _u, ...counts } = stats
      const entry: CacheEntry = {
        stats,
        json: JSON.stringify(stats),
        // The ETag covers the counts, not the time they were taken: an unchanged count revalidates as 304.
        etag: '"' + createHash('sha1').update(JSON.stringify(counts)).digest('base64url') + '"',
        computedAt: now(),
        lastReadAt: cache.get(appealId)?.lastReadAt ?? now()
      }
      cache.set(appealId, entry)
      for (const [id, e] of cache) if (now() - e.lastReadAt > EVICT_AFTER_MS) cache.delete(id)
      return entry
    }).finally(() => inFlight.delete(appealId))
    inFlight.set(appealId, promise)
    return promise
  }

  return {
    /**
     * Whether this is still the answer get() would give at once, within one TTL (what a prepared answer of
     * the counts holds on: http/prepared-answers.ts); counts as a read.
     */
    isCurrent (appealId: string, entry: CacheEntry): boolean {
      if (cache.get(appealId) !== entry || now() - entry.computedAt >= options.ttlMs) return false
      entry.lastReadAt = now()
      return true
    },

    /**
     * The counts: within one TTL straight from the cache; within two, still from the cache while one
     * refresh runs in the background (so readers of a busy appeal never wait); older than that, after
     * a fresh count (so a reader after a quiet spell never gets an old one).
     */
    async get (appealId: string): Promise<CacheEntry> {
      const entry = cache.get(appealId)
      const age = entry === undefined ? Infinity : now() - entry.computedAt
      if (entry === undefined || age >= 2 * options.ttlMs) return refresh(appealId)
      entry.lastReadAt = now()
      if (age >= options.ttlMs) {
        refresh(appealId).catch(() => { /* the next reader retries; this one keeps the recent answer */ })
      }
      return entry
    }
  }
}

export type StatsService = ReturnType<typeof createStatsService>
