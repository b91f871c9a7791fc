import { sql } from 'drizzle-orm'
import {
  bigint, boolean, doublePrecision, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid
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
  requireConfirmation: boolean('require_confirmation').notNull().default(false),
  collectCity: boolean('collect_city').notNull().default(true),
  collectOrganisation: boolean('collect_organisation').notNull().default(true),
  collectRole: boolean('collect_role').notNull().default(true),
  donationUrl: text('donation_url'),
  joinUrl: text('join_url'),
  // Origins allowed to frame the signing widget; empty means any site may.
  embedOrigins: jsonb('embed_origins').$type<string[]>().notNull().default([]),
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
  name: text('name'),
  email: text('email'),
  // HMAC of the normalised email: finds duplicates without comparing addresses.
  emailHash: text('email_hash'),
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
  createdAt: createdAt(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  erasedAt: timestamp('erased_at', { withTimezone: true })
}, (t) => [
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
