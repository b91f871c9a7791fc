import { Type } from 'typebox'
import { Country, Line, Nullable, Timestamp, TimestampOut, Url } from '../http/schemas.js'
import type { SolidarityEvent } from './service.js'

const fields = {
  title: Line(200),
  startsAt: Timestamp,
  city: Type.Optional(Nullable(Line(120))),
  country: Country,
  latitude: Type.Optional(Nullable(Type.Number({ minimum: -90, maximum: 90 }))),
  longitude: Type.Optional(Nullable(Type.Number({ minimum: -180, maximum: 180 }))),
  link: Type.Optional(Nullable(Url)),
  attendance: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100_000_000 })))
}

export const EventInput = Type.Object(fields, { additionalProperties: false })
export const EventPatch = Type.Partial(EventInput, { additionalProperties: false })

export const EventSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  startsAt: TimestampOut,
  city: Nullable(Type.String()),
  country: Type.String(),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  link: Nullable(Type.String()),
  attendance: Nullable(Type.Integer())
})

export function presentEvent ({ appealId: _a, createdAt: _c, ...event }: SolidarityEvent) {
  return event
}
