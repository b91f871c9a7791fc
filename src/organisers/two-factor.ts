import { randomBytes } from 'node:crypto'
import { and, eq, isNull, sql } from 'drizzle-orm'
import { Secret, TOTP } from 'otpauth'
import type { Database } from '../db/connection.js'
import { organisers, recoveryCodes } from '../db/schema.js'
import { appError } from '../errors/app-error.js'
import { keyedHash } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'

const PERIOD_S = 30

/** The address as a QR code in SVG; qrcode is loaded on the first enrolment (8 MB most instances never need). */
async function qrCode (uri: string): Promise<string> {
  const { default: QRCode } = await import('qrcode')
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
}

export const RECOVERY_CODE_COUNT = 10
const ISSUER = 'Solidaria'

const totpOf = (secret: string, label: string): TOTP =>
  new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: Secret.fromBase32(secret) })

/** What a person types: spaces and hyphens dropped, letters in upper case (recovery codes are case-blind). */
const cleanCode = (code: string): string => code.replace(/[\s-]/g, '').toUpperCase()

/** A recovery code: 10 characters of Crockford-like base32 (50 bits), shown as two groups of five. */
function newRecoveryCode (): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ23456789'
  const bytes = randomBytes(10)
  let code = ''
  for (const byte of bytes) code += alphabet[byte % alphabet.length]
  return `${code.slice(0, 5)}-${code.slice(5)}`
}

