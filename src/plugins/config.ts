import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { deriveKeys, resolveSecret, type Keys } from '../secrets/keys.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    keys: Keys
  }
}

async function configPlugin (app: FastifyInstance, opts: { config: Config }): Promise<void> {
  const source = resolveSecret(opts.config)
  if (source.origin === 'generated') app.log.warn('Generated a new SECRET_KEY in DATA_DIR/secret.key: back it up with the database.')
  app.decorate('config', opts.config)
  app.decorate('keys', deriveKeys(source.secret))
}

export default fp(configPlugin, { name: 'config' })
