import { Type } from 'typebox'
import { Country, Email, Line, Nullable, Timestamp, TimestampOut, Url } from '../http/schemas.js'
import type { SolidarityEvent } from './service.js'

const TimeZone = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+\\-/]+$', description: 'IANA time zone, e.g. America/Caracas' })

const fields = {
  title: Line(200),
  startsAt: Timestamp,
  timeZone: Type.Optional(TimeZone),
  city: Type.Optional(Nullable(Line(120))),
  country: Country,
  latitude: Type.Optional(Nullable(Type.Number({ minimum: -90, maximum: 90 }))),
  longitude: Type.Optional(Nullable(Type.Number({ minimum: -180, maximum: 180 }))),
  link: Type.Optional(Nullable(Url)),
  attendance: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100_000_000 }))),
  organiser: Type.Optional(Nullable(Line(200))),
  description: Type.Optional(Nullable(Line(1000)))
}

export const EventInput = Type.Object(fields, { additionalProperties: false })
export const EventPatch = Type.Partial(EventInput, { additionalProperties: false })

/** The public "add your event" form, as JSON: no coordinates (the gazetteer places it), a contact email that is sealed. */
export const SubmittedEventInput = Type.Object({
  title: fields.title,
  startsAt: Timestamp,
  timeZone: TimeZone,
  city: Type.Optional(Nullable(Line(120))),
  country: Country,
  organiser: Line(200),
  contactEmail: Email,
  description: Type.Optional(Nullable(Line(1000))),
  link: Type.Optional(Nullable(Url)),
  website: Type.Optional(Type.String({ maxLength: 0, description: 'The honeypot: leave empty' }))
}, { additionalProperties: false })

export const EventReportInput = Type.Object({
  attendance: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
  text: Type.Optional(Nullable(Line(2000)))
}, { additionalProperties: false })

export const EventSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  startsAt: TimestampOut,
  timeZone: Type.String(),
  city: Nullable(Type.String()),
  country: Type.String(),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  approximate: Type.Boolean({ description: 'Placed at the centre of its country: no city of the gazetteer matched' }),
  link: Nullable(Type.String()),
  attendance: Nullable(Type.Integer()),
  organiser: Nullable(Type.String()),
  description: Nullable(Type.String()),
  report: Nullable(Type.String({ description: 'The organiser of the event\'s report, once approved' }))
})

/** An event as anyone may see it: the contact, the report link and anything unapproved left out. */
export function presentEvent (event: SolidarityEvent) {
  return {
    id: event.id,
    title: event.title,
    startsAt: event.startsAt,
    timeZone: event.timeZone,
    city: event.city,
    country: event.country,
    latitude: event.latitude,
    longitude: event.longitude,
    approximate: event.approximate,
    link: event.link,
    attendance: event.attendance,
    organiser: event.organiser,
    description: event.description,
    report: event.reportStatus === 'approved' ? event.reportText : null
  }
}
