import type { FastifyBaseLogger } from 'fastify'

/**
 * What the log says about one dependency: a line when it becomes unreachable and a line when it is back,
 * however many requests fail in between (each of them answers 503 without a stack of its own).
 */
export interface Outage {
  readonly down: boolean
  failed: (err: unknown) => void
  /** A success ends the outage only if it began after the outage was noticed (`startedAt`, when known):
   * a query already under way when the dependency went (an answer it was still giving) proves nothing. */
  recovered: (startedAt?: number) => void
}

/**
 * `graceMs`: a success of unknown start (a connection made) within this of the outage being noticed does
 * not end it: its handshake may have begun before the server went.
 */
export function createOutage (log: FastifyBaseLogger, dependency: string, options: { graceMs?: number } = {}): Outage {
  const graceMs = options.graceMs ?? 1000
  let since: number | undefined
  return {
    get down () { return since !== undefined },
    failed (err) {
      if (since !== undefined) return
      since = Date.now()
      log.error({ err }, `${dependency} is unreachable: requests that need it answer 503 until it is back`)
    },
    recovered (startedAt) {
      if (since === undefined) return
      if (startedAt !== undefined ? startedAt < since : Date.now() - since < graceMs) return
      log.warn(`${dependency} is reachable again after ${Date.now() - since} ms`)
      since = undefined
    }
  }
}
