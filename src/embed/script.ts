import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { paths } from '../config.js'

export const EMBED_SCRIPT = 'embed.js'

/**
 * embed.js, at an address that never changes (snippets on other sites name it), so it is cached for an
 * hour rather than for ever, revalidated by its ETag, and sent compressed where the browser accepts it.
 */
export async function embedScript (app: FastifyInstance): Promise<void> {
  if (!existsSync(join(paths.embedBuild, EMBED_SCRIPT))) {
    app.log.warn('embed.js has not been built (npm run build:web): widgets can still be framed directly')
    return
  }
  await app.register(fastifyStatic, {
    root: paths.embedBuild,
    prefix: '/',
    decorateReply: false,
    wildcard: false,
    index: false,
    preCompressed: true,
    maxAge: '1h',
    allowedPath: (path) => path === `/${EMBED_SCRIPT}`
  })
}
