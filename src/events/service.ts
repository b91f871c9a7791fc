import { and, asc, eq } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import type { Database } from '../db/connection.js'
import { events } from '../db/schema.js'
import { appError, invalidFields } from '../errors/app-error.js'

export type SolidarityEvent = typeof events.$inferSelect

export interface EventInput {
  title: string
  startsAt: string
  city?: string | null
  country: string
  latitude?: number | null
  longitude?: number | null
  link?: string | null
  attendance?: number | null
}

function toRow (input: Partial<EventInput>): Partial<typeof events.$inferInsert> {
  const { startsAt, ...rest } = input
  return { ...rest, ...(startsAt !== undefined && { startsAt: new Date(startsAt) }) }
}

function checkCoordinates (latitude: number | null | undefined, longitude: number | null | undefined): void {
  if ((latitude == null) !== (longitude == null)) {
    throw invalidFields({ [latitude == null ? 'latitude' : 'longitude']: { key: 'required' } })
  }
}

export function createEventsService (db: Database) {
  return {
    async list (appeal: Appeal): Promise<SolidarityEvent[]> {
      return db.select().from(events).where(eq(events.appealId, appeal.id)).orderBy(asc(events.startsAt), asc(events.id))
    },

    async create (appeal: Appeal, input: EventInput): Promise<SolidarityEvent> {
      checkCoordinates(input.latitude, input.longitude)
      const [created] = await db.insert(events).values({ ...toRow(input), appealId: appeal.id } as typeof events.$inferInsert).returning()
      if (created === undefined) throw new Error('event insert returned no row')
      return created
    },

    async update (appeal: Appeal, id: string, input: Partial<EventInput>): Promise<SolidarityEvent> {
      const current = await this.get(appeal, id)
      checkCoordinates(input.latitude !== undefined ? input.latitude : current.latitude, input.longitude !== undefined ? input.longitude : current.longitude)
      const [updated] = await db.update(events).set(toRow(input)).where(and(eq(events.appealId, appeal.id), eq(events.id, id))).returning()
      if (updated === undefined) throw appError('EVENT_NOT_FOUND')
      return updated
    },

    async get (appeal: Appeal, id: string): Promise<SolidarityEvent> {
      const [row] = await db.select().from(events).where(and(eq(events.appealId, appeal.id), eq(events.id, id))).limit(1)
      if (row === undefined) throw appError('EVENT_NOT_FOUND')
      return row
    },

    async remove (appeal: Appeal, id: string): Promise<void> {
      const deleted = await db.delete(events).where(and(eq(events.appealId, appeal.id), eq(events.id, id))).returning({ id: events.id })
      if (deleted.length === 0) throw appError('EVENT_NOT_FOUND')
    }
  }
}

export type EventsService = ReturnType<typeof createEventsService>
