import t from 'tap'
import { build, json } from '../helpers/app.js'

t.test('an instance whose event loop is saturated answers 503 in the error shape, and liveness still 200', async (t) => {
  const app = await build(t, { MAX_EVENT_LOOP_DELAY_MS: '100' })
  t.equal((await app.inject('/api/appeals')).statusCode, 200, 'the start-up\'s own blocking is not counted')
  // Past the warm-up (two samples), then the loop blocked for much longer than the limit.
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const until = Date.now() + 1500
  while (Date.now() < until);
  let response = await app.inject('/api/appeals')
  // The next sample (every 500 ms) sees the delay: bounded retries until it has run.
  for (let i = 0; i < 20 && response.statusCode === 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    response = await app.inject('/api/appeals')
  }
  t.equal(response.statusCode, 503)
  t.equal(response.headers['retry-after'], '2')
  t.equal(json(response).error.code, 'SERVICE_UNAVAILABLE')
  t.equal((await app.inject('/health/live')).statusCode, 200, 'the process still lives')
  t.equal((await app.inject('/health/ready')).statusCode, 503, 'but is not ready')
})
