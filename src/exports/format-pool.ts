import { Worker } from 'node:worker_threads'
import { createOpener } from '../secrets/open-sealed.js'
import { createBatchFormatter, type Batch, type Layout, type SheetValue } from './format-batch.js'

// Opening a million sealed values is the export's work: AES-GCM and JSON per row. It runs on a few
// worker threads, started on the first export and shared by all, while the main thread fetches the
// next batches and streams the finished bytes. Each worker is plain JavaScript (format-worker.js) that
// needs only Node's built-ins and is given the keys at start: it starts in milliseconds from src/ under
// the tests and from dist/ in production, without tsx's hooks (execArgv is emptied, so a parent started
// with --import=tsx does not load it again in every worker). With no workers, the same code runs in the
// process itself.

interface Job { resolve: (result: unknown) => void, reject: (error: Error) => void }
interface Slot { worker: Worker, jobs: Map<number, Job> }

export function createFormatPool (options: { size: number, dataKeys: readonly Buffer[], layout: Layout }) {
  const slots: Slot[] = []
  let nextId = 0
  let closed = false
  const local = options.size === 0 ? createBatchFormatter(createOpener(options.dataKeys), options.layout) : undefined

  function start (): Slot {
    const worker = new Worker(new URL('./format-worker.js', import.meta.url), {
      workerData: { dataKeys: options.dataKeys, layout: options.layout }, execArgv: [],
      // A batch needs a few MB (its JSON text, its rows, its lines); without limits each worker's heap grew by
      // tens of MB before collecting (V8 sizes a heap for the machine, not for the work).
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 }
    })
    const slot: Slot = { worker, jobs: new Map() }
    worker.on('message', (message: { id: number, result?: unknown, error?: string }) => {
      const job = slot.jobs.get(message.id)
      slot.jobs.delete(message.id)
      if (message.error === undefined) job?.resolve(message.result)
      else job?.reject(new Error(message.error))
    })
    // A worker that dies takes its jobs with it: they fail (and their exports with them), the next job starts a new one.
    const ended = (error: Error): void => {
      slots.splice(slots.indexOf(slot), 1)
      for (const job of slot.jobs.values()) job.reject(error)
      slot.jobs.clear()
    }
    worker.once('error', ended)
    worker.once('exit', (code) => { if (slots.includes(slot)) ended(new Error(`An export worker stopped (exit code ${code}).`)) })
    slots.push(slot)
    return slot
  }

  // The least busy worker, or a new one while the pool is not full and every worker has work.
  function pick (): Slot {
    const idle = slots.reduce<Slot | undefined>((best, slot) => best === undefined || slot.jobs.size < best.jobs.size ? slot : best, undefined)
    return idle === undefined || (idle.jobs.size > 0 && slots.length < options.size) ? start() : idle
  }

  function run<T> (message: { format: 'csv' | 'ndjson' | 'sheet', separator?: string, batch: Batch }): Promise<T> {
    if (closed) return Promise.reject(new Error('The export workers have been shut down.'))
    const slot = pick()
    const id = nextId++
    // Bytes go over as a copy of their own, transferred: the driver's may be a view of a larger buffer it
    // still reads from, which a transfer would take from it and a plain post would copy whole.
    const batch = typeof message.batch === 'string' ? message.batch : new Uint8Array(message.batch)
    return new Promise<T>((resolve, reject) => {
      slot.jobs.set(id, { resolve: resolve as (result: unknown) => void, reject })
      slot.worker.postMessage({ id, ...message, batch }, typeof batch === 'string' ? [] : [batch.buffer])
    })
  }

  const bytes = (text: string): Buffer => Buffer.from(text)
  const received = (result: Uint8Array): Buffer => Buffer.from(result.buffer, result.byteOffset, result.byteLength)

  return {
    /** A batch (its rows as one JSON text) as CSV lines, in UTF-8. */
    async csv (batch: Batch, separator: string): Promise<Buffer> {
      return local === undefined ? received(await run<Uint8Array>({ format: 'csv', separator, batch })) : bytes(local.csv(batch, separator))
    },
    /** A batch as NDJSON lines, in UTF-8. */
    async ndjson (batch: Batch): Promise<Buffer> {
      return local === undefined ? received(await run<Uint8Array>({ format: 'ndjson', batch })) : bytes(local.ndjson(batch))
    },
    /** A batch as the XLSX export's rows. */
    async sheet (batch: Batch): Promise<SheetValue[][]> {
      return local === undefined ? run<SheetValue[][]>({ format: 'sheet', batch }) : local.sheet(batch)
    },
    /** How many workers are running (started on demand, up to the pool's size). */
    get running (): number { return slots.length },
    /** Ends the workers; an export still running fails. */
    async close (): Promise<void> {
      closed = true
      await Promise.all(slots.map((slot) => slot.worker.terminate()))
    }
  }
}

export type FormatPool = ReturnType<typeof createFormatPool>
