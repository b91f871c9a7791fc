import { createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, paths, type Config } from '../config.js'

/** Keys derived from SECRET_KEY, one per purpose, so that no key serves two uses. */
export interface Keys {
  ipHash: Buffer
  emailHash: Buffer
}

export interface SecretSource { secret: string, origin: 'environment' | 'generated' | 'data-dir' | 'memory' }

/**
 * SECRET_KEY from the environment; otherwise, for the embedded default, the one kept in DATA_DIR/secret.key,
 * made on first start. Several instances must share one SECRET_KEY, so a server database requires it.
 */
export function resolveSecret (config: Config): SecretSource {
  if (config.SECRET_KEY !== undefined) return { secret: config.SECRET_KEY, origin: 'environment' }
  if (config.DATABASE_URL !== undefined) {
    throw new ConfigError('SECRET_KEY must be set when DATABASE_URL is: every instance has to hash with the same key (e.g. `openssl rand -base64 48`).')
  }
  const dataDir = paths.dataDir(config)
  if (dataDir === 'memory://') return { secret: randomBytes(48).toString('base64'), origin: 'memory' }
  const file = join(dataDir, 'secret.key')
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), origin: 'data-dir' }
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(48).toString('base64')
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  return { secret, origin: 'generated' }
}

export function deriveKeys (secret: string): Keys {
  const derive = (purpose: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'solidaria', purpose, 32))
  return { ipHash: derive('ip-hash'), emailHash: derive('email-hash') }
}

export function keyedHash (key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url')
}
