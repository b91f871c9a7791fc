import type { AppealStats } from '../src/stats/appeal-stats.js'

/** What the server puts in the page for its scripts (see src/pages/routes.ts), in a JSON script element. */

export interface MapEvent {
  title: string
  date: string
  city: string | null
  country: string
  lat: number
  lng: number
  link: string | null
}

export interface PageData {
  slug: string
  lang: string
  statsUrl: string
  signUrl: string
  shapesUrl: string | null
  stats: AppealStats
  goal: number | null
  events: MapEvent[]
  tiles: { url: string, attribution: string } | null
  i18n: Record<string, Record<string, unknown>>
}

export function readPageData (): PageData | undefined {
  const element = document.getElementById('page-data')
  if (element?.textContent == null) return undefined
  return JSON.parse(element.textContent) as PageData
}
