import { createHash } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { events, signatures } from '../db/schema.js'
import { counted } from '../signatures/public-lists.js'
import type { AppealStats } from './appeal-stats.js'

interface CacheEntry {
  stats: AppealStats
  json: string
  etag: string
  computedAt: number
  lastReadAt: number
}

// An appeal's counts are aggregated from the signatures themselves (an index-only scan over the counted
// rows), at most once per TTL per instance, and every reader in between gets the cached answer. Nothing is
// written per signature, so signing never contends on a counter row. With several instances each one
// refreshes on its own, so every answer is at most two TTLs (plus one query) old, on every instance.
export function createStatsService (db: Database, options: { ttlMs: number, now?: () => number }) {
  const now = options.now ?? Date.now
  const cache = new Map<string, CacheEntry>()
  const inFlight = new Map<string, Promise<CacheEntry>>()
  const EVICT_AFTER_MS = 10 * 60_000

  async function compute (appealId: string): Promise<AppealStats> {
    const [byCountryKind, [eventTotals]] = await Promise.all([
      db.select({
        country: signatures.country,
        kind: signatures.kind,
        n: sql<number>`count(*)::int`,
        members: sql<string>`coalesce(sum(${signatures.members}), 0)::text`
      }).from(signatures).where(and(eq(signatures.appealId, appealId), counted()))
        .groupBy(signatures.country, signatures.kind),
      db.select({ n: sql<number>`count(*)::int`, countries: sql<number>`count(distinct ${events.country})::int` })
        .from(events).where(and(eq(events.appealId, appealId), eq(events.status, 'approved')))
    ])
    const stats: AppealStats = {
      signatures: 0, individuals: 0, organisations: 0, countries: 0, membersRepresented: 0,
      events: eventTotals?.n ?? 0, eventCountries: eventTotals?.countries ?? 0, byCountry: {}, updatedAt: new Date(now()).toISOString()
    }
    for (const row of byCountryKind) {
      stats.signatures += row.n
      if (row.kind === 'organisation') {
        stats.organisations += row.n
        stats.membersRepresented += Number(row.members)
      } else {
        stats.individuals += row.n
      }
      stats.byCountry[row.country] = (stats.byCountry[row.country] ?? 0) + row.n
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
