import type { FastifyInstance } from 'fastify'
import type { Appeal } from '../appeals/service.js'
import type { SolidarityEvent } from '../events/service.js'
import type { AppealStats } from '../stats/appeal-stats.js'
import type { View } from './view.js'

/**
 * What a page about an appeal hands its scripts (web/page-data.ts reads it): where to poll the counts
 * and send a signature, the counts as rendered, the events to map, and the words in the page's language.
 */
export function appealPageData (app: FastifyInstance, view: View, d: {
  appeal: Appeal
  stats: AppealStats
  events: SolidarityEvent[]
  signUrl: string
  /** The sections of the pages' words the scripts use, where not all (a widget needs few). */
  sections?: string[]
  /** Whether the scripts show errors (a signing form does). */
  errors?: boolean
}) {
  const { config } = app
  const pages = app.i18n.getResourceBundle(view.lang, 'pages') as Record<string, unknown>
  return {
    slug: d.appeal.slug,
    lang: view.lang,
    statsUrl: `/api/appeals/${d.appeal.slug}/stats`,
    signUrl: d.signUrl,
    shapesUrl: app.pages.assets.mapShapes,
    stats: d.stats,
    goal: d.appeal.goal,
    events: d.events.filter((e) => e.latitude !== null && e.longitude !== null).map((e) => ({
      title: e.title, date: view.eventTime(e), city: e.city, country: e.country, lat: e.latitude, lng: e.longitude, link: e.link
    })),
    tiles: config.MAP_TILE_URL === undefined ? null : { url: config.MAP_TILE_URL, attribution: config.MAP_TILE_ATTRIBUTION },
    i18n: {
      pages: d.sections === undefined ? pages : Object.fromEntries(d.sections.map((name) => [name, pages[name]])),
      ...(d.errors !== false && { errors: app.i18n.getResourceBundle(view.lang, 'errors') })
    }
  }
}
