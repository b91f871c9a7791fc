import { setTimeout as sleep } from 'node:timers/promises'

// The longest single wait: a shutdown waits for it to end.
const MAX_WAIT_MS = 1000

export interface GiveWayOptions {
  /** Whether the instance is answering requests (people signing). */
  busy: () => boolean
  /** The share of the time the work that can wait may take while `busy` (1: it never waits). */
  share: number
  /** How a wait is done (a test's clock may stand in). */
  wait?: (ms: number) => Promise<void>
}

/**
 * Background work that can wait (an update: queueing it, sending its mail) gives way to the people
 * signing: called after each step with when the step began, it waits, while requests are being
 * answered, long enough for the work to take no more than its share of the time. The share is one
 * for all the steps that call it (the queueing and each of the worker's lanes): each waits its turn
 * after the time the others' steps are owed.
 */
export function createGiveWay (o: GiveWayOptions): (stepBegan: number) => Promise<void> {
  const wait = o.wait ?? (async (ms: number) => { await sleep(ms) })
  let until = 0
  return async (stepBegan) => {
    if (o.share >= 1 || !o.busy()) return
    const now = performance.now()
    until = Math.min(Math.max(until, now) + (now - stepBegan) * (1 - o.share) / o.share, now + MAX_WAIT_MS)
    await wait(until - now)
  }
}

export type GiveWay = ReturnType<typeof createGiveWay>
