import type { TFunction } from 'i18next'
import type { AppealStats } from '../src/stats/appeal-stats.js'
import type { PageData } from './page-data.js'

export interface LiveCounts {
  readonly current: AppealStats
  /** Called with every new set of counts. */
  subscribe: (listener: (stats: AppealStats) => void) => void
  /** Counts one's own confirmed signature at once, before the next poll confirms it. */
  addOwn: (signature: { kind: 'individual' | 'organisation', country: string, members?: number }) => void
}

// Everyone watching an appeal polls the same cached answer (ETag, max-age of a second or two): a few
// seconds apart, with jitter so that thousands of open pages do not ask in step, and not at all from a
// tab in the background.
const POLL_MS = 5000
const JITTER_MS = 1500
const MAX_BACKOFF_MS = 60_000
const HOLD_OWN_MS = 15_000

/** The page's counts, polled while the tab is visible; `poll: false` where none are shown (the signing widget). */
export function watchCounts (data: PageData, t: TFunction, poll = true): LiveCounts {
  let current = data.stats
  const listeners: Array<(stats: AppealStats) => void> = [(stats) => { renderCounter(stats, data, t) }]
  const publish = (stats: AppealStats): void => {
    current = stats
    for (const listener of listeners) listener(stats)
  }

  let holdUntil = 0
  let delay = POLL_MS
  let timer: number | undefined
  const schedule = (): void => {
    window.clearTimeout(timer)
    if (!document.hidden) timer = window.setTimeout(() => { void refresh() }, delay + Math.random() * JITTER_MS)
  }
  async function refresh (): Promise<void> {
    try {
      const response = await fetch(data.statsUrl, { cache: 'no-cache', headers: { accept: 'application/json' } })
      if (!response.ok) throw new Error(String(response.status))
      const stats = await response.json() as AppealStats
      // A poll answered from a cache filled before one's own signature must not take the count back.
      if (stats.signatures >= current.signatures || Date.now() > holdUntil) publish(stats)
      delay = POLL_MS
    } catch {
      delay = Math.min(delay * 2, MAX_BACKOFF_MS)
    }
    schedule()
  }
  if (poll) {
    document.addEventListener('visibilitychange', () => { if (document.hidden) window.clearTimeout(timer); else void refresh() })
    schedule()
  }

  return {
    get current () { return current },
    subscribe: (listener) => { listeners.push(listener) },
    addOwn ({ kind, country, members }) {
      const next = { ...current, byCountry: { ...current.byCountry } }
      next.signatures += 1
      if (kind === 'organisation') {
        next.organisations += 1
        next.membersRepresented += members ?? 0
      } else {
        next.individuals += 1
      }
      if (next.byCountry[country] === undefined) next.countries += 1
      next.byCountry[country] = (next.byCountry[country] ?? 0) + 1
      holdUntil = Date.now() + HOLD_OWN_MS
      publish(next)
    }
  }
}

function setText (id: string, text: string): void {
  const element = document.getElementById(id)
  if (element !== null && element.textContent !== text) element.textContent = text
}

function renderCounter (stats: AppealStats, data: PageData, t: TFunction): void {
  const number = new Intl.NumberFormat(data.lang)
  const count = document.getElementById('signature-count') as HTMLDataElement | null
  if (count !== null) {
    count.value = String(stats.signatures)
    count.textContent = number.format(stats.signatures)
  }
  const progress = document.getElementById('goal-progress') as HTMLProgressElement | null
  if (progress !== null && data.goal !== null) {
    progress.value = Math.min(stats.signatures, data.goal)
    setText('goal-text', t('counter.progress', { ratio: Math.min(1, stats.signatures / data.goal) }))
  }
  setText('people-summary', `${t('counter.people', { count: stats.individuals })} ${t('counter.fromCountries', { count: stats.countries })}`)
  const organisations = document.getElementById('organisation-summary')
  if (organisations !== null) {
    organisations.hidden = stats.organisations === 0
    setText('organisation-summary', `${t('counter.organisations', { count: stats.organisations })} ${t('counter.members', { count: stats.membersRepresented })}`)
  }
  renderCountryTable(stats, data, t)
}

/** The table as src/pages/templates/parts.ts writes it: the first `data-top` countries, the others in #more-countries. */
function renderCountryTable (stats: AppealStats, data: PageData, t: TFunction): void {
  const table = document.querySelector<HTMLElement>('#country-table')
  const body = table?.querySelector('tbody')
  if (table === null || body === null || body === undefined) return
  const names = new Intl.DisplayNames([data.lang], { type: 'region' })
  const number = new Intl.NumberFormat(data.lang)
  const name = (code: string): string => names.of(code) ?? code
  const rows = Object.entries(stats.byCountry).sort(([a, x], [b, y]) => y - x || name(a).localeCompare(name(b), data.lang))
  if (rows.length === 0) return
  const toRow = ([code, n]: [string, number]): HTMLTableRowElement => {
    const row = document.createElement('tr')
    row.dataset.country = code
    const header = document.createElement('th')
    header.scope = 'row'
    header.textContent = name(code)
    const cell = document.createElement('td')
    const value = document.createElement('data')
    value.value = String(n)
    value.textContent = number.format(n)
    cell.append(value)
    row.append(header, cell)
    return row
  }
  const more = document.querySelector<HTMLDetailsElement>('#more-countries')
  const top = table.dataset.top === undefined || more === null ? rows.length : Number(table.dataset.top)
  body.replaceChildren(...rows.slice(0, top).map(toRow))
  if (more === null) return
  const rest = rows.slice(top)
  more.querySelector('tbody')?.replaceChildren(...rest.map(toRow))
  const summary = more.querySelector('summary')
  if (summary !== null) summary.textContent = t('map.otherCountries', { count: rest.length })
  more.hidden = rest.length === 0
}
