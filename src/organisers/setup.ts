import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** The one-time token that lets the first admin be created through a fresh server. */
export interface FirstRunSetup {
  /** The token while no organiser exists on this instance's start, then null. */
  readonly token: string | null
  matches: (candidate: string) => boolean
  used: () => void
}

declare module 'fastify' {
  interface FastifyInstance { setup: FirstRunSetup }
}

async function setupPlugin (app: FastifyInstance): Promise<void> {
  let token: string | null = null
  const setup: FirstRunSetup = {
    get token () { return token },
    matches: (candidate) => {
      if (token === null) return false
      const a = Buffer.from(candidate)
      const b = Buffer.from(token)
      return a.length === b.length && timingSafeEqual(a, b)
    },
    used: () => { token = null }
  }
  app.decorate('setup', setup)
  app.addHook('onReady', async () => {
    if (await app.services.organisers.count() === 0) token = randomBytes(24).toString('base64url')
  })
}

export default fp(setupPlugin, { name: 'setup', dependencies: ['services'] })
