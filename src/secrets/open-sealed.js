import { createDecipheriv, createHash, createSecretKey } from 'node:crypto'

// Opening a sealed value (secrets/sealing.ts) in plain JavaScript that needs only Node's built-ins, so
// that the export's worker threads (exports/format-worker.js) load it as they are, from src/ under the
// tests and from dist/ in production, without tsx's hooks.

const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * The id a sealed value names its key by: a hash of the key, not the key.
 * @param {Buffer} dataKey
 * @returns {string}
 */
export const keyIdOf = (dataKey) => createHash('sha256').update('solidaria data key id/').update(dataKey).digest('hex').slice(0, 12)

/**
 * Opens values sealed under any of the keys; throws if one was altered or its key is not among them.
 * @param {readonly Buffer[]} dataKeys
 * @returns {(sealed: string) => string}
 */
export function createOpener (dataKeys) {
  // Key objects: the key is handed to OpenSSL once, not copied on every open (an export opens millions).
  const keys = new Map(dataKeys.map((key) => [keyIdOf(key), createSecretKey(key)]))
  return (sealed) => {
    const dot = sealed.indexOf('.')
    const id = sealed.slice(0, dot)
    const key = keys.get(id)
    if (dot < 0 || key === undefined) {
      throw new Error(`A value is sealed under data key ${id || '(none)'}, which is neither DATA_KEY nor in DATA_KEY_PREVIOUS.`)
    }
    const body = Buffer.from(sealed.slice(dot + 1), 'base64url')
    // A tag of exactly 16 bytes: without authTagLength, Node takes a shorter one, and a value cut short by
    // someone who can write to the database (but has no key) would be checked against a few bytes only.
    const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES })
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    return decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES), undefined, 'utf8') + decipher.final('utf8')
  }
}
