import { setTimeout as sleep } from 'node:timers/promises'
import type { Result } from 'autocannon'
import { openDatabase } from '../src/db/connection.js'
import { foldCountChanges } from '../src/stats/rollup.js'
import { createStatsService } from '../src/stats/service.js'
import type { DatabaseCpu } from './db-cpu.js'
import { generate, type Placement } from './load.js'

// (7) What counting costs as an appeal grows: four app instances, each under a steady trickle of stats
// readers, refresh the counts once per STATS_TTL_MS each. Measured through the stats service's public
// API, so that whatever it does to count (a recount, a rollup) is what is measured:
// - the database's CPU per second while they read, minus the same with them running and nobody reading;
// - the time of one refresh, from `createStatsService` with a TTL of 0 in this process, the four still reading.

export const INSTANCES = 4
const READERS_PER_INSTANCE = 2
const READS_PER_SECOND = 100

export interface CountingOptions {
  databaseUrl: string
  appealId: string
  statsPath: string
  /** The signatures the answer must count. */
  expected: number
  seconds: number
  cpu: DatabaseCpu | string
  placement: Placement
  startApps: (n: number) => Promise<{ urls: string[], stop: () => Promise<void> }>
}

export interface CountingResult {
  refresh: { p50: number, p99: number, n: number }
  /** Cores busy in the database while the instances read, above those busy while they idled; undefined where not measurable. */
  cpu: { reading: number, idle: number } | undefined
  readers: Result
  /** Why the measurement does not hold (a wrong count), or undefined. */
  failure: string | undefined
}

const percentile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN

export async function countingBench (o: CountingOptions): Promise<CountingResult> {
  const apps = await o.startApps(INSTANCES)
  const handle = await openDatabase({ url: o.databaseUrl, dataDir: 'memory://' })
  try {
    const idle = typeof o.cpu === 'string' ? undefined : await o.cpu.measure(o.seconds)
    const readers = generate(o.placement, apps.urls.map((url) => ({
      url: url + o.statsPath, connections: READERS_PER_INSTANCE, overallRate: READS_PER_SECOND, duration: 3600
    })))
    let refresh: CountingResult['refresh']
    let reading: { coresBusy: number } | undefined
    let counted = -1
    try {
      await readers.started
      // Every instance past its first refresh, and into the pace of one per TTL.
      await sleep(2000)
      reading = typeof o.cpu === 'string' ? undefined : await o.cpu.measure(o.seconds)
      const stats = createStatsService(handle.db, { ttlMs: 0, fold: async () => await foldCountChanges(handle.db) })
      counted = (await stats.get(o.appealId)).stats.signatures
      const times: number[] = []
      const began = performance.now()
      // At least five, for at least the measurement's seconds, at most 200.
      while (times.length < 5 || (performance.now() - began < o.seconds * 1000 && times.length < 200)) {
        const t = performance.now()
        await stats.get(o.appealId)
        times.push(performance.now() - t)
      }
      times.sort((a, b) => a - b)
      refresh = { p50: percentile(times, 0.5), p99: percentile(times, 0.99), n: times.length }
    } finally {
      readers.stop()
    }
    const results = await readers.done
    const readersResult = results.reduce((a, b) => ({
      ...b,
      requests: { ...b.requests, average: a.requests.average + b.requests.average, total: a.requests.total + b.requests.total },
      latency: { ...b.latency, p50: Math.max(a.latency.p50, b.latency.p50), p99: Math.max(a.latency.p99, b.latency.p99) },
      non2xx: a.non2xx + b.non2xx,
      errors: a.errors + b.errors
    }))
    return {
      refresh,
      cpu: idle === undefined || reading === undefined ? undefined : { reading: reading.coresBusy - idle.coresBusy, idle: idle.coresBusy },
      readers: readersResult,
      failure: counted === o.expected ? undefined : `counted ${counted} of ${o.expected} signatures`
    }
  } finally {
    await handle.close()
    await apps.stop()
  }
}
