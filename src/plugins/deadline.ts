import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { appError } from '../errors/app-error.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** How many requests are being handled: begun and not yet answered in full (nor abandoned). */
    readonly requestsInFlight: number
  }
  interface FastifyContextConfig {
    /** How long this route's handling may take, its answer's bytes included (REQUEST_HANDLER_TIMEOUT_MS otherwise). */
    deadlineMs?: number
  }
}

// A request whose handling has not ended by its deadline (a pooled connection that never comes, a
// dependency that hangs without an error) answers 503 rather than hold its client; an answer already
// under way is cut. Fastify's own handlerTimeout does the same with an AbortController and a timer for
// every request, and aborts the controller (building a DOMException) whenever a request closes: in a
// profile of signing that was about a tenth of the process's CPU. Here the requests in flight sit in one
// map, swept by one timer, so a deadline is met to within one sweep (at most a second).
async function deadlinePlugin (app: FastifyInstance): Promise<void> {
  const defaultMs = app.config.REQUEST_HANDLER_TIMEOUT_MS
  const sweepMs = Math.min(1000, Math.ceil(defaultMs / 10))
  const inFlight = new Map<FastifyRequest, { reply: FastifyReply, deadline: number }>()

  app.addHook('onRequest', (request, reply, done) => {
    inFlight.set(request, { reply, deadline: Date.now() + (request.routeOptions.config.deadlineMs ?? defaultMs) })
    done()
  })
  app.addHook('onResponse', (request, _reply, done) => {
    inFlight.delete(request)
    done()
  })
  // A client that went away before sending its whole request gets no answer to wait for.
  app.addHook('onRequestAbort', (request, done) => {
    inFlight.delete(request)
    done()
  })

  function sweep (): void {
    const now = Date.now()
    for (const [request, { reply, deadline }] of inFlight) {
      if (deadline > now) continue
      inFlight.delete(request)
      // Answered in full (still flushing to a slow client, perhaps), or gone: nothing to cut.
      if (reply.raw.writableEnded || reply.raw.destroyed) continue
      try {
        request.log.warn({ deadlineMs: request.routeOptions.config.deadlineMs ?? defaultMs }, 'the request was not answered within its deadline')
        // Headers already sent (a streamed answer): nothing else can be said, so the answer is cut short,
        // and the client sees it incomplete rather than take it for whole.
        if (reply.sent || reply.raw.headersSent) reply.raw.destroy()
        else void reply.send(appError('SERVICE_UNAVAILABLE'))
      } catch (err) {
        // One answer that cannot be sent does not keep the sweep from the others.
        request.log.error({ err }, 'a request past its deadline could not be answered')
      }
    }
  }
  app.decorate('requestsInFlight', { getter: () => inFlight.size })
  const timer = setInterval(sweep, sweepMs)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })
}

export default fp(deadlinePlugin, { name: 'deadline', dependencies: ['config'] })
