import ical from 'ical-generator'
import type { SolidarityEvent } from './service.js'

/**
 * An iCalendar feed of an appeal's upcoming events. Times are written in UTC, which every calendar
 * shows in its owner's own zone; the zone the event was given in is named in the description.
 */
export interface CalendarData { title: string, url: string, host: string, events: SolidarityEvent[], countryName: (code: string) => string, now?: Date }

export function calendarOf (d: CalendarData): string {
  const calendar = ical({ name: d.title, prodId: { company: 'solidaria', product: 'events' }, url: d.url })
  for (const event of d.events) {
    calendar.createEvent({
      id: `${event.id}@${d.host}`,
      start: event.startsAt,
      stamp: d.now ?? event.createdAt,
      summary: event.title,
      location: [event.city, d.countryName(event.country)].filter(Boolean).join(', '),
      description: [event.description, event.organiser, event.timeZone].filter((x) => x !== null && x !== '').join('\n'),
      ...(event.latitude !== null && event.longitude !== null && { location: { title: [event.city, d.countryName(event.country)].filter(Boolean).join(', '), geo: { lat: event.latitude, lon: event.longitude } } }),
      ...(event.link !== null && { url: event.link })
    })
  }
  return calendar.toString()
}
