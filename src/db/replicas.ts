import postgres from 'postgres'
import { CONNECTION_CODES } from './unavailable.js'

type Sql = postgres.Sql<Record<string, unknown>>
type Rows = Awaited<ReturnType<Sql['unsafe']>>
/** What a query gives back: objects, lists of parsed values, or lists of their bytes. */
type Shape = 'rows' | 'values' | 'raw'

/** What is known of one read replica: whether reads go to it, and why not when they do not. */
export interface ReplicaState {
  /** The replica's address without its credentials (for logs and the health answer). */
  readonly host: string
  usable: boolean
  /** How far behind the primary it was at the last check, in milliseconds (null: not reachable). */
  lagMs: number | null
  /** Reads it answered, and reads it failed that the primary answered instead. */
  reads: number
  fellBack: number
  reason: string
}

export interface ReadRouting {
  /** A postgres.js-shaped client whose queries go to a usable replica, or to the primary when none is. */
  client: Sql
  replicas: readonly ReplicaState[]
  /** Checks every replica now (it is done every `checkMs` in the background too). */
  check: () => Promise<void>
  close: () => Promise<void>
}

export interface ReadRoutingOptions {
  maxLagMs: number
  checkMs: number
  onChange?: (replica: ReplicaState) => void
}

/**
 * A standby that has replayed everything it received is as fresh as its link to the primary: no lag. One
 * still replaying is behind by the age of the last transaction it replayed. (A standby cut off from its
 * primary while caught up looks fresh; it is, as far as anything it could tell goes, and writes fail then anyway.)
 */
const LAG = `select case when not pg_is_in_recovery() then 0
  when pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() then 0
  else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000, 0) end::float8 as lag_ms`

/** A read failed because of where it ran (the replica gone, restarting, or cancelled by replay), not because of the query. */
function isReplicaFault (err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  if (typeof code !== 'string') return true
  return CONNECTION_CODES.has(code) || code.startsWith('08') || code.startsWith('57') || code === '53300' || code === '40001'
}

function hostOf (url: string): string {
  try {
    const { hostname, port, pathname } = new URL(url)
    return `${hostname}:${port === '' ? '5432' : port}${pathname}`
  } catch {
    return 'replica'
  }
}

/**
 * Read routing over replicas: each read goes to the next usable replica in turn; a replica that does not
 * answer the check, or lags by more than `maxLagMs`, is left out until a check finds it well again; a read
 * that fails on a replica for the replica's sake is run again on the primary, so a replica going away costs
 * its readers a retry, not an error. With no usable replica every read goes to the primary.
 */
export function createReadRouting (
  primary: Sql, urls: string[], options: postgres.Options<Record<string, postgres.PostgresType>>, routing: ReadRoutingOptions
): ReadRouting {
  const replicas = urls.map((url) => ({
    state: { host: hostOf(url), usable: false, lagMs: null, reads: 0, fellBack: 0, reason: 'not checked yet' } satisfies ReplicaState as ReplicaState,
    client: postgres(url, options),
    // Its own connection for the checks, so that a pool busy with reads does not make a replica look down.
    probe: postgres(url, { ...options, max: 1, idle_timeout: 0 })
  }))
  let next = 0

  const mark = (replica: typeof replicas[number], usable: boolean, reason: string, lagMs: number | null): void => {
    const changed = replica.state.usable !== usable
    Object.assign(replica.state, { usable, reason, lagMs })
    if (changed) routing.onChange?.(replica.state)
  }

  const pick = (): typeof replicas[number] | undefined => {
    for (let i = 0; i < replicas.length; i++) {
      const replica = replicas[(next + i) % replicas.length]!
      if (replica.state.usable) {
        next = (next + i + 1) % replicas.length
        return replica
      }
    }
    return undefined
  }

  const checkOne = async (replica: typeof replicas[number]): Promise<void> => {
    let timer: NodeJS.Timeout | undefined
    try {
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => { reject(new Error(`no answer within ${routing.checkMs} ms`)) }, Math.max(routing.checkMs, 500))
      })
      const [row] = await Promise.race([replica.probe.unsafe(LAG), deadline]) as unknown as Array<{ lag_ms: number }>
      const lagMs = Math.round(row?.lag_ms ?? 0)
      if (lagMs > routing.maxLagMs) mark(replica, false, `${lagMs} ms behind the primary (the bound is ${routing.maxLagMs} ms)`, lagMs)
      else mark(replica, true, 'in use', lagMs)
    } catch (err) {
      mark(replica, false, `unreachable: ${(err as Error).message}`, null)
    } finally {
      clearTimeout(timer)
    }
  }
  const check = async (): Promise<void> => { await Promise.all(replicas.map(checkOne)) }
  const timer = setInterval(() => { void check() }, routing.checkMs)
  timer.unref()

  const run = async (query: string, params: unknown[] | undefined, queryOptions: unknown, shape: Shape): Promise<Rows> => {
    const on = (sql: Sql): Promise<Rows> => {
      const pending = sql.unsafe(query, params as never, queryOptions as never)
      return (shape === 'values' ? pending.values() : shape === 'raw' ? pending.raw() : pending) as unknown as Promise<Rows>
    }
    const replica = pick()
    if (replica !== undefined) {
      try {
        const rows = await on(replica.client)
        replica.state.reads++
        return rows
      } catch (err) {
        if (!isReplicaFault(err)) throw err
        replica.state.fellBack++
        mark(replica, false, `a read failed: ${(err as Error).message}`, null)
      }
    }
    return await on(primary)
  }

  // Drizzle asks of its client `unsafe(query, params, options)`, awaited as it is or after `.values()`,
  // and `options` for its type parsers (shared with the primary, whose parsers drizzle sets alike); the
  // export asks for `.raw()` (selectRaw in connection.ts).
  const unsafe = (query: string, params?: unknown[], queryOptions?: unknown) => {
    let shape: Shape = 'rows'
    let result: Promise<Rows> | undefined
    const start = (): Promise<Rows> => { result ??= run(query, params, queryOptions, shape); return result }
    const pending = {
      values () { shape = 'values'; return pending },
      raw () { shape = 'raw'; return pending },
      then<A, B> (resolve?: (rows: Rows) => A | PromiseLike<A>, reject?: (err: unknown) => B | PromiseLike<B>) { return start().then(resolve, reject) },
      catch<B> (reject?: (err: unknown) => B | PromiseLike<B>) { return start().catch(reject) },
      finally (done?: () => void) { return start().finally(done) }
    }
    return pending
  }
  const client = new Proxy(primary, {
    get (target, property, receiver) {
      if (property === 'unsafe') return unsafe
      return Reflect.get(target, property, receiver) as unknown
    }
  })
  // Parsers: drizzle changes the primary's; the replicas must read values the same way.
  for (const replica of replicas) {
    Object.assign(replica.client.options.parsers, primary.options.parsers)
    Object.assign(replica.client.options.serializers, primary.options.serializers)
  }

  return {
    client,
    replicas: replicas.map((r) => r.state),
    check,
    close: async () => {
      clearInterval(timer)
      await Promise.all(replicas.flatMap((r) => [r.client.end({ timeout: 5 }), r.probe.end({ timeout: 1 })]))
    }
  }
}
