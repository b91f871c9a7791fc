import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { invalidFields } from '../errors/app-error.js'
import { commonPasswords } from './common-passwords.js'

// scrypt is memory-hard and ships with Node (no native build). Its cost is log2(N): 15 (the default of
// PASSWORD_HASH_COST), with r=8, takes 32 MiB and about a tenth of a second per hash.
const KEY_LENGTH = 32
export const MIN_PASSWORD_LENGTH = 10

interface Params { N: number, r: number, p: number }

function derive (password: string, salt: Buffer, params: Params): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...params, maxmem: 256 * params.N * params.r }, (err, key) => {
      if (err !== null) reject(err)
      else resolve(key)
    })
  })
}

/** Hashing at the configured cost; hashes made at another cost still verify, since each names its own. */
export function createPasswords (cost: number) {
  const params: Params = { N: 2 ** cost, r: 8, p: 1 }
  /** `scrypt$N$r$p$salt$hash`, so that the parameters can be raised later without breaking old hashes. */
  async function hash (password: string): Promise<string> {
    const salt = randomBytes(16)
    const key = await derive(password, salt, params)
    return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$')
  }
  let unknownUserHash: Promise<string> | undefined
  return {
    hash,
    verify: verifyPassword,
    // Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
    unknownUserHash: async () => await (unknownUserHash ??= hash(randomBytes(16).toString('hex')))
  }
}

export async function verifyPassword (password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/**
 * The one check of a password someone chooses (invitation, change, reset, first admin): long enough,
 * and not one of the passwords people choose most often. Throws the form's field error.
 */
export function checkNewPassword (password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw invalidFields({ password: { key: 'password', params: { limit: MIN_PASSWORD_LENGTH } } })
  const plain = password.normalize('NFC').toLowerCase()
  if (commonPasswords.has(plain) || commonPasswords.has(plain.replace(/[^\p{L}\p{N}]+$/u, ''))) throw invalidFields({ password: { key: 'passwordCommon' } })
}