// TOTP (RFC 6238) with any authenticator app. The secret is sealed under DATA_KEY like signers' data; a
// code is accepted once (the last accepted 30-second step is kept) and within one step of the clock.
// Recovery codes are kept as keyed hashes and each works once.
export function createTwoFactor (db: Database, options: { sealer: Sealer, recoveryKey: Buffer, now?: () => number }) {
  const now = options.now ?? Date.now
  const hashCode = (code: string): string => keyedHash(options.recoveryKey, cleanCode(code))

  async function account (organiserId: string) {
    const [row] = await db
      .select({ email: organisers.email, totpSealed: organisers.totpSealed, totpEnabledAt: organisers.totpEnabledAt, totpLastStep: organisers.totpLastStep })
      .from(organisers).where(eq(organisers.id, organiserId)).limit(1)
    if (row === undefined) throw appError('UNAUTHENTICATED')
    return row
  }

  /** The step of a valid, not yet used code from this secret, or null. */
  function acceptedStep (secret: string, email: string, code: string, lastStep: number | null): number | null {
    const token = cleanCode(code)
    if (!/^\d{6}$/.test(token)) return null
    const timestamp = now()
    const delta = totpOf(secret, email).validate({ token, timestamp, window: 1 })
    if (delta === null) return null
    const step = Math.floor(timestamp / 1000 / PERIOD_S) + delta
    return lastStep !== null && step <= lastStep ? null : step
  }

  /** Records a step as used, unless another request used it (or a later one) first. */
  async function claimStep (organiserId: string, step: number): Promise<boolean> {
    const claimed = await db.update(organisers).set({ totpLastStep: step })
      .where(and(eq(organisers.id, organiserId), sql`coalesce(${organisers.totpLastStep}, -1) < ${step}`)).returning({ id: organisers.id })
    return claimed.length > 0
  }

  async function issueRecoveryCodes (organiserId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
    await db.transaction(async (tx) => {
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.organiserId, organiserId))
      await tx.insert(recoveryCodes).values(codes.map((code) => ({ organiserId, codeHash: hashCode(code) })))
    })
    return codes
  }

  return {
    /**
     * Starts enrolment: a new secret, sealed and kept (not yet in force), with its otpauth:// address and
     * that address as a QR code (SVG, drawn here: no image service sees the secret).
     */
    async begin (organiserId: string): Promise<{ secret: string, uri: string, qrSvg: string }> {
      const { email, totpEnabledAt } = await account(organiserId)
      if (totpEnabledAt !== null) throw appError('TWO_FACTOR_ALREADY_ON')
      const secret = new Secret({ size: 20 }).base32
      await db.update(organisers).set({ totpSealed: options.sealer.seal(secret), totpLastStep: null }).where(eq(organisers.id, organiserId))
      const uri = totpOf(secret, email).toString()
      return { secret, uri, qrSvg: await qrCode(uri) }
    },

    /** The enrolment under way again (a wrong first code): the same secret and its QR code. */
    async pending (organiserId: string): Promise<{ secret: string, uri: string, qrSvg: string }> {
      const { email, totpSealed, totpEnabledAt } = await account(organiserId)
      if (totpEnabledAt !== null || totpSealed === null) throw appError('TWO_FACTOR_NOT_STARTED')
      const secret = options.sealer.open(totpSealed)
      const uri = totpOf(secret, email).toString()
      return { secret, uri, qrSvg: await qrCode(uri) }
    },

    /** Ends enrolment with a first code from the app: two-factor sign-in is then on, and ten recovery codes are issued (shown once). */
    async confirm (organiserId: string, code: string): Promise<{ recoveryCodes: string[] }> {
      const { email, totpSealed, totpEnabledAt, totpLastStep } = await account(organiserId)
      if (totpEnabledAt !== null) throw appError('TWO_FACTOR_ALREADY_ON')
      if (totpSealed === null) throw appError('TWO_FACTOR_NOT_STARTED')
      const step = acceptedStep(options.sealer.open(totpSealed), email, code, totpLastStep)
      if (step === null || !await claimStep(organiserId, step)) throw appError('TWO_FACTOR_CODE_INVALID')
      await db.update(organisers).set({ totpEnabledAt: new Date() }).where(eq(organisers.id, organiserId))
      return { recoveryCodes: await issueRecoveryCodes(organiserId) }
    },

    /** A code at sign-in: from the app, or one of the recovery codes (which is then spent). */
    async verifyForSignIn (organiserId: string, code: string): Promise<{ ok: boolean, recoveryCodesLeft: number | null }> {
      const { email, totpSealed, totpEnabledAt, totpLastStep } = await account(organiserId)
      if (totpEnabledAt === null || totpSealed === null) return { ok: false, recoveryCodesLeft: null }
      const step = acceptedStep(options.sealer.open(totpSealed), email, code, totpLastStep)
      if (step !== null) return { ok: await claimStep(organiserId, step), recoveryCodesLeft: null }
      const spent = await db.update(recoveryCodes).set({ usedAt: new Date() })
        .where(and(eq(recoveryCodes.organiserId, organiserId), eq(recoveryCodes.codeHash, hashCode(code)), isNull(recoveryCodes.usedAt)))
        .returning({ codeHash: recoveryCodes.codeHash })
      if (spent.length === 0) return { ok: false, recoveryCodesLeft: null }
      return { ok: true, recoveryCodesLeft: await this.recoveryCodesLeft(organiserId) }
    },

    async recoveryCodesLeft (organiserId: string): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(recoveryCodes)
        .where(and(eq(recoveryCodes.organiserId, organiserId), isNull(recoveryCodes.usedAt)))
      return row?.n ?? 0
    },

    /** New recovery codes (the old ones stop working), after a current code from the app. */
    async renewRecoveryCodes (organiserId: string, code: string): Promise<{ recoveryCodes: string[] }> {
      const { email, totpSealed, totpEnabledAt, totpLastStep } = await account(organiserId)
      if (totpEnabledAt === null || totpSealed === null) throw appError('TWO_FACTOR_NOT_STARTED')
      const step = acceptedStep(options.sealer.open(totpSealed), email, code, totpLastStep)
      if (step === null || !await claimStep(organiserId, step)) throw appError('TWO_FACTOR_CODE_INVALID')
      return { recoveryCodes: await issueRecoveryCodes(organiserId) }
    },

    /** Turns two-factor sign-in off (the caller checked the password); the secret and the recovery codes are deleted. */
    async disable (organiserId: string): Promise<void> {
      await db.update(organisers).set({ totpSealed: null, totpEnabledAt: null, totpLastStep: null }).where(eq(organisers.id, organiserId))
      await db.delete(recoveryCodes).where(eq(recoveryCodes.organiserId, organiserId))
    }
  }
}

export type TwoFactor = ReturnType<typeof createTwoFactor>
