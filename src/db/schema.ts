import { sql } from 'drizzle-orm'
import {
  bigint, boolean, date, doublePrecision, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, type AnyPgColumn
} from 'drizzle-orm/pg-core'

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()

export const organiserRole = pgEnum('organiser_role', ['admin', 'organiser'])
// What a member may do on one appeal (organisers/permissions.ts is the one place that says what each may do).
export const appealRole = pgEnum('appeal_role', ['owner', 'organiser', 'moderator', 'viewer'])
export const appealStatus = pgEnum('appeal_status', ['draft', 'open', 'closed'])
export const signatureKind = pgEnum('signature_kind', ['individual', 'organisation'])
export const signatureStatus = pgEnum('signature_status', ['pending', 'confirmed', 'erased'])
export const signatureSource = pgEnum('signature_source', ['web', 'embed', 'api', 'import'])
export const eventStatus = pgEnum('event_status', ['pending', 'approved'])
export const eventReportStatus = pgEnum('event_report_status', ['none', 'pending', 'approved'])
export const organisationType = pgEnum('organisation_type', ['trade_union', 'political_party', 'ngo', 'community_group', 'other'])

export const organisers = pgTable('organisers', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: organiserRole('role').notNull().default('organiser'),
  // The TOTP secret, sealed under DATA_KEY; enabled once a first code from it was accepted.
  totpSealed: text('totp_sealed'),
  totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
  // The last 30-second step a code was accepted for: a code is never accepted twice.
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
  createdAt: createdAt()
})

// Ten one-time codes per person for when the authenticator is lost: only a keyed hash is kept.
export const recoveryCodes = pgTable('recovery_codes', {
  organiserId: uuid('organiser_id').notNull().references(() => organisers.id, { onDelete: 'cascade' }),
  codeHash: text('code_hash').notNull(),
  usedAt: timestamp('used_at', { withTimezone: true })
}, (t) => [primaryKey({ columns: [t.organiserId, t.codeHash] })])

export const accountLinkKind = pgEnum('account_link_kind', ['invitation', 'reset'])

// An invitation or a password reset mailed to someone: 256 random bits of which only the SHA-256 is
// kept (like confirmation tokens), single use, expiring.
export const accountLinks = pgTable('account_links', {
  tokenHash: text('token_hash').primaryKey(),
  kind: accountLinkKind('kind').notNull(),
  // The account a reset is for; for an invitation, the account it made once accepted.
  organiserId: uuid('organiser_id').references(() => organisers.id, { onDelete: 'cascade' }),
  // Who is invited, and to what: an instance role, and optionally one appeal with a role on it.
  email: text('email'),
  instanceRole: organiserRole('instance_role'),
  appealId: uuid('appeal_id').references((): AnyPgColumn => appeals.id, { onDelete: 'cascade' }),
  appealRole: appealRole('appeal_role'),
  invitedBy: uuid('invited_by').references(() => organisers.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true })
}, (t) => [index('account_links_expires_idx').on(t.expiresAt)])

