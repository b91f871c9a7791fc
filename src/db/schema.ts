import { sql } from 'drizzle-orm'
import {
  bigint, boolean, date, doublePrecision, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, type AnyPgColumn
} from 'drizzle-orm/pg-core'

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()

export const organiserRole = pgEnum('organiser_role', ['admin', 'organiser'])
export const appealStatus = pgEnum('appeal_status', ['draft', 'open', 'closed'])
export const signatureKind = pgEnum('signature_kind', ['individual', 'organisation'])
export const signatureStatus = pgEnum('signature_status', ['pending', 'confirmed', 'erased'])
export const signatureSource = pgEnum('signature_source', ['web', 'embed', 'api', 'import'])
export const organisationType = pgEnum('organisation_type', ['trade_union', 'political_party', 'ngo', 'community_group', 'other'])

export const organisers = pgTable('organisers', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: organiserRole('role').notNull().default('organiser'),
  createdAt: createdAt()
})

export const sessions = pgTable('sessions', {
  tokenHash: text('token_hash').primaryKey(),
  organiserId: uuid('organiser_id').notNull().references(() => organisers.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
}, (t) => [index('sessions_organiser_idx').on(t.organiserId)])

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  organiserId: uuid('organiser_id').notNull().references(() => organisers.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: createdAt(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true })
}, (t) => [index('api_tokens_organiser_idx').on(t.organiserId)])

