import { keyedHash } from '../secrets/keys.js'

export const normaliseEmail = (email: string): string => email.normalize('NFC').trim().toLowerCase()
/** The keyed hash of an email's domain (`example.org` of `ana@example.org`, or a domain given alone). */
export const domainHash = (key: Buffer, emailOrDomain: string): string => keyedHash(key, normaliseEmail(emailOrDomain).split('@').pop() ?? '')