export const sessions = pgTable('sessions', {
  tokenHash: text('token_hash').primaryKey(),
  // What the person sees and ends a session by (the token's hash never leaves the server).
  id: uuid('id').notNull().defaultRandom().unique(),
  organiserId: uuid('organiser_id').notNull().references(() => organisers.id, { onDelete: 'cascade' }),
  // The browser's own description (User-Agent, shortened), to tell one's devices apart.
  device: text('device'),
  // Password given, second factor still to come: such a session opens nothing else.
  awaitingCode: boolean('awaiting_code').notNull().default(false),
  failedCodes: integer('failed_codes').notNull().default(0),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
}, (t) => [index('sessions_organiser_idx').on(t.organiserId)])

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  organiserId: uuid('organiser_id').notNull().references(() => organisers.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  // At most this role on any appeal (null: its owner's own roles); never more than the owner has.
  role: appealRole('role'),
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
  role: appealRole('role').notNull().default('organiser'),
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
  anonymisedAt: timestamp('anonymised_at', { withTimezone: true }),
  // Paper signatures only (signatures/name-index.ts): keyed hashes of each normalised word of the name, so
  // that an organiser finds a sealed name by typing it; and one of the whole name with the country, which
  // flags a second sheet's entry for the same person when there is no email to tell.
  nameWords: text('name_words').array(),
  nameKey: text('name_key')
}, (t) => [
  index('signatures_name_words_idx').using('gin', t.nameWords).where(sql`${t.nameWords} is not null`),
  index('signatures_name_key_idx').on(t.appealId, t.nameKey).where(sql`${t.nameKey} is not null`),
  index('signatures_legacy_email_idx').on(t.id).where(sql`${t.legacyEmail} is not null`),
  // Paper signatures of an event (an event's removal finds them), and what one bulk hiding hid (its undo);
  // partial, so that signing, which sets neither, does not maintain them.
  index('signatures_event_idx').on(t.eventId).where(sql`${t.eventId} is not null`),
  index('signatures_hidden_batch_idx').on(t.hiddenBatch).where(sql`${t.hiddenBatch} is not null`),
  // Signatures from before domains were hashed, which the start fills in (signatures/backfill.ts).
  index('signatures_domain_missing_idx').on(t.id).where(sql`${t.emailDomainHash} is null and ${t.sealed} is not null`),
  uniqueIndex('signatures_appeal_email_uq').on(t.appealId, t.emailHash),
  index('signatures_appeal_id_idx').on(t.appealId, t.id),
  // Covers a recount of the counts (stats/recount.ts) as an index-only scan over the counted rows.
  index('signatures_counted_idx').on(t.appealId, t.country, t.kind, t.members)
    .where(sql`${t.status} = 'confirmed' and ${t.hiddenAt} is null`),
  index('signatures_public_list_idx').on(t.appealId, t.createdAt.desc(), t.id.desc())
    .where(sql`${t.status} = 'confirmed' and ${t.hiddenAt} is null and ${t.public}`)
])

// The counts by appeal, country and kind (stats/rollup.ts): what signatureCountChanges held when it was
// last folded in. Triggers on `signatures` (migration 0010) append the changes of every statement to
// signatureCountChanges; the fold moves them here in batches, one instance at a time. The counts are
// these rows plus the changes not folded yet, exact in any one snapshot.
// Neither table references `appeals`: a foreign key would make the fold and the triggers lock the
// appeal's row, and deadlock against the appeal's deletion, which waits for their signature rows. A
// trigger on `appeals` deletes an appeal's rows of both after its signatures have gone.
export const signatureCounts = pgTable('signature_counts', {
  appealId: uuid('appeal_id').notNull(),
  country: text('country').notNull(),
  kind: signatureKind('kind').notNull(),
  signatures: bigint('signatures', { mode: 'number' }).notNull(),
  members: bigint('members', { mode: 'number' }).notNull()
}, (t) => [primaryKey({ columns: [t.appealId, t.country, t.kind] })])

// Appended to by the triggers, one row per appeal, country and kind a statement changed (the sums of its
// rows, never one row per signature), and emptied by the fold.
export const signatureCountChanges = pgTable('signature_count_changes', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  appealId: uuid('appeal_id').notNull(),
  country: text('country').notNull(),
  kind: signatureKind('kind').notNull(),
  signatures: integer('signatures').notNull(),
  members: bigint('members', { mode: 'number' }).notNull()
}, (t) => [index('signature_count_changes_appeal_idx').on(t.appealId)])

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
  // The IANA time zone the event was given in: it is shown at that local time, and in the reader's.
  timeZone: text('time_zone').notNull().default('UTC'),
  // Placed at the centre of its country, no city of the gazetteer matching (places/gazetteer.ts).
  approximate: boolean('approximate').notNull().default(false),
  // An event a supporter submitted waits, unseen, until an organiser approves it.
  status: eventStatus('status').notNull().default('approved'),
  submitted: boolean('submitted').notNull().default(false),
  organiser: text('organiser'),
  description: text('description'),
  // The submitter's contact email and language, sealed (secrets/sealing.ts); never shown.
  sealedContact: text('sealed_contact'),
  // SHA-256 of the private link's token with which the submitter reports on the event afterwards.
  reportTokenHash: text('report_token_hash').unique(),
  reportAttendance: integer('report_attendance'),
  reportText: text('report_text'),
  reportStatus: eventReportStatus('report_status').notNull().default('none'),
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

export const mailKind = pgEnum('mail_kind', ['confirm', 'already_signed', 'fund_received', 'fund_verified', 'fund_rejected', 'update'])
export const mailStatus = pgEnum('mail_status', ['queued', 'sent', 'failed', 'cancelled'])

