import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { deriveKeys, resolveSecret, type Keys } from '../secrets/keys.js'
import { createSealer, resolveDataKeys, type Sealer } from '../secrets/sealing.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    keys: Keys
    /** Seals and opens personal data at rest under DATA_KEY. */
    sealer: Sealer
  }
}

async function configPlugin (app: FastifyInstance, opts: { config: Config }): Promise<void> {
  const source = resolveSecret(opts.config)
  if (source.origin === 'generated') app.log.warn('Generated a new SECRET_KEY in DATA_DIR/secret.key: back it up with the database.')
  const dataKeys = resolveDataKeys(opts.config)
  if (dataKeys.origin === 'generated') {
    app.log.warn('Generated a new DATA_KEY in DATA_DIR/data.key: back it up, apart from the database backups. Without it the signers\' emails and private names cannot be read.')
  }
  app.decorate('config', opts.config)
  app.decorate('keys', deriveKeys(source.secret))
  app.decorate('sealer', createSealer(dataKeys.current, dataKeys.previous))
}

export default fp(configPlugin, { name: 'config' })
