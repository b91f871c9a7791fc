import { createHash, randomBytes } from 'node:crypto'

// Session, API and confirmation tokens are 256 random bits: too many to guess, so a plain SHA-256 is
// enough to store them (a slow password hash would add nothing), and only the hash is ever stored.

export const newToken = (prefix = ''): string => prefix + randomBytes(32).toString('base64url')
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url')
