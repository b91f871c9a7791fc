/**
 * Runs `task` now and then again `everyMs` after each run ends, until stopped; a failure is reported
 * and the next run goes ahead as planned. A task is told, through `active`, when to stop early; `stop`
 * waits for a run in progress to finish.
 */
export function repeat (task: (active: () => boolean) => Promise<unknown>, everyMs: number, onError: (err: unknown) => void) {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> | undefined
  let stopped = true
  const tick = (): void => {
    running = task(() => !stopped).catch(onError).finally(() => { if (!stopped) timer = setTimeout(tick, everyMs) })
  }
  return {
    start (): void {
      stopped = false
      timer = setTimeout(tick, 0)
    },
    async stop (): Promise<void> {
      stopped = true
      clearTimeout(timer)
      await running
    }
  }
}
