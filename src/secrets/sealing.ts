import { createCipheriv, createSecretKey, randomBytes, randomFillSync } from 'node:crypto'
import { ConfigError, type Config } from '../config.js'
import { resolveFileSecret, type SecretSource } from './keys.js'
import { createOpener, keyIdOf } from './open-sealed.js'

// Personal data at rest (emails, and the names of signers who are not shown publicly) is sealed with
// AES-256-GCM under DATA_KEY, which never enters the database: a stolen copy of the database alone
// reveals no one. A sealed value is "<key id>.<base64url(iv | ciphertext | tag)>"; the key id (a hash
// of the key, not the key) says which key opens it, so data can be re-encrypted under a new key while
// the old one still opens what has not been moved yet.

const IV_BYTES = 12
const KEY_BYTES = 32

export interface Sealer {
  /** The id of the key new values are sealed under. */
  readonly keyId: string
  seal: (plain: string) => string
  /** Opens a sealed value; throws if it was altered or its key is not configured. */
  open: (sealed: string) => string
  /** Whether a sealed value is under the current key (re-encryption skips those). */
  isCurrent: (sealed: string) => boolean
  /** The keys themselves (the previous ones, then the current): the export's worker threads open values on their own. */
  readonly dataKeys: readonly Buffer[]
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$/

/** Reads a key given as base64 (44 characters) or hex (64 digits); names the setting when it is not one. */
export function parseDataKey (value: string, setting: string): Buffer {
  const text = value.trim()
  if (HEX_KEY.test(text)) return Buffer.from(text, 'hex')
  if (BASE64_KEY.test(text)) return Buffer.from(text, 'base64')
  throw new ConfigError(`${setting} must be 32 random bytes in base64 or hex (e.g. \`openssl rand -base64 32\`).`)
}

export function createSealer (current: Buffer, previous: Buffer[] = []): Sealer {
  const dataKeys = [...previous, current]
  const keyId = keyIdOf(current)
  // A key object: the key is handed to OpenSSL once, not copied on every seal.
  const currentKey = createSecretKey(current)
  // IVs are taken 12 random bytes at a time from a block refilled from the CSPRNG when used up, each once:
  // a call into OpenSSL per IV was a third of the cost of sealing a signature. createCipheriv copies its IV.
  const ivBlock = Buffer.alloc(IV_BYTES * 256)
  let ivOffset = ivBlock.length
  const nextIv = (): Buffer => {
    if (ivOffset === ivBlock.length) {
      randomFillSync(ivBlock)
      ivOffset = 0
    }
    ivOffset += IV_BYTES
    return ivBlock.subarray(ivOffset - IV_BYTES, ivOffset)
  }
  return {
    keyId,
    seal (plain) {
      const iv = nextIv()
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv)
      const body = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return `${keyId}.${body.toString('base64url')}`
    },
    open: createOpener(dataKeys),
    isCurrent: (sealed) => sealed.startsWith(keyId + '.'),
    dataKeys
  }
}

/** DATA_KEY, or the embedded default's DATA_DIR/data.key (made on first start); and DATA_KEY_PREVIOUS. */
export function resolveDataKeys (config: Config): { current: Buffer, previous: Buffer[], origin: SecretSource['origin'] } {
  const source = resolveFileSecret(config, 'DATA_KEY', 'data.key', () => randomBytes(KEY_BYTES).toString('base64'), 'openssl rand -base64 32')
  const current = parseDataKey(source.secret, source.origin === 'environment' ? 'DATA_KEY' : 'The key in DATA_DIR/data.key')
  const previous = (config.DATA_KEY_PREVIOUS ?? '').split(',').filter((k) => k.trim() !== '').map((k) => parseDataKey(k, 'Each key in DATA_KEY_PREVIOUS'))
  return { current, previous, origin: source.origin }
}
