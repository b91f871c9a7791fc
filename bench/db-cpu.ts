import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import type postgres from 'postgres'

// The database server's CPU, read from /proc: user and system time of the postmaster and of every process
// it started (backends, parallel workers, autovacuum, the WAL writer...). It needs the server on this
// machine and its processes visible here; otherwise the reason why not.

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

/** Parent pid, name, user + system ticks of a process and those of its children it has reaped, or undefined if it is gone. */
function stat (pid: number): { ppid: number, comm: string, ticks: number, reaped: number } | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The name is in parentheses and may itself hold spaces or parentheses: the fields follow the last ')'.
  const close = text.lastIndexOf(')')
  const fields = text.slice(close + 2).split(' ')
  return {
    comm: text.slice(text.indexOf('(') + 1, close), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14])
  }
}

export interface DatabaseCpu {
  /** Core-seconds the server spent per second of the window, and the window's length. */
  measure: (seconds: number) => Promise<{ coresBusy: number, seconds: number }>
}

/** The CPU of the server `sql` is connected to, found as the parent of its backend, or why it cannot be measured. */
export async function databaseCpu (sql: postgres.Sql): Promise<DatabaseCpu | string> {
  const [{ pid } = { pid: 0 }] = await sql<Array<{ pid: number }>>`select pg_backend_pid() as pid`
  const backend = stat(pid)
  const postmaster = backend === undefined ? undefined : stat(backend.ppid)
  if (backend === undefined || postmaster === undefined || postmaster.comm !== 'postgres') {
    return `the server's processes are not visible here (backend pid ${pid} ${backend === undefined ? 'not found' : `has parent ${backend.ppid}`})`
  }
  const server = backend.ppid
  // The postmaster's own time and that of the children it has reaped, and each living child's: a child
  // that ends (a parallel worker lives for one query) moves its time from the second to the first, so
  // every process is counted, once, whether it lived through the window or not.
  const snapshot = (): Map<number, number> => {
    const postmaster = stat(server)
    const ticks = new Map<number, number>([[server, (postmaster?.ticks ?? 0) + (postmaster?.reaped ?? 0)]])
    for (const name of readdirSync('/proc')) {
      const child = /^\d+$/.test(name) ? stat(Number(name)) : undefined
      if (child?.ppid === server) ticks.set(Number(name), child.ticks)
    }
    return ticks
  }
  return {
    async measure (seconds) {
      const [before, began] = [snapshot(), performance.now()]
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
      const [after, elapsed] = [snapshot(), (performance.now() - began) / 1000]
      // A process started during the window counts from zero.
      let ticks = 0
      for (const [p, t] of after) ticks += t - (before.get(p) ?? 0)
      // A process that ended during the window: its whole life's CPU moved into the reaped time counted
      // above, so what it had used before the window is taken off again.
      for (const [p, t] of before) if (!after.has(p)) ticks -= t
      return { coresBusy: ticks / ticksPerSecond / elapsed, seconds: elapsed }
    }
  }
}
