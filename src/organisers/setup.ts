import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { appError } from '../errors/app-error.js'

/** The one-time token that lets the first admin be created through a fresh server. */
export interface FirstRunSetup {
  /** The token while no organiser exists on this instance's start, then null. */
  readonly token: string | null
  /** Creates the first admin, if the token is this server's and no organiser exists yet; the token is then spent. */
  createFirstAdmin: (candidate: string, account: { email: string, name: string, password: string }) => Promise<{ id: string, email: string, name: string, role: 'admin' | 'organiser' }>
}

declare module 'fastify' {
  interface FastifyInstance { setup: FirstRunSetup }
}

async function setupPlugin (app: FastifyInstance): Promise<void> {
  let token: string | null = null
  const matches = (candidate: string): boolean => {
    if (token === null) return false
    const a = Buffer.from(candidate)
    const b = Buffer.from(token)
    return a.length === b.length && timingSafeEqual(a, b)
  }
  app.decorate('setup', {
    get token () { return token },
    async createFirstAdmin (candidate, account) {
      const { organisers } = app.services
      if (await organisers.count() > 0) throw appError('SETUP_DONE')
      if (!matches(candidate)) throw appError('SETUP_TOKEN_INVALID')
      const created = await organisers.createFirstAdmin(account)
      token = null
      if (created === undefined) throw appError('SETUP_DONE')
      return created
    }
  } satisfies FirstRunSetup)
  app.addHook('onReady', async () => {
    if (await app.services.organisers.count() === 0) token = randomBytes(24).toString('base64url')
  })
}

export default fp(setupPlugin, { name: 'setup', dependencies: ['services'] })
