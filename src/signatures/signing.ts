import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { assertSigningOpen, type Appeal } from '../appeals/service.js'
import { isUniqueViolation, prepareStatement, type Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'
import { keyedHash, type Keys } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'
import { domainHash, normaliseEmail } from './email.js'
import { nameKey, nameWordHashes } from './name-index.js'
import { sealPersonal } from './personal-fields.js'
import { checkSigningRules } from './signing-rules.js'
import type { NewSignature, Signature, SignatureInput, SignatureSource, SigningContext } from './signature.js'

/**
 * The one statement that records a signature waiting for email confirmation together with what it sets
 * off (its mail, see confirmation/): both are written at once or not at all, even if the process dies
 * right after. `build` makes it once, around `insert` (the signature's INSERT … ON CONFLICT DO NOTHING
 * RETURNING id), and may use the placeholders `appealId`, `emailHash` and `language`; `values` gives
 * the values of its own placeholders for each signature.
 */
export interface PendingSignatureStatement {
  build: (insert: SQL) => SQL
  values: () => Record<string, unknown>
}

const insertColumns = [
  'appealId', 'kind', 'status', 'name', 'sealed', 'emailHash', 'emailDomainHash', 'country', 'city', 'organisation', 'role', 'organisationType',
  'members', 'public', 'contact', 'consentVersion', 'locale', 'source', 'embedOrigin', 'ipHash', 'createdAt', 'confirmedAt'
] as const satisfies ReadonlyArray<keyof NewSignature>

/** Undefined for a second signature with the same email on the same appeal (it changes nothing). */
function duplicateAsNothing (err: unknown): undefined {
  if (isUniqueViolation(err, 'signatures_appeal_email_uq')) return undefined
  throw err
}

export interface SigningOptions { keys: Keys, sealer: Sealer, consentVersion: string, pendingStatement?: PendingSignatureStatement }

/** Signing: on the site, in a widget, through the API, and paper signatures imported in bulk. */
export function createSigning (db: Database, options: SigningOptions) {
  // Signing is the hot path: its statement is built once and prepared, not rebuilt for every signature.
  // Times go in as ISO text cast by PostgreSQL: drizzle's Date encoder would fail on a null placeholder.
  const timeColumns = new Set<string>(['createdAt', 'confirmedAt'])
  const placeholderRow = Object.fromEntries(insertColumns.map((c) => [c, timeColumns.has(c) ? sql`${sql.placeholder(c)}::timestamptz` : sql.placeholder(c)])) as unknown as NewSignature
  const placeholderValues = (row: NewSignature): Record<string, unknown> => {
    const values: Record<string, unknown> = {}
    for (const c of insertColumns) {
      const value = row[c] ?? null
      values[c] = value instanceof Date ? value.toISOString() : value
    }
    return values
  }
  // A duplicate is found by the unique index on (appeal, email hash) failing the insert: duplicates are
  // rare, and ON CONFLICT would make every insert take PostgreSQL's costlier speculative path.
  const prepared = db.insert(signatures).values(placeholderRow).returning({ id: signatures.id }).prepare('insert_signature')
  /** Inserts a signature; returns its id, or undefined for a duplicate. */
  async function insertPrepared (row: NewSignature): Promise<number | undefined> {
    const written = await prepared.execute(placeholderValues(row)).catch(duplicateAsNothing)
    if (written !== undefined && written.length === 0) throw new Error('signature insert returned no row')
    return written?.[0]?.id
  }
  // A signature waiting for confirmation, and what it sets off: one statement, prepared once, so that
  // signing costs one round trip either way. Here a duplicate does nothing (the statement's mail tells
  // the address's owner), so that the answer is the same.
  const pending = options.pendingStatement === undefined
    ? undefined
    : {
        statement: prepareStatement(db, 'insert_pending_signature', options.pendingStatement.build(
          db.insert(signatures).values(placeholderRow)
            .onConflictDoNothing({ target: [signatures.appealId, signatures.emailHash] })
            .returning({ id: signatures.id }).getSQL())),
        values: options.pendingStatement.values
      }

  /** A signature's row: its personal fields sealed, its email and address only as keyed hashes. */
  function buildRow (appeal: Appeal, input: SignatureInput, context: { ip?: string, source: SignatureSource, embedOrigin?: string, now?: Date, status: 'pending' | 'confirmed' }): NewSignature {
    const now = context.now ?? new Date()
    // Only a paper signature comes without an email (see insertImported).
    const email = input.email === '' ? null : normaliseEmail(input.email)
    const shownPublicly = input.public ?? false
    const personal = sealPersonal(options.sealer, {
      email,
      name: input.name,
      city: appeal.collectCity ? input.city ?? null : null,
      organisation: input.kind === 'organisation' || appeal.collectOrganisation ? input.organisation ?? null : null,
      role: appeal.collectRole ? input.role ?? null : null
    }, shownPublicly)
    return {
      appealId: appeal.id,
      kind: input.kind,
      status: context.status,
      ...personal,
      emailHash: email === null ? null : keyedHash(options.keys.emailHash, email),
      emailDomainHash: email === null ? null : domainHash(options.keys.emailDomainHash, email),
      country: input.country,
      organisationType: input.organisationType,
      members: input.members,
      public: shownPublicly,
      contact: input.contact ?? false,
      consentVersion: input.consentVersion ?? options.consentVersion,
      locale: input.locale,
      source: context.source,
      embedOrigin: context.embedOrigin,
      // Paper signatures came through no client address.
      ipHash: context.ip === undefined ? null : keyedHash(options.keys.ipHash, context.ip),
      createdAt: now,
      confirmedAt: context.status === 'confirmed' ? now : null
    }
  }

  return {
    /**
     * Records a signature. Nothing is written when anything is wrong. A second signature with the same
     * email on the same appeal gets the very same answer as a first one, so the answer never tells
     * whether an address signed (its signers may live under a state of emergency), and changes nothing;
     * where confirmation is needed, the address's owner gets a mail instead (see the hook).
     */
    async sign (appeal: Appeal, input: SignatureInput, context: SigningContext): Promise<{ status: Signature['status'], confirmedId?: number }> {
      assertSigningOpen(appeal, context.now)
      checkSigningRules(appeal, input)
      const needsConfirmation = appeal.requireConfirmation
      const row = buildRow(appeal, input, { ...context, status: needsConfirmation ? 'pending' : 'confirmed' })
      if (!needsConfirmation || pending === undefined) {
        const id = await insertPrepared(row)
        // The id of a signature that counts from now (for webhooks); never answered to the signer.
        return { status: row.status, ...(id !== undefined && row.status === 'confirmed' && { confirmedId: id }) }
      }
      await pending.statement.execute({ ...placeholderValues(row), language: context.language ?? appeal.originalLanguage, ...pending.values() })
      return { status: 'pending' }
    },

    /** The emails (as given) among these that signed this appeal already. */
    async emailsSigned (appeal: Appeal, emails: string[]): Promise<Set<string>> {
      const byHash = new Map(emails.map((e) => [keyedHash(options.keys.emailHash, normaliseEmail(e)), normaliseEmail(e)]))
      const found = new Set<string>()
      const hashes = [...byHash.keys()]
      for (let i = 0; i < hashes.length; i += 1000) {
        const rows = await db.select({ emailHash: signatures.emailHash }).from(signatures)
          .where(and(eq(signatures.appealId, appeal.id), inArray(signatures.emailHash, hashes.slice(i, i + 1000))))
        for (const row of rows) found.add(byHash.get(row.emailHash ?? '') ?? '')
      }
      return found
    },

    /**
     * Records signatures collected on paper (checked by the caller as the form would be): confirmed,
     * with source "import" and the event they came from, all in one transaction, at the time each was
     * signed (now, where not given). An email that signed already is skipped, not an error. Returns how
     * many were written and which emails were skipped.
     */
    async insertImported (
      appeal: Appeal,
      imported: Array<{ input: SignatureInput, signedAt?: Date }>,
      context: { eventId: string | null }
    ): Promise<{ inserted: number, skipped: Set<string> }> {
      // An imported signature may have no email (input.email ''): it gets none, and no mail. Its name's
      // blind index lets organisers find it and flags a second entry for the same person.
      const rows = imported.map(({ input, signedAt }) => ({
        ...buildRow(appeal, input, { source: 'import', status: 'confirmed', ...(signedAt !== undefined && { now: signedAt }) }),
        eventId: context.eventId,
        nameWords: nameWordHashes(options.keys.nameIndex, input.name),
        nameKey: nameKey(options.keys.nameIndex, input.name, input.country)
      }))
      const written = new Set<string>()
      let inserted = 0
      await db.transaction(async (tx) => {
        for (let i = 0; i < rows.length; i += 500) {
          const done = await tx.insert(signatures).values(rows.slice(i, i + 500))
            .onConflictDoNothing({ target: [signatures.appealId, signatures.emailHash] }).returning({ emailHash: signatures.emailHash })
          inserted += done.length
          for (const row of done) if (row.emailHash !== null) written.add(row.emailHash)
        }
      })
      const emails = imported.filter(({ input }) => input.email !== '').map(({ input }) => normaliseEmail(input.email))
      const skipped = new Set(emails.filter((email) => !written.has(keyedHash(options.keys.emailHash, email))))
      return { inserted, skipped }
    },

    /** Which of these name keys (signatures/name-index.ts) the appeal's paper signatures have already. */
    async nameKeysSigned (appeal: Appeal, keys: string[]): Promise<Set<string>> {
      const found = new Set<string>()
      for (let i = 0; i < keys.length; i += 1000) {
        const rows = await db.select({ nameKey: signatures.nameKey }).from(signatures)
          .where(and(eq(signatures.appealId, appeal.id), inArray(signatures.nameKey, keys.slice(i, i + 1000))))
        for (const row of rows) if (row.nameKey !== null) found.add(row.nameKey)
      }
      return found
    }
  }
}
