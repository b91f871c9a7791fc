// Events keep the time zone they were given in: "18:00 in Caracas" stays 18:00 in Caracas whatever
// the reader's clock says. These turn a wall-clock time in a zone into an instant and back, with Intl
// only (no time-zone data of our own to keep up to date).

export const timeZones: string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')]

export function isTimeZone (zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone }).format(0)
    return true
  } catch {
    return false
  }
}

/** The wall-clock time of an instant in a zone, as a `datetime-local` value (YYYY-MM-DDTHH:mm). */
export function wallClock (instant: Date, zone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'
  }).formatToParts(instant).map((p) => [p.type, p.value]))
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`
}

const offsetAt = (instant: number, zone: string): number => Date.parse(wallClock(new Date(instant), zone) + 'Z') - Math.floor(instant / 60_000) * 60_000

/** The instant a wall-clock time (YYYY-MM-DDTHH:mm) in a zone stands for; null if it is not such a time. */
export function instantOf (local: string, zone: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) || !isTimeZone(zone)) return null
  const asUtc = Date.parse(local + ':00Z')
  if (Number.isNaN(asUtc)) return null
  // Twice: the offset at the first guess may differ from the one at the answer across a clock change.
  const first = asUtc - offsetAt(asUtc, zone)
  return new Date(asUtc - offsetAt(first, zone))
}
