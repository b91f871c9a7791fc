import { createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, paths, type Config } from '../config.js'

/** Keys derived from SECRET_KEY, one per purpose, so that no key serves two uses. */
export interface Keys {
  ipHash: Buffer
  emailHash: Buffer
  /** Signs the link in every mail with which a signer removes their signature. */
  removalLink: Buffer
  /** Signs the link in every mail with which a signer stops mail about an appeal (updates/unsubscribe.ts). */
  unsubscribeLink: Buffer
  /** The HMAC of an email's domain, for hiding spam from one domain at once. */
  emailDomainHash: Buffer
  /** The blind index of paper signatures' name words (imports/name-index.ts). */
  nameIndex: Buffer
  /** Derives the private link with which a supporter reports on their event afterwards. */
  eventReport: Buffer
  /** The address in the audit trail: a key of its own, so it cannot be matched with a signer's address hash. */
  auditIpHash: Buffer
  /** Organisers' two-factor recovery codes. */
  recoveryCode: Buffer
}

export interface SecretSource { secret: string, origin: 'environment' | 'generated' | 'data-dir' | 'memory' }

/**
 * A secret from the environment; otherwise, for the embedded default, the one kept in DATA_DIR/<file>,
 * made on first start by `make`. Several instances must share their secrets, so a server database
 * requires the environment variable.
 */
export function resolveFileSecret (config: Config, variable: 'SECRET_KEY' | 'DATA_KEY', file: string, make: () => string, example: string): SecretSource {
  const fromEnvironment = config[variable]
  if (fromEnvironment !== undefined) return { secret: fromEnvironment, origin: 'environment' }
  if (config.DATABASE_URL !== undefined) {
    throw new ConfigError(`${variable} must be set when DATABASE_URL is: every instance has to use the same key (e.g. \`${example}\`).`)
  }
  const dataDir = paths.dataDir(config)
  if (dataDir === 'memory://') return { secret: make(), origin: 'memory' }
  const path = join(dataDir, file)
  if (existsSync(path)) return { secret: readFileSync(path, 'utf8').trim(), origin: 'data-dir' }
  mkdirSync(dataDir, { recursive: true })
  const secret = make()
  writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' })
  chmodSync(path, 0o600)
  return { secret, origin: 'generated' }
}

/** SECRET_KEY, or the embedded default's DATA_DIR/secret.key. */
export function resolveSecret (config: Config): SecretSource {
  return resolveFileSecret(config, 'SECRET_KEY', 'secret.key', () => randomBytes(48).toString('base64'), 'openssl rand -base64 48')
}

export function deriveKeys (secret: string): Keys {
  const derive = (purpose: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'solidaria', purpose, 32))
  return {
    ipHash: derive('ip-hash'), emailHash: derive('email-hash'), removalLink: derive('removal-link'), unsubscribeLink: derive('unsubscribe-link'), emailDomainHash: derive('email-domain-hash'),
    nameIndex: derive('name-index'), eventReport: derive('event-report'), auditIpHash: derive('audit-ip-hash'), recoveryCode: derive('recovery-code')
  }
}

export function keyedHash (key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url')
}