// Mail waiting to be sent, written in the same statement as the signature it is about, and claimed by
// any instance's worker with FOR UPDATE SKIP LOCKED (see mail/outbox.ts). The recipient is read from
// the signature when the mail is sent; what only the mail needs (a confirmation token) is sealed.
// (No foreign key to appeals: every signing would lock the appeal's row; the signature's key cascades.)
export const mailOutbox = pgTable('mail_outbox', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  kind: mailKind('kind').notNull(),
  appealId: uuid('appeal_id').notNull(),
  // A mail is about a signature, or (the fund's mails) about a reported contribution.
  signatureId: bigint('signature_id', { mode: 'number' }).references(() => signatures.id, { onDelete: 'cascade' }),
  contributionId: bigint('contribution_id', { mode: 'number' }).references((): AnyPgColumn => contributions.id, { onDelete: 'cascade' }),
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
  uniqueIndex('mail_outbox_update_signature_uq').on(t.updateId, t.signatureId).where(sql`${t.updateId} is not null`),
  index('mail_outbox_contribution_idx').on(t.contributionId).where(sql`${t.contributionId} is not null`)
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

// Webhooks (src/webhooks/): an appeal's endpoints, and the deliveries to them, queued in the database
// as mail is and claimed by any instance's worker with FOR UPDATE SKIP LOCKED and a lease.
export const webhookStatus = pgEnum('webhook_delivery_status', ['queued', 'delivered', 'failed', 'cancelled'])

export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: uuid('id').primaryKey().defaultRandom(),
  appealId: uuid('appeal_id').notNull().references(() => appeals.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  /** The event types it receives. */
  events: text('events').array().notNull(),
  /** Whether payloads carry signers' names and addresses (only of those who agreed to be contacted). */
  includePersonal: boolean('include_personal').notNull().default(false),
  enabled: boolean('enabled').notNull().default(true),
  // The signing secret (whsec_…), sealed under DATA_KEY; after a rotation the previous one still signs
  // too, until it expires, so that a receiver can switch over without missing a delivery.
  secretSealed: text('secret_sealed').notNull(),
  previousSecretSealed: text('previous_secret_sealed'),
  previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
  createdAt: createdAt()
}, (t) => [index('webhook_endpoints_appeal_idx').on(t.appealId)])

export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  endpointId: uuid('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  /** The Standard Webhooks message id (webhook-id): the same on every attempt, so a receiver can drop repeats. */
  messageId: text('message_id').notNull(),
  type: text('type').notNull(),
  /** What happened, once: a second enqueueing of the same event for the same endpoint does nothing. */
  eventKey: text('event_key').notNull(),
  /** The payload's data, without personal fields (they are read from the signature when it is sent). */
  data: jsonb('data').notNull(),
  signatureId: bigint('signature_id', { mode: 'number' }),
  status: webhookStatus('status').notNull().default('queued'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  claimedBy: uuid('claimed_by'),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  lastStatusCode: integer('last_status_code'),
  lastError: text('last_error'),
  createdAt: createdAt(),
  deliveredAt: timestamp('delivered_at', { withTimezone: true })
}, (t) => [
  uniqueIndex('webhook_deliveries_event_idx').on(t.endpointId, t.eventKey),
  index('webhook_deliveries_due_idx').on(t.nextAttemptAt, t.id).where(sql`${t.status} = 'queued'`),
  index('webhook_deliveries_log_idx').on(t.endpointId, t.id)
])

// The solidarity fund of an appeal (src/fund/): what the money is for and how to give, in each language;
// a goal in one currency, and the rates organisers enter to convert other currencies into it.
export const funds = pgTable('funds', {
  appealId: uuid('appeal_id').primaryKey().references(() => appeals.id, { onDelete: 'cascade' }),
  enabled: boolean('enabled').notNull().default(false),
  goalCurrency: text('goal_currency').notNull(),
  // In minor units of the goal's currency (cents); null: no goal.
  goalAmount: bigint('goal_amount', { mode: 'number' }),
  // Goal-currency units for one unit of each other currency, as entered by an organiser on `ratesDate`.
  rates: jsonb('rates').$type<Record<string, number>>().notNull().default({}),
  ratesDate: date('rates_date'),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
})

/** One way to give (a bank transfer, a money-transfer service, a link, cash at an event): a key the reports name, a title, Markdown. */
export interface FundWay { key: string, title: string, text: string }

