import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Result } from 'autocannon'

/** One load for autocannon, as bench/load-child.ts runs it: plain data, since it crosses a process boundary. */
export interface Load {
  /** The whole URL: GET it, or with `signs`, POST a new signer's signature to it. */
  url: string
  connections: number
  /** Seconds; a long one is ended by `stop()`. */
  duration: number
  /** Requests per second in all (open loop); closed loop when absent. */
  overallRate?: number
  signs?: boolean
}

export interface LoadRun {
  /** Settles once the load generator is sending. */
  started: Promise<void>
  done: Promise<Result[]>
  stop: () => void
}

/** Where the bench's processes run: the load generator on a core of its own and the servers on the others, where the machine allows. */
export interface Placement {
  /** How it ran, for the report. */
  note: string
  /** The command and arguments that run node with these arguments where `role` belongs. */
  node: (role: 'load' | 'server', args: string[]) => [string, string[]]
}

/** The CPUs this process may run on (Cpus_allowed_list, e.g. "0-1" or "0,2-3"). */
function allowedCpus (): number[] {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? ''
  return list.split(',').filter((part) => part !== '').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number)
    return Array.from({ length: to! - from! + 1 }, (_, i) => from! + i)
  })
}

/**
 * Pins this process (which also runs the SMTP sink and the in-process timings) to the first allowed CPU,
 * where the load generators will run, and leaves the rest to the servers; or, where it cannot, says why.
 * PostgreSQL is not pinned: it is not the bench's to move, and others may share it.
 */
export function placeProcesses (): Placement {
  const unpinned = (reason: string): Placement => ({ note: `not pinned: ${reason}; PostgreSQL not pinned`, node: (_role, args) => [process.execPath, args] })
  if (process.env.BENCH_PIN === 'false') return unpinned('BENCH_PIN=false')
  const cpus = allowedCpus()
  if (cpus.length < 2) return unpinned(`only ${cpus.length} CPU allowed to this process`)
  const [loadCpu, ...serverCpus] = cpus.map(String)
  const self = spawnSync('taskset', ['-a', '-p', '-c', loadCpu!, String(process.pid)], { encoding: 'utf8' })
  if (self.error !== undefined) return unpinned(`taskset (util-linux) is not available (${self.error.message})`)
  if (self.status !== 0) return unpinned(`taskset failed: ${self.stderr.trim()}`)
  const cpuSets = { load: loadCpu!, server: serverCpus.join(',') }
  return {
    note: `load generators (and the bench process with its SMTP sink) pinned to CPU ${cpuSets.load}, the servers measured to CPU ${cpuSets.server} (taskset); PostgreSQL not pinned`,
    node: (role, args) => ['taskset', ['-c', cpuSets[role], process.execPath, ...args]]
  }
}

const running = new Set<ChildProcess>()
let tags = 0

/** Runs the loads side by side in a load generator process of their own. */
export function generate (placement: Placement, loads: Load[]): LoadRun {
  const [command, args] = placement.node('load', ['--import=tsx', join(import.meta.dirname, 'load-child.ts'), `${process.pid}x${++tags}`, JSON.stringify(loads)])
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  running.add(child)
  let results: Result[] | undefined
  const started = new Promise<void>((resolve, reject) => {
    child.on('message', (message: { started?: true, results?: Result[] }) => {
      if (message.started === true) resolve()
      if (message.results !== undefined) results = message.results
    })
    child.once('error', reject)
    child.once('exit', () => resolve())
  })
  const done = new Promise<Result[]>((resolve, reject) => {
    child.once('exit', (code, signal) => {
      running.delete(child)
      if (results !== undefined) resolve(results)
      else reject(new Error(`the load generator ended (${signal ?? code}) without results`))
    })
  })
  return { started, done, stop: () => { child.kill('SIGTERM') } }
}

/** One load, run to its end. */
export async function load (placement: Placement, one: Load): Promise<Result> {
  const [result] = await generate(placement, [one]).done
  return result!
}

/** Ends every load generator still running (when the bench is interrupted). */
export function stopLoads (): void {
  for (const child of running) child.kill('SIGKILL')
}
