import { Type } from 'typebox'
import { Country, Line, Nullable, SiteLanguage, Slug, Timestamp, TimestampOut, Uuid } from '../http/schemas.js'
import type { UpdateDetail } from './service.js'

export const UpdateParams = Type.Object({ slug: Slug, id: Uuid })
export const LanguageParams = Type.Object({ slug: Slug, language: SiteLanguage })
export const LanguageQuery = Type.Object({ language: Type.Optional(SiteLanguage) })

const UpdateTextSchema = Type.Object({
  subject: Line(200, 1, 'The mail\'s subject'),
  body: Type.String({ minLength: 1, maxLength: 20_000, description: 'Markdown (no raw HTML, no images)' })
})
const Kind = Type.Union([Type.Literal('individual'), Type.Literal('organisation')])

export const UpdateInput = Type.Object({
  texts: Type.Record(Type.String({ pattern: '^[a-z]{2,3}$' }), UpdateTextSchema, { description: 'Subject and body per site language; the appeal\'s original language is required' }),
  countries: Type.Optional(Type.Array(Country, { maxItems: 250, uniqueItems: true, description: 'Only signers from these countries (none: all)' })),
  kinds: Type.Optional(Type.Array(Kind, { maxItems: 2, uniqueItems: true, description: 'Only people, or only organisations (none: both)' }))
}, { additionalProperties: false })

export const SendInput = Type.Object({
  at: Type.Optional(Timestamp)
}, { additionalProperties: false, description: 'Send now, or at `at`' })

const ProgressSchema = Type.Object({ queued: Type.Integer(), sent: Type.Integer(), failed: Type.Integer(), cancelled: Type.Integer() })

export const UpdateSchema = Type.Object({
  id: Uuid,
  status: Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('sending'), Type.Literal('paused'), Type.Literal('sent')]),
  texts: Type.Record(Type.String(), UpdateTextSchema),
  countries: Type.Array(Type.String()),
  kinds: Type.Array(Kind),
  scheduledAt: Nullable(TimestampOut),
  queuedAt: Nullable(TimestampOut),
  finishedAt: Nullable(TimestampOut),
  recipients: Nullable(Type.Integer({ description: 'How many mails were queued' })),
  progress: ProgressSchema,
  createdAt: TimestampOut
})

export const UpdateSummary = Type.Object({
  id: Uuid,
  status: UpdateSchema.properties.status,
  subject: Type.String(),
  scheduledAt: Nullable(TimestampOut),
  recipients: Nullable(Type.Integer()),
  createdAt: TimestampOut
})

export const PreviewSchema = Type.Object({ subject: Type.String(), text: Type.String(), html: Type.String() })
export const AudienceSchema = Type.Object({ recipients: Type.Integer({ description: 'How many people it would reach now' }) })

export const MessagesInput = Type.Object({
  thanksNext: Nullable(Type.String({ maxLength: 2000, description: 'The thank-you page\'s "what happens next" (null: the default)' })),
  confirmNote: Nullable(Type.String({ maxLength: 1000, description: 'The paragraph opening the confirmation mail (null: the default)' }))
}, { additionalProperties: false })
export const MessagesSchema = MessagesInput

export const presentUpdate = (u: UpdateDetail) => ({
  id: u.id, status: u.status, texts: u.texts, countries: u.countries, kinds: u.kinds, scheduledAt: u.scheduledAt, queuedAt: u.queuedAt,
  finishedAt: u.finishedAt, recipients: u.recipients, progress: u.progress, createdAt: u.createdAt
})
