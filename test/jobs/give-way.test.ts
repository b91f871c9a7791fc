import t from 'tap'
import { createGiveWay } from '../../src/jobs/give-way.js'

t.test('work that can wait gives way while requests are answered, for its share of the time', async (t) => {
  const waits: number[] = []
  let busy = true
  const giveWay = createGiveWay({ busy: () => busy, share: 0.25, wait: async (ms) => { waits.push(ms) } })
  await giveWay(performance.now() - 100)
  t.equal(waits.length, 1)
  t.ok(waits[0]! > 299 && waits[0]! < 400, `a step of 100 ms is followed by three times as long (${waits[0]} ms)`)
  await giveWay(performance.now() - 10_000)
  t.ok(waits[1]! > 990 && waits[1]! <= 1000 + 1e-6, `never more than a second at once: a shutdown waits for it (${waits[1]} ms)`)
  busy = false
  await giveWay(performance.now() - 100)
  t.equal(waits.length, 2, 'no wait when nobody is signing')

  const shared = createGiveWay({ busy: () => true, share: 0.5, wait: async (ms) => { waits.push(ms) } })
  await Promise.all([shared(performance.now() - 100), shared(performance.now() - 100)])
  t.ok(waits[2]! > 90 && waits[2]! < 150, `the first of two steps side by side waits its own time (${waits[2]} ms)`)
  t.ok(waits[3]! > 190 && waits[3]! < 250, `the second waits after it: one share for both (${waits[3]} ms)`)
  waits.length = 2
  const never = createGiveWay({ busy: () => true, share: 1, wait: async (ms) => { waits.push(ms) } })
  await never(performance.now() - 100)
  t.equal(waits.length, 2, 'a share of 1: no wait at all')
})
