import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

// A full collection on demand, for the export. A million-row export passes hundreds of MB through the
// main thread (each batch's JSON text, the bytes the workers send back), all of it dead a moment later;
// V8 lets its old generation grow by about 100 MB before collecting it (measured on 1.25M rows: a peak of
// 344 MB against 239 MB with a collection every 8 batches). The flag exposes `gc` to contexts created
// after it is set, so the function is taken from a new context, once; the process's own global is untouched.
let collect: (() => void) | undefined

// At most one collection in this time, however many exports ask: each is a pause of the whole process
// (tens of ms), and signing and stats wait through it. One export asks about twice as seldom as this.
const AT_MOST_EVERY_MS = 500
let lastAt = 0

export function collectGarbage (): void {
  const now = Date.now()
  if (now - lastAt < AT_MOST_EVERY_MS) return
  lastAt = now
  if (collect === undefined) {
    setFlagsFromString('--expose-gc')
    collect = runInNewContext('gc') as () => void
  }
  collect()
}