export const appeals = pgTable('appeals', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  status: appealStatus('status').notNull().default('draft'),
  originalLanguage: text('original_language').notNull(),
  goal: integer('goal'),
  opensAt: timestamp('opens_at', { withTimezone: true }),
  closesAt: timestamp('closes_at', { withTimezone: true }),
  allowOrganisations: boolean('allow_organisations').notNull().default(true),
  showPublicList: boolean('show_public_list').notNull().default(true),
  // New appeals count a signature only once its owner confirms it from the mail (see confirmation/).
  requireConfirmation: boolean('require_confirmation').notNull().default(true),
  collectCity: boolean('collect_city').notNull().default(true),
  collectOrganisation: boolean('collect_organisation').notNull().default(true),
  collectRole: boolean('collect_role').notNull().default(true),
  donationUrl: text('donation_url'),
  joinUrl: text('join_url'),
  // Origins allowed to frame the signing widget; empty means any site may.
  embedOrigins: jsonb('embed_origins').$type<string[]>().notNull().default([]),
  // Months after closing until personal fields are erased (see erasure/retention.ts).
  retentionMonths: integer('retention_months').notNull().default(12),
  // When the appeal was last closed by an organiser; null while open (a closing date works on its own).
  closedAt: timestamp('closed_at', { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
})

export const appealTexts = pgTable('appeal_texts', {
  appealId: uuid('appeal_id').notNull().references(() => appeals.id, { onDelete: 'cascade' }),
  language: text('language').notNull(),
  title: text('title').notNull(),
  summary: text('summary').notNull().default(''),
  body: text('body').notNull().default(''),
  demands: jsonb('demands').$type<string[]>().notNull().default([]),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [primaryKey({ columns: [t.appealId, t.language] })])

export const appealMembers = pgTable('appeal_members', {
  appealId: uuid('appeal_id').notNull().references(() => appeals.id, { onDelete: 'cascade' }),
  organiserId: uuid('organiser_id').notNull().references(() => organisers.id, { onDelete: 'cascade' }),
  createdAt: createdAt()
}, (t) => [primaryKey({ columns: [t.appealId, t.organiserId] }), index('appeal_members_organiser_idx').on(t.organiserId)])

// Signatures are only ever appended or edited in place; nothing keeps a running counter row
// (see stats/): one hot row per appeal is what locked up the UK Parliament petitions site.
export const signatures = pgTable('signatures', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  appealId: uuid('appeal_id').notNull().references(() => appeals.id, { onDelete: 'cascade' }),
  kind: signatureKind('kind').notNull(),
  status: signatureStatus('status').notNull(),
  // Name, city, organisation and role are stored in clear only for signers who chose to be shown
  // publicly; otherwise they are null here and sealed, with the email, in `sealed`.
  name: text('name'),
  // AES-256-GCM under DATA_KEY (secrets/sealing.ts): the email, and the private fields above.
  sealed: text('sealed'),
  // Addresses stored in clear before sealing existed; sealed and emptied at start (signatures/backfill.ts).
  legacyEmail: text('email'),
  // HMAC of the normalised email: finds duplicates without comparing addresses.
  emailHash: text('email_hash'),
  // HMAC of the email's domain, under a key of its own: lets organisers hide a wave of spam from one
  // domain without the domain being stored.
  emailDomainHash: text('email_domain_hash'),
  country: text('country').notNull(),
  city: text('city'),
  organisation: text('organisation'),
  role: text('role'),
  organisationType: organisationType('organisation_type'),
  members: integer('members'),
  public: boolean('public').notNull(),
  contact: boolean('contact').notNull(),
  consentVersion: text('consent_version').notNull(),
  locale: text('locale'),
  source: signatureSource('source').notNull(),
  // The origin (scheme, host, port; never a path) of the page that framed the signing widget.
  embedOrigin: text('embed_origin'),
  // Keyed hash of the client address; the address itself is never stored.
  ipHash: text('ip_hash'),
  hiddenAt: timestamp('hidden_at', { withTimezone: true }),
  // The bulk hiding that hid it, so that one undo brings back exactly those.
  hiddenBatch: uuid('hidden_batch'),
  // Marked by an organiser (a known trade unionist, a public figure).
  notable: boolean('notable').notNull().default(false),
  // For a signature collected on paper: the solidarity event it was collected at.
  eventId: uuid('event_id').references((): AnyPgColumn => events.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  erasedAt: timestamp('erased_at', { withTimezone: true }),
  // When the retention period emptied the personal fields; the row still counts.
  anonymisedAt: timestamp('anonymised_at', { withTimezone: true })
}, (t) => [
  index('signatures_legacy_email_idx').on(t.id).where(sql`${t.legacyEmail} is not null`),
  // Paper signatures of an event (an event's removal finds them), and what one bulk hiding hid (its undo);
  // partial, so that signing, which sets neither, does not maintain them.
  index('signatures_event_idx').on(t.eventId).where(sql`${t.eventId} is not null`),
  index('signatures_hidden_batch_idx').on(t.hiddenBatch).where(sql`${t.hiddenBatch} is not null`),
  // Signatures from before domains were hashed, which the start fills in (signatures/backfill.ts).
  index('signatures_domain_missing_idx').on(t.id).where(sql`${t.emailDomainHash} is null and ${t.sealed} is not null`),
  uniqueIndex('signatures_appeal_email_uq').on(t.appealId, t.emailHash),
  index('signatures_appeal_id_idx').on(t.appealId, t.id),
  // Covers the stats aggregate as an index-only scan over the counted rows.
  index('signatures_counted_idx').on(t.appealId, t.country, t.kind, t.members)
    .where(sql`${t.status} = 'confirmed' and ${t.hiddenAt} is null`),
  index('signatures_public_list_idx').on(t.appealId, t.createdAt.desc(), t.id.desc())
    .where(sql`${t.status} = 'confirmed' and ${t.hiddenAt} is null and ${t.public}`)
])

export const events = pgTable('events', {
  id: uuid('id').primaryKey().defaultRandom(),
  appealId: uuid('appeal_id').notNull().references(() => appeals.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  city: text('city'),
  country: text('country').notNull(),
  latitude: doublePrecision('latitude'),
  longitude: doublePrecision('longitude'),
  link: text('link'),
  attendance: integer('attendance'),
  createdAt: createdAt()
}, (t) => [index('events_appeal_idx').on(t.appealId, t.startsAt)])

// A confirmation link's token: 256 random bits, of which only the SHA-256 is kept. Single use.
export const confirmationTokens = pgTable('confirmation_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  signatureId: bigint('signature_id', { mode: 'number' }).notNull().references(() => signatures.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true })
}, (t) => [index('confirmation_tokens_signature_idx').on(t.signatureId), index('confirmation_tokens_expires_idx').on(t.expiresAt)])

export const mailKind = pgEnum('mail_kind', ['confirm', 'already_signed', 'update'])
export const mailStatus = pgEnum('mail_status', ['queued', 'sent', 'failed', 'cancelled'])

// Mail waiting to be sent, written in the same statement as the signature it is about, and claimed by
// any instance's worker with FOR UPDATE SKIP LOCKED (see mail/outbox.ts). The recipient is read from
// the signature when the mail is sent; what only the mail needs (a confirmation token) is sealed.
// (No foreign key to appeals: every signing would lock the appeal's row; the signature's key cascades.)
export const mailOutbox = pgTable('mail_outbox', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  kind: mailKind('kind').notNull(),
  appealId: uuid('appeal_id').notNull(),
  signatureId: bigint('signature_id', { mode: 'number' }).notNull().references(() => signatures.id, { onDelete: 'cascade' }),
  language: text('language').notNull(),
  sealed: text('sealed'),
  status: mailStatus('status').notNull().default('queued'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  // The lease of the worker sending it: who (a random id per claim) and until when.
  claimedBy: uuid('claimed_by'),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  lastError: text('last_error'),
  createdAt: createdAt(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  // The update this mail carries (kind 'update'); see updates/.
  updateId: uuid('update_id').references((): AnyPgColumn => updates.id, { onDelete: 'cascade' })
}, (t) => [
  // Mail about a signing (confirmation, already signed) has its own queue, so that a million queued
  // update mails never make a signer wait for their link.
  index('mail_outbox_due_idx').on(t.nextAttemptAt, t.id).where(sql`${t.status} = 'queued' and ${t.updateId} is null`),
  index('mail_outbox_update_due_idx').on(t.updateId, t.nextAttemptAt, t.id).where(sql`${t.status} = 'queued' and ${t.updateId} is not null`),
  index('mail_outbox_signature_idx').on(t.signatureId),
  // One update, one mail per signature (and a signature is one address on its appeal).
  uniqueIndex('mail_outbox_update_signature_uq').on(t.updateId, t.signatureId).where(sql`${t.updateId} is not null`)
])

// Addresses (their keyed hash) that a mail server refused for good (5xx): nothing more is sent to them.
export const mailSuppressions = pgTable('mail_suppressions', {
  emailHash: text('email_hash').primaryKey(),
  reason: text('reason').notNull(),
  createdAt: createdAt()
})

export const updateStatus = pgEnum('update_status', ['draft', 'scheduled', 'sending', 'paused', 'sent'])

// An organiser's mail to an appeal's signers (see updates/): written per language, sent to everyone
// who agreed to be contacted, once.
export const updates = pgTable('updates', {
  id: uuid('id').primaryKey().defaultRandom(),
  appealId: uuid('appeal_id').notNull().references(() => appeals.id, { onDelete: 'cascade' }),
  status: updateStatus('status').notNull().default('draft'),
  // Who it goes to, beyond consent: countries (ISO codes) and kinds; empty means all.
  countries: jsonb('countries').$type<string[]>().notNull().default([]),
  kinds: jsonb('kinds').$type<Array<'individual' | 'organisation'>>().notNull().default([]),
  scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
  queuedAt: timestamp('queued_at', { withTimezone: true }),
  recipients: integer('recipients'),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  createdBy: uuid('created_by').references(() => organisers.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [index('updates_appeal_idx').on(t.appealId, t.createdAt), index('updates_due_idx').on(t.scheduledAt).where(sql`${t.status} = 'scheduled'`)])

export const updateTexts = pgTable('update_texts', {
  updateId: uuid('update_id').notNull().references(() => updates.id, { onDelete: 'cascade' }),
  language: text('language').notNull(),
  subject: text('subject').notNull(),
  // Markdown, rendered as the appeal's body is (no raw HTML, no images).
  body: text('body').notNull()
}, (t) => [primaryKey({ columns: [t.updateId, t.language] })])

// Texts organisers may write in place of the defaults, per appeal and language: the thank-you page's
// "what happens next" and a paragraph of the confirmation mail. A missing row or null field: the default.
export const appealMessages = pgTable('appeal_messages', {
  appealId: uuid('appeal_id').notNull().references(() => appeals.id, { onDelete: 'cascade' }),
  language: text('language').notNull(),
  thanksNext: text('thanks_next'),
  confirmNote: text('confirm_note'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [primaryKey({ columns: [t.appealId, t.language] })])

// How many mails went to one address about one appeal on one day (UTC), for the daily cap. Counted by
// one atomic upsert in the signing statement; rows are deleted after two days.
export const mailQuota = pgTable('mail_quota', {
  appealId: uuid('appeal_id').notNull(),
  emailHash: text('email_hash').notNull(),
  day: date('day').notNull(),
  mails: integer('mails').notNull()
}, (t) => [primaryKey({ columns: [t.appealId, t.emailHash, t.day] })])

// Periodic work (retention, expiry of unconfirmed signatures, outbox clean-up): whichever instance
// first moves a job's next run forward runs it, so any number of instances share one schedule.
export const scheduledJobs = pgTable('scheduled_jobs', {
  name: text('name').primaryKey(),
  nextRunAt: timestamp('next_run_at', { withTimezone: true }).notNull(),
  lastStartedAt: timestamp('last_started_at', { withTimezone: true }),
  lastFinishedAt: timestamp('last_finished_at', { withTimezone: true }),
  lastResult: text('last_result')
})
