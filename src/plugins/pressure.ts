import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { AppError, errorCodes } from '../errors/app-error.js'

// An instance whose event loop is saturated answers 503 at once (in our error shape, through the error
// handler) rather than queue requests it would answer too late; the load balancer sends them elsewhere.
class UnderPressureError extends AppError {
  constructor () { super(errorCodes.SERVICE_UNAVAILABLE, 'SERVICE_UNAVAILABLE') }
}

async function pressurePlugin (app: FastifyInstance): Promise<void> {
  if (app.config.MAX_EVENT_LOOP_DELAY_MS === 0) return
  await app.register(underPressure, { maxEventLoopDelay: app.config.MAX_EVENT_LOOP_DELAY_MS, customError: UnderPressureError })
}

export default fp(pressurePlugin, { name: 'pressure', dependencies: ['config'] })
