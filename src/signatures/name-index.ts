import { keyedHash } from '../secrets/keys.js'

// A private name is sealed, so the database cannot search inside it. Paper signatures therefore carry a
// keyed blind index (see README, Privacy): the HMAC of each normalised word of the name, so that an
// organiser who types "Ibáñez" finds "Tomás Ibáñez", and one HMAC of the whole name with the country,
// which flags a second entry for the same person when a sheet has no email to tell. Without the key
// (SECRET_KEY) the hashes say nothing; with it, someone can test whether a guessed name signed.

/** A name's words as compared: NFKD without accents, lower case, letters and digits only ("Ibáñez" → "ibanez"). */
export function nameWords (name: string): string[] {
  const words = name.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('und').split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0)
  return [...new Set(words)]
}

export function nameWordHashes (key: Buffer, name: string): string[] {
  return nameWords(name).map((word) => keyedHash(key, `word:${word}`))
}

/** The same for one name and country, whatever the order or accents of its words ("IBÁÑEZ, Tomás" = "Tomás Ibáñez"). */
export function nameKey (key: Buffer, name: string, country: string): string {
  return keyedHash(key, `name:${country}:${nameWords(name).sort().join(' ')}`)
}
