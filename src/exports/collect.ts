import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

// A collection of the young generation, for the export. Each batch passes a few MB through the main
// thread as buffers outside the JavaScript heap (the driver's message, the bytes the workers send back),
// held by small objects that die young; with so little else allocated, V8 collects them only once 64 MB
// or so of such memory has built up. A young collection after each batch (tens of microseconds: almost
// nothing on the heap survives it) frees them at once. The flag exposes `gc` to contexts created after it
// is set, so the function is taken from a new context, once; the process's own global is untouched.
let collect: ((options: { type: 'minor' }) => void) | undefined

export function collectYoung (): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc')
    collect = runInNewContext('gc') as (options: { type: 'minor' }) => void
  }
  collect({ type: 'minor' })
}
