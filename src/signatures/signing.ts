import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { assertSigningOpen, type Appeal } from '../appeals/service.js'
import { prepareStatement, rowsOf, type Database } from '../db/connection.js'
import { createGroupCommit } from '../db/group-commit.js'
import { signatures } from '../db/schema.js'
import { keyedHash, type Keys } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'
import { domainHash, normaliseEmail } from './email.js'
import { nameKey, nameWordHashes } from './name-index.js'
import { sealPersonal } from './personal-fields.js'
import { checkSigningRules } from './signing-rules.js'
import type { NewSignature, Signature, SignatureInput, SignatureSource, SigningContext } from './signature.js'

/**
 * The statement that records signatures waiting for email confirmation together with what they set off
 * (their mails, see confirmation/): all are written at once or not at all, even if the process dies
 * right after, for a whole group of signers at once. `build` makes it once: what follows the CTE `input`
 * (one row per signature: the signature's columns, `language`, and the `columns` named here with their
 * types) in the statement's WITH list, and its final SELECT. `insert` is the signatures' INSERT … SELECT
 * from input … ON CONFLICT DO NOTHING RETURNING id, appeal_id, email_hash. `values` gives one signature's
 * values of the `columns`.
 */
export interface PendingSignatureStatement {
  columns: Record<string, string>
  build: (insert: SQL) => SQL
  values: () => Record<string, unknown>
}

const insertColumns = [
  'appealId', 'kind', 'status', 'name', 'sealed', 'emailHash', 'emailDomainHash', 'country', 'city', 'organisation', 'role', 'organisationType',
  'members', 'public', 'contact', 'consentVersion', 'locale', 'source', 'embedOrigin', 'ipHash', 'createdAt', 'confirmedAt'
] as const satisfies ReadonlyArray<keyof NewSignature>

/** How signatures that arrive together are written together (db/group-commit.ts). */
export interface SigningGroups { windowMs: number, maxGroup: number, maxInFlight: number }

export interface SigningOptions {
  keys: Keys
  sealer: Sealer
  consentVersion: string
  pendingStatement?: PendingSignatureStatement
  groups?: SigningGroups
}

// A group's statement fails as a whole; when PostgreSQL refused it for what one row holds (a data or
// integrity error, SQLSTATE classes 22 and 23), each signature is tried alone so that one refused
// signature does not fail the signers it happened to arrive with.
const refusedForItsData = (err: unknown): boolean => /^2[23]/.test(String((err as { cause?: { code?: unknown } }).cause?.code ?? ''))

/** Signing: on the site, in a widget, through the API, and paper signatures imported in bulk. */
export function createSigning (db: Database, options: SigningOptions) {
  // Signing is the hot path: concurrent signatures are written by one statement (built once and prepared),
  // their rows passed as one JSON array that PostgreSQL reads back with their columns' own types.
  const record = sql.join([
    ...insertColumns.map((c) => sql`${sql.identifier(signatures[c].name)} ${sql.raw(signatures[c].getSQLType())}`),
    sql`language text`,
    ...Object.entries(options.pendingStatement?.columns ?? {}).map(([name, type]) => sql`${sql.identifier(name)} ${sql.raw(type)}`)
  ], sql`, `)
  const columnList = sql.join(insertColumns.map((c) => sql.identifier(signatures[c].name)), sql`, `)
  const withInput = (statement: SQL): SQL => sql`with input as (select * from json_to_recordset(${sql.placeholder('rows')}::json) as r(${record}))
    ${statement}`
  // A second signature with the same email on the same appeal does nothing (ON CONFLICT): it must not fail the group.
  // Rows go in in the unique index's order, so that two groups waiting on each other's signers cannot deadlock.
  const insert = sql`insert into ${signatures} (${columnList}) select ${columnList} from input order by appeal_id, email_hash
    on conflict (${sql.identifier(signatures.appealId.name)}, ${sql.identifier(signatures.emailHash.name)}) do nothing
    returning ${signatures.id} as id, ${signatures.appealId} as appeal_id, ${signatures.emailHash} as email_hash`
  const confirmedStatement = prepareStatement(db, 'insert_signatures', withInput(insert))
  const pendingStatement = options.pendingStatement === undefined
    ? undefined
    : prepareStatement(db, 'insert_pending_signatures', withInput(sql`, ${options.pendingStatement.build(insert)}`))

  interface Row { row: NewSignature, language: string, extra?: Record<string, unknown> }
  const keyOf = ({ row }: Row): string => `${row.appealId} ${row.emailHash ?? ''}`
  const jsonRows = (group: Row[]): string => JSON.stringify(group.map(({ row, language, extra }) => {
    const values: Record<string, unknown> = { language, ...extra }
    for (const c of insertColumns) {
      const value = row[c] ?? null
      values[signatures[c].name] = value instanceof Date ? value.toISOString() : value
    }
    return values
  }))

  /** Writes a group; for signatures that count at once, the id of each one new (undefined for a duplicate). */
  function writer (statement: typeof confirmedStatement) {
    const writeGroup = async (group: Row[]): Promise<Array<PromiseSettledResult<number | undefined>>> => {
      const written = rowsOf<{ id: number | string | null, appeal_id: string, email_hash: string | null }>(await statement.execute({ rows: jsonRows(group) }))
      const ids = new Map<string, number>()
      for (const r of written) if (r.id !== null && r.id !== undefined) ids.set(`${r.appeal_id} ${r.email_hash ?? ''}`, Number(r.id))
      return group.map((item) => ({ status: 'fulfilled', value: ids.get(keyOf(item)) }))
    }
    return async (group: Row[]): Promise<Array<PromiseSettledResult<number | undefined>>> => {
      try {
        return await writeGroup(group)
      } catch (err) {
        if (group.length === 1 || !refusedForItsData(err)) throw err
        const alone: Array<PromiseSettledResult<number | undefined>> = []
        for (const item of group) {
          try {
            alone.push(...await writeGroup([item]))
          } catch (reason) {
            // Those written alone before are committed and keep their outcome; a failure that is not the
            // data's (the connection went) fails this signature and those not yet tried.
            if (!refusedForItsData(reason)) return [...alone, ...group.slice(alone.length).map(() => ({ status: 'rejected' as const, reason }))]
            alone.push({ status: 'rejected', reason })
          }
        }
        return alone
      }
    }
  }
  const groups = options.groups ?? { windowMs: 2, maxGroup: 100, maxInFlight: 1 }
  const confirmedGroups = createGroupCommit({ ...groups, key: keyOf, write: writer(confirmedStatement) })
  const pendingGroups = pendingStatement === undefined ? undefined : createGroupCommit({ ...groups, key: keyOf, write: writer(pendingStatement) })

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
      const language = context.language ?? appeal.originalLanguage
      if (!needsConfirmation || pendingGroups === undefined) {
        const id = await confirmedGroups.submit({ row, language })
        // The id of a signature that counts from now (for webhooks); never answered to the signer.
        return { status: row.status, ...(id !== undefined && row.status === 'confirmed' && { confirmedId: id }) }
      }
      await pendingGroups.submit({ row, language, extra: options.pendingStatement?.values() })
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
