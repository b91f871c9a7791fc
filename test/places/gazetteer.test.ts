import t from 'tap'
import { locate, stopGazetteer, suggestCities } from '../../src/places/gazetteer.js'

// The gazetteer's index takes most of a second of a core to build (longer on a busy machine): it is
// built on a thread of its own, so that the process answers other requests meanwhile.

t.test('the process is not held up while the index is built', async (t) => {
  let last = performance.now()
  let longestGap = 0
  const ticks = setInterval(() => {
    const now = performance.now()
    longestGap = Math.max(longestGap, now - last)
    last = now
  }, 5)
  const asked = performance.now()
  const place = await locate('Rosario', 'AR')
  const waited = performance.now() - asked
  clearInterval(ticks)
  t.match(place, { city: 'Rosario', country: 'AR', approximate: false })
  // Built on this thread, the longest gap would be the whole wait.
  t.ok(longestGap < waited / 2, `the longest pause of this thread was ${Math.round(longestGap)} ms of a ${Math.round(waited)} ms wait`)
  const again = performance.now()
  await suggestCities('ros', 'AR')
  t.ok(performance.now() - again < waited, 'the index is kept for the next question')
})

t.test('a stopped thread fails the questions it held, and the next question starts it again', async (t) => {
  t.match(await suggestCities('Quito', 'EC'), [{ city: 'Quito' }])
  const held = t.rejects(locate('Lima', 'PE'), /gazetteer's thread stopped/)
  stopGazetteer()
  await held
  t.match(await locate('Lima', 'PE'), { city: 'Lima', approximate: false })
  t.same(await suggestCities('x', undefined), [], 'fewer than two letters are not asked')
  stopGazetteer()
})
