import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'drizzle-orm'
import { Type } from 'typebox'
import { appError } from '../errors/app-error.js'
import { ErrorResponse } from '../http/schemas.js'

const Healthy = Type.Object({ status: Type.Literal('ok') })

// A load balancer asks every few seconds: the checks are exempt from rate limits and not logged per request.
const probeConfig = { rateLimit: false } as const

// Readiness gives the database less time than a request would get: a probe that waits is no use.
const READY_DEADLINE_MS = 1000

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health/live', {
    schema: { tags: ['health'], summary: 'Liveness: the process answers (also while it drains or its database is down)', response: { 200: Healthy } },
    logLevel: 'warn',
    // Under pressure the process still lives; only readiness says to send it nothing for now.
    config: { ...probeConfig, answersWhileDraining: true, pressureHandler: () => undefined }
  }, async () => ({ status: 'ok' as const }))

  app.get('/health/ready', {
    schema: {
      tags: ['health'],
      summary: 'Readiness: 503 while the database is unreachable, the event loop is saturated, or shutdown has begun',
      response: { 200: Healthy, 503: ErrorResponse }
    },
    logLevel: 'warn',
    config: probeConfig
  }, async () => {
    let timer: NodeJS.Timeout | undefined
    const startedAt = Date.now()
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`the database did not answer the readiness check within ${READY_DEADLINE_MS} ms`)) }, READY_DEADLINE_MS)
    })
    try {
      await Promise.race([app.db.execute(sql`select 1`), deadline])
    } catch (err) {
      app.outages.database.failed(err)
      throw appError('SERVICE_UNAVAILABLE')
    } finally {
      clearTimeout(timer)
    }
    app.outages.database.recovered(startedAt)
    return { status: 'ok' as const }
  })
}

export default healthRoutes
