import { parentPort, workerData } from 'node:worker_threads'
import { createOpener } from '../secrets/open-sealed.js'
import { createBatchFormatter } from './format-batch.js'

// One of the export's worker threads (format-pool.ts): given the data keys and the export's layout at
// start, it formats each batch it is sent. Text goes back as UTF-8 bytes, transferred rather than copied,
// so the main thread only passes them on to the socket. A failure (a value that cannot be opened) goes
// back as its message, and fails that export.

/** @type {{ dataKeys: Uint8Array[], layout: import('./format-batch.js').Layout }} */
const { dataKeys, layout } = workerData
const formatter = createBatchFormatter(createOpener(dataKeys.map((key) => Buffer.from(key))), layout)
const encoder = new TextEncoder()
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort)

port.on('message', (/** @type {{ id: number, format: 'csv' | 'ndjson' | 'sheet', separator: string, batch: import('./format-batch.js').Batch }} */ job) => {
  try {
    if (job.format === 'sheet') {
      port.postMessage({ id: job.id, result: formatter.sheet(job.batch) })
    } else {
      const bytes = encoder.encode(job.format === 'csv' ? formatter.csv(job.batch, job.separator) : formatter.ndjson(job.batch))
      port.postMessage({ id: job.id, result: bytes }, [bytes.buffer])
    }
  } catch (error) {
    port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) })
  }
})
