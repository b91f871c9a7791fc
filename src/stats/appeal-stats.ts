/**
 * An appeal's counts, as the stats API answers them and the appeal page hands them to its scripts.
 * Types only: web/ imports this file too, so it holds nothing that runs.
 */
export interface AppealStats {
  signatures: number
  individuals: number
  organisations: number
  countries: number
  membersRepresented: number
  events: number
  eventCountries: number
  byCountry: Record<string, number>
  updatedAt: string
}
