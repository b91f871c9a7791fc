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
 * answered, long enough for the work to take no more than its share of the time.
 */
export function createGiveWay (o: GiveWayOptions): (stepBegan: number) => Promise<void> {
  const wait = o.wait ?? (async (ms: number) => { await sleep(ms) })
  return async (stepBegan) => {
    if (o.share >= 1 || !o.busy()) return
    await wait(Math.min(MAX_WAIT_MS, (performance.now() - stepBegan) * (1 - o.share) / o.share))
  }
}

export type GiveWay = ReturnType<typeof createGiveWay>
