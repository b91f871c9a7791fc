import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { appError } from '../errors/app-error.js'

const SAMPLE_INTERVAL_MS = 500

// An instance whose event loop is saturated answers 503 at once (in our error shape, through the error
// handler) rather than queue requests it would answer too late; the load balancer sends them elsewhere.
async function pressurePlugin (app: FastifyInstance): Promise<void> {
  if (app.config.MAX_EVENT_LOOP_DELAY_MS === 0) return
  // Starting up (migrations, loading code) blocks the loop for seconds, and the first samples after it
  // still measure that: they are not load, and must not refuse the first requests.
  let warmUntil = Number.POSITIVE_INFINITY
  app.addHook('onReady', async () => { warmUntil = Date.now() + 2 * SAMPLE_INTERVAL_MS })
  await app.register(underPressure, {
    maxEventLoopDelay: app.config.MAX_EVENT_LOOP_DELAY_MS,
    sampleInterval: SAMPLE_INTERVAL_MS,
    pressureHandler: async () => { if (Date.now() >= warmUntil) throw appError('SERVICE_UNAVAILABLE') }
  })
}

export default fp(pressurePlugin, { name: 'pressure', dependencies: ['config'] })
