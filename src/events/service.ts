import { and, asc, eq, gte, isNull, sql } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import type { Database } from '../db/connection.js'
import { events } from '../db/schema.js'
import { appError, invalidFields } from '../errors/app-error.js'
import { locate } from '../places/gazetteer.js'
import { isTimeZone } from './local-time.js'
import type { Sealer } from '../secrets/sealing.js'
import { randomUUID } from 'node:crypto'
import { keyedHash } from '../secrets/keys.js'
import { hashToken } from '../secrets/tokens.js'
import { normaliseEmail } from '../signatures/email.js'

export type SolidarityEvent = typeof events.$inferSelect

export interface EventInput {
  title: string
  startsAt: string
  timeZone?: string
  city?: string | null
  country: string
  latitude?: number | null
  longitude?: number | null
  link?: string | null
  attendance?: number | null
  organiser?: string | null
  description?: string | null
}

/** What a supporter sends with the public "add your event" form. */
export interface SubmittedEvent extends Omit<EventInput, 'latitude' | 'longitude' | 'attendance'> {
  contactEmail: string
}

/** The submitter's contact, as it is sealed: where and in which language to write about the event. */
export interface EventContact { email: string, language: string }

function toRow (input: Partial<EventInput>): Partial<typeof events.$inferInsert> {
  const { startsAt, ...rest } = input
  return { ...rest, ...(startsAt !== undefined && { startsAt: new Date(startsAt) }) }
}

function checkCoordinates (latitude: number | null | undefined, longitude: number | null | undefined): void {
  if ((latitude == null) !== (longitude == null)) {
    throw invalidFields({ [latitude == null ? 'latitude' : 'longitude']: { key: 'required' } })
  }
}

/**
 * Where an event goes on the map: the coordinates given (a map click), else its city in the offline
 * gazetteer, else its country's centre, marked approximate. The one place that decides.
 */
async function placed (row: Partial<typeof events.$inferInsert> & { country: string }): Promise<Partial<typeof events.$inferInsert>> {
  if (row.latitude != null && row.longitude != null) return { ...row, approximate: false }
  const place = await locate(row.city, row.country)
  if (place === null) return { ...row, latitude: null, longitude: null, approximate: false }
  return { ...row, latitude: place.latitude, longitude: place.longitude, approximate: place.approximate }
}

