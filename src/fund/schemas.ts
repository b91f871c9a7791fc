import { Type } from 'typebox'
import { Country, Email, LanguageTag, Line, Nullable, SignatureId, TimestampOut } from '../http/schemas.js'
import { currencyCodes } from './money.js'

// `enum`: one keyword to check rather than 160 alternatives.
export const Currency = Type.Unsafe<string>({ type: 'string', enum: currencyCodes, description: 'ISO 4217 code, e.g. "EUR"' })
export const Day = Type.String({ format: 'date', description: 'A calendar date, "2026-05-03"' })
/** An amount in the minor units of its currency (cents): 1250 is 12.50 EUR. */
export const MinorAmount = Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'Minor units of the currency (1250 = 12.50)' })
/** A file as base64 (a multipart upload's file arrives as this too). */
export const ReceiptFile = Type.String({
  contentEncoding: 'base64', pattern: '^[A-Za-z0-9+/]+={0,2}$',
  description: 'A photo (JPEG, PNG, WebP) or PDF, base64; multipart uploads send the file itself'
})
export const ContributionId = SignatureId
export const WayKey = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', minLength: 1, maxLength: 40 })
const Flag = Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false'), Type.Literal('on')])

export const FundWayInput = Type.Object({ key: WayKey, title: Line(120), text: Line(2000, 1, 'Markdown') }, { additionalProperties: false })

export const FundTextInput = Type.Object({
  purpose: Line(2000, 0, 'What the money is for (Markdown)'),
  ways: Type.Array(FundWayInput, { maxItems: 10 })
}, { additionalProperties: false })

export const FundSettingsInput = Type.Object({
  enabled: Type.Boolean(),
  goalCurrency: Currency,
  goalAmount: Nullable(MinorAmount),
  rates: Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), Type.Number({ minimum: 1e-12, maximum: 1e9, description: 'above zero' }),
    { description: 'Goal-currency units for one unit of each other currency' }),
  ratesDate: Nullable(Day),
  texts: Type.Record(Type.String({ pattern: '^[a-z]{2,3}$' }), FundTextInput, { description: 'Per language the appeal has' })
}, { additionalProperties: false })

/**
 * A supporter's report. The fields arrive as text, from a form or a multipart upload: the amount as
 * typed ("12.50" or "12,50"). `website` is a honeypot.
 */
export const ContributionReport = Type.Object({
  amount: Type.String({ minLength: 1, maxLength: 20, description: 'As typed, in the currency\'s units: "12.50" or "12,50"' }),
  currency: Currency,
  date: Day,
  way: WayKey,
  reference: Type.Optional(Line(100)),
  name: Type.Optional(Line(120)),
  anonymous: Type.Optional(Flag),
  country: Type.Optional(Country),
  message: Type.Optional(Line(500)),
  email: Type.Optional(Email),
  locale: Type.Optional(LanguageTag),
  receipt: Type.Optional(ReceiptFile),
  website: Type.Optional(Type.String({ maxLength: 2000, description: 'Leave out: a honeypot' }))
}, { additionalProperties: false })

export const ReportedResponse = Type.Object({ status: Type.Literal('reported'), receipt: Type.Boolean() })

export const RecordContributionInput = Type.Object({
  amount: MinorAmount,
  currency: Currency,
  date: Day,
  way: Type.Optional(Type.String({ maxLength: 40 })),
  country: Type.Optional(Country),
  name: Type.Optional(Line(120)),
  message: Type.Optional(Line(500))
}, { additionalProperties: false })

export const RejectInput = Type.Object({ reason: Line(500) }, { additionalProperties: false })

export const SpendingInput = Type.Object({
  amount: MinorAmount,
  currency: Currency,
  date: Day,
  purpose: Line(200),
  receipt: Type.Optional(ReceiptFile),
  receiptPublic: Type.Optional(Flag)
}, { additionalProperties: false })

const Money = Type.Object({ currency: Type.String(), amount: Type.Integer({ description: 'Minor units' }) })

export const FundAccount = Type.Object({
  goal: Nullable(Money),
  currency: Type.String({ description: 'The goal\'s currency, that totals are converted into' }),
  ratesDate: Nullable(Type.String()),
  rates: Type.Record(Type.String(), Type.Number()),
  raised: Type.Array(Money, { description: 'Verified contributions per currency' }),
  raisedConverted: Type.Integer(),
  unconverted: Type.Array(Type.String(), { description: 'Currencies without a rate, left out of the converted totals' }),
  progress: Nullable(Type.Number({ description: 'Raised over goal, 0 to 1 and beyond' })),
  contributors: Type.Integer(),
  countries: Type.Integer(),
  byMonth: Type.Array(Type.Object({ month: Type.String(), amount: Type.Integer() })),
  spent: Type.Array(Money),
  spentConverted: Type.Integer(),
  balance: Type.Integer({ description: 'Raised minus spent, converted' }),
  spending: Type.Array(Type.Object({
    id: Type.String(), date: Type.String(), amount: Type.Integer(), currency: Type.String(), purpose: Type.String(),
    receipt: Nullable(Type.String())
  })),
  supporters: Type.Array(Type.Object({
    name: Nullable(Type.String()), message: Nullable(Type.String()), country: Nullable(Type.String()),
    date: Type.String()
  })),
  updatedAt: TimestampOut
})

export const FundPublic = Type.Object({
  account: FundAccount,
  language: Type.String(),
  purpose: Type.String(),
  ways: Type.Array(Type.Object({ key: Type.String(), title: Type.String(), text: Type.String() }))
})

export const ContributionOut = Type.Object({
  id: Type.Integer(),
  status: Type.String(),
  source: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  date: Type.String(),
  way: Nullable(Type.String()),
  country: Nullable(Type.String()),
  name: Nullable(Type.String()),
  shownName: Type.Boolean(),
  message: Nullable(Type.String()),
  email: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  receipt: Nullable(Type.String({ description: 'Path of the receipt, for the appeal\'s organisers' })),
  rejectionReason: Nullable(Type.String()),
  createdAt: TimestampOut,
  erased: Type.Boolean()
})

export const FundSettingsOut = Type.Object({
  enabled: Type.Boolean(),
  goalCurrency: Type.String(),
  goalAmount: Nullable(Type.Integer()),
  rates: Type.Record(Type.String(), Type.Number()),
  ratesDate: Nullable(Type.String()),
  texts: Type.Record(Type.String(), Type.Object({
    purpose: Type.String(), ways: Type.Array(Type.Object({
      key: Type.String(), title: Type.String(),
      text: Type.String()
    }))
  }))
})