export const fundTexts = pgTable('fund_texts', {
  appealId: uuid('appeal_id').notNull().references(() => funds.appealId, { onDelete: 'cascade' }),
  language: text('language').notNull(),
  purpose: text('purpose').notNull().default(''),
  ways: jsonb('ways').$type<FundWay[]>().notNull().default([]),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [primaryKey({ columns: [t.appealId, t.language] })])

export const contributionStatus = pgEnum('contribution_status', ['reported', 'verified', 'rejected'])
export const contributionSource = pgEnum('contribution_source', ['report', 'organiser'])

// A contribution: reported by a supporter (and checked by an organiser) or recorded by an organiser.
// Amounts, currency, dates and country are never personal: erasure and retention keep them, so the
// account stays right. Who gave (email, reference, a name not to be shown) is sealed in `sealed`.
export const contributions = pgTable('contributions', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  appealId: uuid('appeal_id').notNull().references(() => appeals.id, { onDelete: 'cascade' }),
  status: contributionStatus('status').notNull().default('reported'),
  source: contributionSource('source').notNull(),
  amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  contributedOn: date('contributed_on').notNull(),
  way: text('way'),
  country: text('country'),
  // In clear only when the supporter chose to be shown (it is published); otherwise sealed.
  publicName: text('public_name'),
  // The message of support, published once the contribution is verified.
  message: text('message'),
  // AES-256-GCM under DATA_KEY: {e: email, r: reference, n: name not to be shown}.
  sealed: text('sealed'),
  // HMAC of the normalised email: the daily mail cap, and erasure by address.
  emailHash: text('email_hash'),
  locale: text('locale'),
  ipHash: text('ip_hash'),
  rejectionReason: text('rejection_reason'),
  decidedBy: uuid('decided_by').references(() => organisers.id, { onDelete: 'set null' }),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  createdAt: createdAt(),
  erasedAt: timestamp('erased_at', { withTimezone: true }),
  anonymisedAt: timestamp('anonymised_at', { withTimezone: true })
}, (t) => [index('contributions_appeal_idx').on(t.appealId, t.status, t.contributedOn)])

// What the fund paid for, in the open.
export const fundSpending = pgTable('fund_spending', {
  id: uuid('id').primaryKey().defaultRandom(),
  appealId: uuid('appeal_id').notNull().references(() => appeals.id, { onDelete: 'cascade' }),
  spentOn: date('spent_on').notNull(),
  amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  purpose: text('purpose').notNull(),
  createdAt: createdAt()
}, (t) => [index('fund_spending_appeal_idx').on(t.appealId, t.spentOn)])

// A receipt's file (a contribution's, or a spending's), sealed under DATA_KEY like every personal value;
// images are stored re-encoded, without their metadata. The id is random: its address cannot be guessed.
export const fundReceipts = pgTable('fund_receipts', {
  id: uuid('id').primaryKey().defaultRandom(),
  appealId: uuid('appeal_id').notNull().references(() => appeals.id, { onDelete: 'cascade' }),
  contributionId: bigint('contribution_id', { mode: 'number' }).references(() => contributions.id, { onDelete: 'cascade' }).unique(),
  spendingId: uuid('spending_id').references(() => fundSpending.id, { onDelete: 'cascade' }).unique(),
  // A spending's receipt may be published; a contribution's never is.
  public: boolean('public').notNull().default(false),
  mediaType: text('media_type').notNull(),
  bytes: integer('bytes').notNull(),
  sealed: text('sealed').notNull(),
  createdAt: createdAt()
})

// Who did what with personal data and with accounts (see audit/). Never a signer's personal data:
// signature ids, counts and filters only. The address is a keyed hash under a key of its own.
export const auditLog = pgTable('audit_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  actorId: uuid('actor_id').references(() => organisers.id, { onDelete: 'set null' }),
  // The actor's address at the time (an organiser's, never a signer's), so the trail outlives the account.
  actorEmail: text('actor_email'),
  // Session, API token (its id in details) or none (a failed sign-in).
  via: text('via'),
  action: text('action').notNull(),
  appealId: uuid('appeal_id').references((): AnyPgColumn => appeals.id, { onDelete: 'set null' }),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  ipHash: text('ip_hash')
}, (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_appeal_idx').on(t.appealId, t.id)])
