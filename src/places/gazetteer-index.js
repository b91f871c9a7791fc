// The gazetteer's index and its two questions, in plain JavaScript: it is built and asked on a worker
// thread (gazetteer-worker.js), which starts without tsx's hooks, so that building it (0.7 s of a core)
// never holds up the process's requests. Nothing here needs more than the packaged cities.

/**
 * @typedef {{ name: string, country: string, population: number, loc: { coordinates: [number, number] } }} PackagedCity
 * @typedef {{ name: string, key: string, country: string, population: number, latitude: number, longitude: number }} City
 * @typedef {{ byCountry: Map<string, City[]>, centres: Map<string, { latitude: number, longitude: number }> }} Index
 * @typedef {{ city: string | null, country: string, latitude: number, longitude: number, approximate: boolean }} Place
 */

/**
 * How a place name is compared: no case, no accents, no punctuation, single spaces.
 * @param {string} name
 * @returns {string}
 */
export function placeKey (name) {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()
}

/** @param {number[]} values */
function median (values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const at = (/** @type {number} */ i) => /** @type {number} */ (sorted[i])
  return sorted.length % 2 === 1 ? at(middle) : (at(middle - 1) + at(middle)) / 2
}

/**
 * @param {PackagedCity[]} packaged
 * @returns {Index}
 */
export function buildIndex (packaged) {
  /** @type {Map<string, City[]>} */
  const byCountry = new Map()
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
  return { byCountry, centres }
}

/**
 * The coordinates of a city typed with its country, or of the country's centre (approximate); null if neither is known.
 * @param {Index} index
 * @param {string | null | undefined} city
 * @param {string} country
 * @returns {Place | null}
 */
export function locateIn ({ byCountry, centres }, city, country) {
  const key = placeKey(city ?? '')
  if (key !== '') {
    const found = byCountry.get(country)?.find((c) => c.key === key)
    if (found !== undefined) return { city: found.name, country, latitude: found.latitude, longitude: found.longitude, approximate: false }
  }
  const centre = centres.get(country)
  return centre === undefined ? null : { city: null, country, ...centre, approximate: true }
}

/**
 * Cities whose name begins with what was typed (already a placeKey), most populous first.
 * @param {Index} index
 * @param {string} key
 * @param {string | undefined} country
 * @param {number} limit
 * @returns {Place[]}
 */
export function suggestIn ({ byCountry }, key, country, limit) {
  const lists = country === undefined ? [...byCountry.values()] : [byCountry.get(country) ?? []]
  /** @type {City[]} */
  const found = []
  for (const list of lists) for (const c of list) if (c.key.startsWith(key)) found.push(c)
  found.sort((a, b) => (a.key === key ? 0 : 1) - (b.key === key ? 0 : 1) || b.population - a.population)
  return found.slice(0, limit).map((c) => ({ city: c.name, country: c.country, latitude: c.latitude, longitude: c.longitude, approximate: false }))
}
