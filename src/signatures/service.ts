import { randomUUID } from 'node:crypto'
import { and, desc, eq, ilike, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import { assertSigningOpen } from '../appeals/service.js'
import { isUniqueViolation, prepareStatement, type Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'
import { appError, invalidFields, type FieldError } from '../errors/app-error.js'
import { keyedHash, type Keys } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'
import { reveal, sealPersonal } from './personal-fields.js'

export type Signature = typeof signatures.$inferSelect
export type NewSignature = typeof signatures.$inferInsert
export type OrganisationType = NonNullable<Signature['organisationType']>
export type SignatureSource = Signature['source']

export interface SignatureInput {
  kind: 'individual' | 'organisation'
  name: string
  email: string
  country: string
  city?: string
  organisation?: string
  role?: string
  organisationType?: OrganisationType
  members?: number
  public?: boolean
  contact?: boolean
  consentVersion?: string
  locale?: string
  /** The honeypot: people never see it, so it stays empty. */
  website?: string
}

export interface SigningContext {
  ip: string
  source: SignatureSource
  /** For a signature made in the signing widget: the origin of the page that framed it. */
  embedOrigin?: string
  /** The site language the signer reads (their mail is written in it); the appeal's original by default. */
  language?: string
  now?: Date
}

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

export const normaliseEmail = (email: string): string => email.normalize('NFC').trim().toLowerCase()
/** The keyed hash of an email's domain (`example.org` of `ana@example.org`, or a domain given alone). */
export const domainHash = (key: Buffer, emailOrDomain: string): string => keyedHash(key, normaliseEmail(emailOrDomain).split('@').pop() ?? '')

// A cursor over (created_at, id), newest first; opaque to clients. The time is kept to the microsecond,
// as PostgreSQL stores it: a JS Date would round it to the millisecond and skip rows on the way.
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

function encodeCursor (at: string, id: number): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url')
}

function decodeCursor (cursor: string): { at: string, id: number } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown]
    if (typeof at === 'string' && CURSOR_TIME.test(at) && !Number.isNaN(Date.parse(at)) &&
      typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return { at, id }
  } catch {}
  throw invalidFields({ cursor: { key: 'invalid' } })
}

/** Signatures that count and may be shown: confirmed and not hidden as spam. */
export const counted = (): SQL => and(eq(signatures.status, 'confirmed'), isNull(signatures.hiddenAt)) as SQL

export interface AdminFilters {
  q?: string
  /** Signatures from one client address (its keyed hash, as the organisers' view shows it). */
  ipHash?: string
  /** Signatures whose email is at this domain (found through its keyed hash). */
  emailDomain?: string
  notable?: boolean
  status?: Signature['status']
  kind?: Signature['kind']
  country?: string
  hidden?: boolean
  /** Only those who may be contacted: agreed, confirmed and not hidden (or, with false, only those who did not agree). */
  contact?: boolean
  from?: string
  to?: string
}

/**
 * The conditions of an organiser's filters. `q` finds names and organisations shown in clear, and an
 * email address exactly (through its keyed hash: sealed fields cannot be searched inside).
 */