export function createEventsService (db: Database, options: { sealer: Sealer, reportKey: Buffer }) {
  // The private report link's token is derived from the event's id under a key of its own, so that the
  // confirmation mail and the approval mail carry the same link; only its hash is stored, to find it.
  const reportTokenOf = (id: string): string => keyedHash(options.reportKey, id)
  const ofAppeal = (appeal: Appeal, id: string) => and(eq(events.appealId, appeal.id), eq(events.id, id))

  return {
    /** The approved events of an appeal, in date order: what the public sees. */
    async list (appeal: Appeal): Promise<SolidarityEvent[]> {
      return db.select().from(events).where(and(eq(events.appealId, appeal.id), eq(events.status, 'approved')))
        .orderBy(asc(events.startsAt), asc(events.id))
    },

    /** Every event, those waiting for approval included: the organisers' list. */
    async listAll (appeal: Appeal): Promise<SolidarityEvent[]> {
      return db.select().from(events).where(eq(events.appealId, appeal.id)).orderBy(asc(events.startsAt), asc(events.id))
    },

    /** Approved events that have not started yet (the calendar feed). */
    async upcoming (appeal: Appeal, now = new Date()): Promise<SolidarityEvent[]> {
      return db.select().from(events)
        .where(and(eq(events.appealId, appeal.id), eq(events.status, 'approved'), gte(events.startsAt, sql`${now.toISOString()}::timestamptz`)))
        .orderBy(asc(events.startsAt), asc(events.id))
    },

    async create (appeal: Appeal, input: EventInput): Promise<SolidarityEvent> {
      checkCoordinates(input.latitude, input.longitude)
      checkTimeZone(input.timeZone)
      const row = await placed({ ...toRow(input), country: input.country })
      const [created] = await db.insert(events).values({ ...row, appealId: appeal.id } as typeof events.$inferInsert).returning()
      if (created === undefined) throw new Error('event insert returned no row')
      return created
    },

    /**
     * A supporter's event: recorded as pending (shown nowhere until an organiser approves it), its
     * contact sealed, with the private link's token for the report afterwards (only its hash is kept).
     */
    async submit (appeal: Appeal, input: SubmittedEvent, language: string): Promise<{ event: SolidarityEvent, reportToken: string }> {
      const { contactEmail, ...fields } = input
      const id = randomUUID()
      const reportToken = reportTokenOf(id)
      const contact: EventContact = { email: normaliseEmail(contactEmail), language }
      const row = await placed({ ...toRow(fields), country: fields.country })
      const [created] = await db.insert(events).values({
        ...row,
        id,
        appealId: appeal.id,
        status: 'pending',
        submitted: true,
        sealedContact: options.sealer.seal(JSON.stringify(contact)),
        reportTokenHash: hashToken(reportToken)
      } as typeof events.$inferInsert).returning()
      if (created === undefined) throw new Error('event insert returned no row')
      return { event: created, reportToken }
    },

    reportTokenOf (event: SolidarityEvent): string {
      return reportTokenOf(event.id)
    },

    contactOf (event: SolidarityEvent): EventContact | null {
      return event.sealedContact === null ? null : JSON.parse(options.sealer.open(event.sealedContact)) as EventContact
    },

    async update (appeal: Appeal, id: string, input: Partial<EventInput>): Promise<SolidarityEvent> {
      checkTimeZone(input.timeZone)
      const current = await this.get(appeal, id)
      const latitude = input.latitude !== undefined ? input.latitude : current.latitude
      const longitude = input.longitude !== undefined ? input.longitude : current.longitude
      checkCoordinates(latitude, longitude)
      const moved = input.city !== undefined || input.country !== undefined
      const row = toRow(input)
      // A new city or country without a map click is looked up again; coordinates given win.
      const changes = moved && input.latitude == null
        ? await placed({
          ...row, latitude: null, longitude: null, city: input.city !== undefined ? input.city : current.city, country: input.country ?? current.country
        })
        : { ...row, ...(input.latitude != null && { approximate: false }) }
      const [updated] = await db.update(events).set(changes).where(ofAppeal(appeal, id)).returning()
      if (updated === undefined) throw appError('EVENT_NOT_FOUND')
      return updated
    },

    /** An organiser lets a supporter's event show; true when it was waiting (so its submitter is told once). */
    async approve (appeal: Appeal, id: string): Promise<{ event: SolidarityEvent, changed: boolean }> {
      const [updated] = await db.update(events).set({ status: 'approved' }).where(and(ofAppeal(appeal, id), eq(events.status, 'pending'))).returning()
      if (updated !== undefined) return { event: updated, changed: true }
      return { event: await this.get(appeal, id), changed: false }
    },

    async get (appeal: Appeal, id: string): Promise<SolidarityEvent> {
      const [row] = await db.select().from(events).where(ofAppeal(appeal, id)).limit(1)
      if (row === undefined) throw appError('EVENT_NOT_FOUND')
      return row
    },

    /** The event a private report link is for. */
    async byReportToken (token: string): Promise<SolidarityEvent> {
      const [row] = await db.select().from(events).where(eq(events.reportTokenHash, hashToken(token))).limit(1)
      if (row === undefined) throw appError('EVENT_REPORT_NOT_FOUND')
      return row
    },

    /** The submitter's attendance and short report, once the event has begun; it waits for an organiser's approval. */
    async report (token: string, report: { attendance: number, text: string | null }, now = new Date()): Promise<SolidarityEvent> {
      const event = await this.byReportToken(token)
      if (event.startsAt > now) throw appError('EVENT_REPORT_TOO_EARLY')
      const [updated] = await db.update(events).set({ reportAttendance: report.attendance, reportText: report.text, reportStatus: 'pending' })
        .where(eq(events.id, event.id)).returning()
      if (updated === undefined) throw appError('EVENT_REPORT_NOT_FOUND')
      return updated
    },

    /** An organiser accepts a report: its attendance becomes the event's. */
    async approveReport (appeal: Appeal, id: string): Promise<SolidarityEvent> {
      const [updated] = await db.update(events).set({ reportStatus: 'approved', attendance: sql`${events.reportAttendance}` })
        .where(and(ofAppeal(appeal, id), eq(events.reportStatus, 'pending'))).returning()
      return updated ?? await this.get(appeal, id)
    },

    async remove (appeal: Appeal, id: string): Promise<void> {
      const deleted = await db.delete(events).where(ofAppeal(appeal, id)).returning({ id: events.id })
      if (deleted.length === 0) throw appError('EVENT_NOT_FOUND')
    },

    /**
     * Events recorded before the gazetteer, with a city or country but no coordinates, placed on the
     * map at start-up (once: an event the gazetteer cannot place is marked approximate with no point).
     */
    async placeMissing (): Promise<number> {
      const missing = await db.select({ id: events.id, city: events.city, country: events.country }).from(events)
        .where(and(isNull(events.latitude), eq(events.approximate, false))).limit(10_000)
      let done = 0
      for (const event of missing) {
        const place = await locate(event.city, event.country)
        const changes = place === null ? { approximate: true } : { latitude: place.latitude, longitude: place.longitude, approximate: place.approximate }
        await db.update(events).set(changes)
          .where(eq(events.id, event.id))
        if (place !== null) done++
      }
      return done
    }
  }
}

export type EventsService = ReturnType<typeof createEventsService>

/** A zone the schema's pattern lets through may still be none Intl knows ("-/G9/2/"): refused, as it could never be shown. */
function checkTimeZone (zone: string | undefined): void {
  if (zone !== undefined && !isTimeZone(zone)) throw invalidFields({ timeZone: { key: 'choice' } })
}
