import { Type, type Static } from 'typebox'
import { Line, Nullable, SiteLanguage, Slug, Timestamp, TimestampOut, Url, WebOrigin } from '../http/schemas.js'
import { publicStatus, type Appeal, type AppealText } from './service.js'

export const AppealTextInput = Type.Object({
  title: Line(200),
  summary: Type.Optional(Line(1000, 0)),
  body: Type.Optional(Line(50_000, 0)),
  demands: Type.Optional(Type.Array(Line(1000), { maxItems: 50 }))
}, { additionalProperties: false })

export const AppealTextSchema = Type.Object({
  title: Type.String(), summary: Type.String(), body: Type.String(), demands: Type.Array(Type.String())
})

const settings = {
  goal: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000_000 }))),
  opensAt: Type.Optional(Nullable(Timestamp)),
  closesAt: Type.Optional(Nullable(Timestamp)),
  allowOrganisations: Type.Optional(Type.Boolean()),
  showPublicList: Type.Optional(Type.Boolean()),
  requireConfirmation: Type.Optional(Type.Boolean()),
  collectCity: Type.Optional(Type.Boolean()),
  collectOrganisation: Type.Optional(Type.Boolean()),
  collectRole: Type.Optional(Type.Boolean()),
  donationUrl: Type.Optional(Nullable(Url)),
  joinUrl: Type.Optional(Nullable(Url)),
  embedOrigins: Type.Optional(Type.Array(WebOrigin, {
    maxItems: 100,
    description: 'Sites allowed to frame the signing widget ("https://union.example.org"); empty: any site'
  })),
  retentionMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 120, description: 'Months after closing until signers\' personal data is erased (12 by default)' }))
}

export const NewAppealInput = Type.Object({
  slug: Slug,
  originalLanguage: SiteLanguage,
  text: AppealTextInput,
  ...settings
}, { additionalProperties: false })

export const AppealSettingsInput = Type.Object({ slug: Type.Optional(Slug), ...settings }, { additionalProperties: false })

export const AppealSchema = Type.Object({
  slug: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('open'), Type.Literal('closed')]),
  originalLanguage: Type.String(),
  languages: Type.Array(Type.String()),
  goal: Nullable(Type.Integer()),
  opensAt: Nullable(TimestampOut),
  closesAt: Nullable(TimestampOut),
  options: Type.Object({
    allowOrganisations: Type.Boolean(),
    showPublicList: Type.Boolean(),
    requireConfirmation: Type.Boolean(),
    collect: Type.Object({ city: Type.Boolean(), organisation: Type.Boolean(), role: Type.Boolean() })
  }),
  donationUrl: Nullable(Type.String()),
  joinUrl: Nullable(Type.String()),
  texts: Type.Record(Type.String(), AppealTextSchema)
})

export const StatusCountsSchema = Type.Object({
  confirmed: Type.Integer({ description: 'confirmed and not hidden: what the public counts show' }),
  pending: Type.Integer({ description: 'waiting for their owner to confirm by email' }),
  hidden: Type.Integer({ description: 'hidden as spam' }),
  erased: Type.Integer({ description: 'erased on request' })
})

/** What its organisers see of an appeal: the public shape, the settings only they need, and every count. */
export const AdminAppealSchema = Type.Object({
  ...AppealSchema.properties,
  embedOrigins: Type.Array(Type.String()),
  retentionMonths: Type.Integer(),
  closedAt: Nullable(TimestampOut),
  counts: StatusCountsSchema
})

export const presentAdminAppeal = (appeal: Appeal, texts: Record<string, AppealText>, counts: Static<typeof StatusCountsSchema>) => ({
  ...presentAppeal(appeal, texts), embedOrigins: appeal.embedOrigins, retentionMonths: appeal.retentionMonths, closedAt: appeal.closedAt, counts
})

/** The public shape of an appeal (dates as they are; the response schema serialises them). */
export function presentAppeal (appeal: Appeal, texts: Record<string, AppealText>) {
  return {
    slug: appeal.slug,
    status: publicStatus(appeal),
    originalLanguage: appeal.originalLanguage,
    languages: Object.keys(texts),
    goal: appeal.goal,
    opensAt: appeal.opensAt,
    closesAt: appeal.closesAt,
    options: {
      allowOrganisations: appeal.allowOrganisations,
      showPublicList: appeal.showPublicList,
      requireConfirmation: appeal.requireConfirmation,
      collect: { city: appeal.collectCity, organisation: appeal.collectOrganisation, role: appeal.collectRole }
    },
    donationUrl: appeal.donationUrl,
    joinUrl: appeal.joinUrl,
    texts
  }
}