export function adminFilterConditions (appealId: string, f: AdminFilters, keys: Pick<Keys, 'emailHash' | 'emailDomainHash'>): SQL[] {
  const conditions: SQL[] = [eq(signatures.appealId, appealId)]
  // The table shows an address's hash by its first characters: those are enough to name it.
  if (f.ipHash !== undefined) conditions.push(f.ipHash.length >= 43 ? eq(signatures.ipHash, f.ipHash) : sql`left(${signatures.ipHash}, ${f.ipHash.length}) = ${f.ipHash}`)
  if (f.emailDomain !== undefined) conditions.push(eq(signatures.emailDomainHash, domainHash(keys.emailDomainHash, f.emailDomain)))
  if (f.notable !== undefined) conditions.push(eq(signatures.notable, f.notable))
  if (f.status !== undefined) conditions.push(eq(signatures.status, f.status))
  if (f.kind !== undefined) conditions.push(eq(signatures.kind, f.kind))
  if (f.country !== undefined) conditions.push(eq(signatures.country, f.country))
  if (f.hidden !== undefined) conditions.push(f.hidden ? isNotNull(signatures.hiddenAt) : isNull(signatures.hiddenAt))
  // Those who may be written to: who agreed, confirmed their address, and are not spam.
  if (f.contact === true) conditions.push(eq(signatures.contact, true), eq(signatures.status, 'confirmed'), isNull(signatures.hiddenAt))
  if (f.contact === false) conditions.push(eq(signatures.contact, false))
  // Validated ISO 8601 text, cast by PostgreSQL: a Date parameter is not serialised alike by both drivers.
  if (f.from !== undefined) conditions.push(sql`${signatures.createdAt} >= ${f.from}::timestamptz`)
  if (f.to !== undefined) conditions.push(sql`${signatures.createdAt} < ${f.to}::timestamptz`)
  if (f.q?.includes('@') === true) {
    // An address goes to the database only as its keyed hash, never as text to match.
    conditions.push(eq(signatures.emailHash, keyedHash(keys.emailHash, normaliseEmail(f.q))))
  } else if (f.q !== undefined) {
    const pattern = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`
    conditions.push(or(ilike(signatures.name, pattern), ilike(signatures.organisation, pattern)) as SQL)
  }
  return conditions
}

/**
 * The rules a signature meets beyond its schema (the form, the API and paper signatures alike): an empty
 * honeypot, organisations only where the appeal takes them, and an organisation's own fields.
 */
export function checkSigningRules (appeal: Appeal, input: SignatureInput): void {
  if (input.website !== undefined) throw appError('SPAM_SUSPECTED', {}, { website: { key: 'honeypot' } })
  if (input.kind === 'organisation' && !appeal.allowOrganisations) throw appError('ORGANISATIONS_NOT_ALLOWED', {}, { kind: { key: 'organisationsNotAllowed' } })
  const fields: Record<string, FieldError> = {}
  if (input.kind === 'organisation') {
    if (input.organisation === undefined) fields.organisation = { key: 'organisationRequired' }
    if (input.organisationType === undefined) fields.organisationType = { key: 'organisationTypeRequired' }
    if (input.members === undefined) fields.members = { key: 'membersRequired' }
  } else {
    if (input.organisationType !== undefined) fields.organisationType = { key: 'unknown' }
    if (input.members !== undefined) fields.members = { key: 'unknown' }
  }
  if (Object.keys(fields).length > 0) throw invalidFields(fields)
}

const insertColumns = [
  'appealId', 'kind', 'status', 'name', 'sealed', 'emailHash', 'emailDomainHash', 'country', 'city', 'organisation', 'role', 'organisationType',
  'members', 'public', 'contact', 'consentVersion', 'locale', 'source', 'embedOrigin', 'ipHash', 'createdAt', 'confirmedAt'
] as const satisfies ReadonlyArray<keyof NewSignature>

function duplicateAsAppError (err: unknown): never {
  throw isUniqueViolation(err, 'signatures_appeal_email_uq') ? appError('SIGNATURE_DUPLICATE') : err
}

export function createSignaturesService (
  db: Database, options: { keys: Keys, sealer: Sealer, consentVersion: string, pendingStatement?: PendingSignatureStatement }
) {
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
  async function insertPrepared (row: NewSignature): Promise<NewSignature & { id: number }> {
    const [inserted] = await prepared.execute(placeholderValues(row)).catch(duplicateAsAppError)
    if (inserted === undefined) throw new Error('signature insert returned no row')
    return { ...row, id: inserted.id }
  }
  // A signature waiting for confirmation, and what it sets off: one statement, prepared once, so that
  // signing costs one round trip either way. Here a duplicate does nothing (the statement's mail tells
  // the address's owner), so that the answer is the same.
  const pending = options.pendingStatement === undefined
    ? undefined
    : {
        statement: prepareStatement(db, 'insert_pending_signature', options.pendingStatement.build(
          db.insert(signatures).values(placeholderRow)
            .onConflictDoNothing({ target: [signatures.appealId, signatures.emailHash] }).returning({ id: signatures.id }).getSQL())),
        values: options.pendingStatement.values
      }

  /** A signature's row: its personal fields sealed, its email and address only as keyed hashes. */
  function buildRow (appeal: Appeal, input: SignatureInput, context: { ip?: string, source: SignatureSource, embedOrigin?: string, now?: Date, status: 'pending' | 'confirmed' }): NewSignature {
    const now = context.now ?? new Date()
    const email = normaliseEmail(input.email)
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
      emailHash: keyedHash(options.keys.emailHash, email),
      emailDomainHash: domainHash(options.keys.emailDomainHash, email),
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

  const ofAppeal = (appeal: Appeal, id: number): SQL => and(eq(signatures.appealId, appeal.id), eq(signatures.id, id)) as SQL
  /** Changes one signature of the appeal and returns it as its organisers see it (404 if it is not the appeal's). */
  async function changeOne (appeal: Appeal, id: number, set: Partial<Record<keyof NewSignature, unknown>>) {
    const [row] = await db.update(signatures).set(set as Partial<NewSignature>).where(ofAppeal(appeal, id)).returning()
    if (row === undefined) throw appError('SIGNATURE_NOT_FOUND')
    return reveal(options.sealer, row)
  }

  return {
    /**
     * Records a signature. Nothing is written when anything is wrong. Where no confirmation is needed,
     * a second signature with the same email on the same appeal is refused (409) without touching the
     * first. Where it is, a second signature gets the very same answer as a first one (so the answer
     * never tells whether an address signed), and its owner gets a mail instead (see the hook).
     */
    async sign (appeal: Appeal, input: SignatureInput, context: SigningContext): Promise<{ status: Signature['status'] }> {
      assertSigningOpen(appeal, context.now)
      checkSigningRules(appeal, input)
      const needsConfirmation = appeal.requireConfirmation
      const row = buildRow(appeal, input, { ...context, status: needsConfirmation ? 'pending' : 'confirmed' })
      if (!needsConfirmation || pending === undefined) {
        const created = await insertPrepared(row)
        return { status: created.status }
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
     * with source "import" and the event they came from, all in one transaction. An email that signed
     * already is skipped, not an error. Returns how many were written and which emails were skipped.
     */
    async insertImported (
      appeal: Appeal, inputs: SignatureInput[], context: { eventId: string | null, now?: Date }
    ): Promise<{ inserted: number, skipped: Set<string> }> {
      const rows = inputs.map((input) => ({ ...buildRow(appeal, input, { source: 'import', status: 'confirmed', ...(context.now !== undefined && { now: context.now }) }), eventId: context.eventId }))
      const written = new Set<string>()
      await db.transaction(async (tx) => {
        for (let i = 0; i < rows.length; i += 500) {
          const inserted = await tx.insert(signatures).values(rows.slice(i, i + 500))
            .onConflictDoNothing({ target: [signatures.appealId, signatures.emailHash] }).returning({ emailHash: signatures.emailHash })
          for (const row of inserted) written.add(row.emailHash ?? '')
        }
      })
      const skipped = new Set(inputs
        .filter((input) => !written.has(keyedHash(options.keys.emailHash, normaliseEmail(input.email))))
        .map((input) => normaliseEmail(input.email)))
      return { inserted: written.size, skipped }
    },

    /** Names of those who agreed to be shown, newest first. */
    async listPublic (appeal: Appeal, query: { country?: string, cursor?: string, limit: number }) {
      if (!appeal.showPublicList) throw appError('PUBLIC_LIST_DISABLED')
      const conditions = [eq(signatures.appealId, appeal.id), counted(), eq(signatures.public, true)]
      if (query.country !== undefined) conditions.push(eq(signatures.country, query.country))
      if (query.cursor !== undefined) {
        const c = decodeCursor(query.cursor)
        conditions.push(sql`(${signatures.createdAt}, ${signatures.id}) < (${c.at}::timestamptz, ${c.id}::bigint)`)
      }
      const rows = await db.select({
        id: signatures.id, kind: signatures.kind, name: signatures.name, country: signatures.country, city: signatures.city,
        organisation: signatures.organisation, role: signatures.role, createdAt: signatures.createdAt,
        at: sql<string>`to_char(${signatures.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
      }).from(signatures).where(and(...conditions))
        .orderBy(desc(signatures.createdAt), desc(signatures.id)).limit(query.limit + 1)
      const page = rows.slice(0, query.limit)
      const last = page.at(-1)
      return {
        items: page.map(({ id: _id, at: _at, ...rest }) => rest),
        nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last.at, last.id) : null
      }
    },

    /** Organisations that endorse the appeal and agreed to be listed, largest first. */
    async listOrganisations (appeal: Appeal, query: { limit: number, offset: number }) {
      return db.select({
        organisation: signatures.organisation, organisationType: signatures.organisationType,
        country: signatures.country, members: signatures.members, createdAt: signatures.createdAt
      }).from(signatures)
        .where(and(eq(signatures.appealId, appeal.id), eq(signatures.kind, 'organisation'), counted(), eq(signatures.public, true)))
        .orderBy(desc(signatures.members), desc(signatures.id)).limit(query.limit).offset(query.offset)
    },

    /** Every field, email included, for the appeal's organisers; newest first, by id cursor. */
    async search (appeal: Appeal, filters: AdminFilters & { before?: number, limit: number }) {
      const conditions = adminFilterConditions(appeal.id, filters, options.keys)
      if (filters.before !== undefined) conditions.push(lt(signatures.id, filters.before))
      const rows = await db.select().from(signatures).where(and(...conditions)).orderBy(desc(signatures.id)).limit(filters.limit + 1)
      const page = rows.slice(0, filters.limit)
      return { items: page.map((row) => reveal(options.sealer, row)), nextBefore: rows.length > filters.limit ? page.at(-1)?.id ?? null : null }
    },

    /** Hides a spam signature (it stops counting and showing) or, with hidden=false, brings it back. */
    setHidden: async (appeal: Appeal, id: number, hidden: boolean) =>
      changeOne(appeal, id, { hiddenAt: hidden ? sql`coalesce(${signatures.hiddenAt}, now())` : null, ...(!hidden && { hiddenBatch: null }) }),

    /** One signature, every field opened, for its organisers. */
    async get (appeal: Appeal, id: number) {
      const [row] = await db.select().from(signatures).where(ofAppeal(appeal, id)).limit(1)
      if (row === undefined) throw appError('SIGNATURE_NOT_FOUND')
      return reveal(options.sealer, row)
    },

    /** Marks a signature as notable (a known trade unionist, a public figure), or not. */
    setNotable: async (appeal: Appeal, id: number, notable: boolean) => changeOne(appeal, id, { notable }),

    /**
     * Hides as spam, at once, the visible signatures from one client address or one email domain
     * within a time window (a wave of automated or forged signing), or with `dryRun` only counts them.
     * Everything hidden together carries one batch id, so one undo brings back exactly those.
     */
    async bulkHide (appeal: Appeal, criteria: BulkCriteria, dryRun: boolean): Promise<{ count: number, batch: string | null }> {
      if (criteria.ipHash === undefined && criteria.emailDomain === undefined) throw invalidFields({ ipHash: { key: 'bulkCriterion' }, emailDomain: { key: 'bulkCriterion' } })
      // A short code would match many addresses; a time that is not one would reach the database.
      if (criteria.ipHash !== undefined && !/^[A-Za-z0-9_-]{8,64}$/.test(criteria.ipHash)) throw invalidFields({ ipHash: { key: 'format' } })
      for (const field of ['from', 'to'] as const) {
        const value = criteria[field]
        if (value !== undefined && Number.isNaN(Date.parse(value))) throw invalidFields({ [field]: { key: 'date' } })
      }
      const where = and(...adminFilterConditions(appeal.id, criteria, options.keys), isNull(signatures.hiddenAt), sql`${signatures.status} <> 'erased'`)
      if (dryRun) {
        const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(signatures).where(where)
        return { count: row?.n ?? 0, batch: null }
      }
      const batch = randomUUID()
      const hidden = await db.update(signatures).set({ hiddenAt: sql`now()`, hiddenBatch: batch }).where(where).returning({ id: signatures.id })
      return { count: hidden.length, batch: hidden.length === 0 ? null : batch }
    },

    /** Brings back what one bulk hiding hid (and nothing hidden otherwise). */
    async undoBulkHide (appeal: Appeal, batch: string): Promise<number> {
      const shown = await db.update(signatures).set({ hiddenAt: null, hiddenBatch: null })
        .where(and(eq(signatures.appealId, appeal.id), eq(signatures.hiddenBatch, batch))).returning({ id: signatures.id })
      return shown.length
    },

    /**
     * How many signatures each appeal has, for its organisers: counted (confirmed and not hidden),
     * waiting for confirmation, hidden as spam, and erased.
     */
    async statusCounts (appealIds: string[]): Promise<Map<string, StatusCounts>> {
      const counts = new Map<string, StatusCounts>(appealIds.map((id) => [id, { confirmed: 0, pending: 0, hidden: 0, erased: 0 }]))
      if (appealIds.length === 0) return counts
      const rows = await db.select({
        appealId: signatures.appealId, status: signatures.status, hidden: sql<boolean>`${signatures.hiddenAt} is not null`, n: sql<number>`count(*)::int`
      }).from(signatures).where(inArray(signatures.appealId, appealIds))
        .groupBy(signatures.appealId, signatures.status, sql`${signatures.hiddenAt} is not null`)
      for (const row of rows) {
        const entry = counts.get(row.appealId)
        if (entry === undefined) continue
        const bucket = row.status === 'erased' ? 'erased' : row.hidden ? 'hidden' : row.status
        entry[bucket] += row.n
      }
      return counts
    }
  }
}

export interface StatusCounts { confirmed: number, pending: number, hidden: number, erased: number }

/** What a bulk hiding takes: one address or one email domain, within an optional time window. */
export interface BulkCriteria { ipHash?: string, emailDomain?: string, from?: string, to?: string }

export type SignaturesService = ReturnType<typeof createSignaturesService>
