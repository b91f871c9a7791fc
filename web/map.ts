import 'leaflet/dist/leaflet.css'
import L from 'leaflet'
import type { TFunction } from 'i18next'
import { feature } from 'topojson-client'
import type { GeometryCollection, Topology } from 'topojson-specification'
import type { AppealStats } from '../src/stats/appeal-stats.js'
import type { LiveCounts } from './live-counts.js'
import type { PageData } from './page-data.js'

// Light to dark red, one step per class of the legend; countries without signatures stay neutral.
const SHADES = ['#fcd5c5', '#f9a58a', '#f06c4f', '#d23a2f', '#9c1b1f']
const EMPTY = '#e9e6e1'

type Ring = number[][]

// A few shapes (Russia's far east, Fiji) cross the 180th meridian; drawn as they are, their rings run
// across the whole map. Moving their western points by 360° keeps each ring in one piece.
function unwrapRing (ring: Ring): Ring {
  const longitudes = ring.map((point) => point[0] ?? 0)
  if (Math.max(...longitudes) - Math.min(...longitudes) <= 180) return ring
  return ring.map(([lon = 0, lat = 0]) => [lon < 0 ? lon + 360 : lon, lat])
}

function unwrapAntimeridian (geometry: GeoJSON.Geometry | null): void {
  if (geometry?.type === 'Polygon') geometry.coordinates = geometry.coordinates.map(unwrapRing)
  if (geometry?.type === 'MultiPolygon') geometry.coordinates = geometry.coordinates.map((polygon) => polygon.map(unwrapRing))
}

/** Class limits for the legend: round numbers growing geometrically up to the largest count. */
function classLimits (max: number): number[] {
  if (max <= 0) return []
  const limits: number[] = []
  for (let i = 1; i <= SHADES.length; i++) {
    const raw = Math.pow(max, i / SHADES.length)
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)))
    const rounded = Math.ceil(raw / magnitude) * magnitude
    if (limits.at(-1) !== rounded) limits.push(rounded)
  }
  return limits
}

function shade (count: number, limits: number[]): string {
  if (count <= 0) return EMPTY
  const index = limits.findIndex((limit) => count <= limit)
  const offset = SHADES.length - limits.length
  return SHADES[(index === -1 ? limits.length - 1 : index) + offset] ?? SHADES[SHADES.length - 1]!
}

/** The legend, in its own box under the map: over the map it hid countries on a phone (South America). */
function showLegend (box: HTMLElement, limits: number[], lang: string, t: TFunction): void {
  const number = new Intl.NumberFormat(lang)
  const title = document.createElement('p')
  title.className = 'map-legend-title'
  title.textContent = t('map.legend')
  const offset = SHADES.length - limits.length
  const rows = limits.map((limit, i) => {
    const from = i === 0 ? 1 : (limits[i - 1] ?? 0) + 1
    const row = document.createElement('p')
    const swatch = document.createElement('span')
    swatch.className = 'swatch'
    swatch.style.background = SHADES[i + offset] ?? EMPTY
    row.append(swatch, document.createTextNode(from >= limit ? number.format(limit) : `${number.format(from)}–${number.format(limit)}`))
    return row
  })
  const event = document.createElement('p')
  const dot = document.createElement('span')
  dot.className = 'swatch event'
  event.append(dot, document.createTextNode(t('map.legendEvent')))
  box.replaceChildren(title, ...rows, event)
  box.hidden = false
}

/**
 * Takes a shape, a marker or a zoom button out of the tab order: the map is one tab stop, its container,
 * whose arrow keys pan it and whose + and − keys zoom it; what the shapes and markers say is in the table and
 * the events list beside it, which is how the keyboard and screen readers reach it.
 */
function untabbable (element: Element | undefined): void {
  element?.setAttribute('tabindex', '-1')
  if (element instanceof SVGElement) element.setAttribute('aria-hidden', 'true')
}

function popup (e: PageData['events'][number], countryName: string, t: TFunction): HTMLElement {
  const box = document.createElement('div')
  const title = document.createElement('strong')
  title.textContent = e.title
  const when = document.createElement('p')
  when.textContent = [e.date, [e.city, countryName].filter(Boolean).join(', ')].join(' · ')
  box.append(title, when)
  if (e.link !== null) {
    const link = document.createElement('a')
    link.href = e.link
    link.rel = 'noopener noreferrer'
    link.textContent = t('events.more')
    box.append(link)
  }
  return box
}

/** The International Solidarity Map: countries shaded by signatures, events as markers, kept live. */
export async function showMap (element: HTMLElement, data: PageData, t: TFunction, counts: LiveCounts): Promise<void> {
  if (data.shapesUrl === null) return
  const topology = await (await fetch(data.shapesUrl)).json() as Topology<{ countries: GeometryCollection }>
  const countries = feature(topology, topology.objects.countries)
  for (const country of countries.features) unwrapAntimeridian(country.geometry)
  const names = new Intl.DisplayNames([data.lang], { type: 'region' })
  const countryName = (code: string): string => names.of(code) ?? code

  element.hidden = false
  const map = L.map(element, { scrollWheelZoom: false, worldCopyJump: true, minZoom: 1, maxZoom: 8, attributionControl: false })
  for (const button of map.zoomControl.getContainer()?.querySelectorAll('a') ?? []) untabbable(button)
  L.control.attribution({ prefix: false }).addAttribution(data.tiles?.attribution || t('map.attribution')).addTo(map)
  if (data.tiles !== null) L.tileLayer(data.tiles.url, { maxZoom: 8 }).addTo(map)

  let stats: AppealStats = counts.current
  let limits = classLimits(Math.max(0, ...Object.values(stats.byCountry)))
  const layers = new Map<string, L.Path>()
  const shapes = L.geoJSON(countries, {
    style: (f) => ({ weight: 0.6, color: '#ffffff', fillOpacity: 1, fillColor: shade(stats.byCountry[String(f?.id)] ?? 0, limits) }),
    onEachFeature: (f, layer) => {
      if (f.id === undefined) return
      const code = String(f.id)
      layers.set(code, layer as L.Path)
      layer.bindTooltip(() => t('map.tooltip', { country: countryName(code), count: stats.byCountry[code] ?? 0 }), { sticky: true })
      layer.on('add', () => {
        (layer as L.Path).getElement()?.setAttribute('data-country', code)
        untabbable((layer as L.Path).getElement())
      })
    }
  })
  const markers = data.events.map((e) => L.circleMarker([e.lat, e.lng], { radius: 6, color: '#1d3557', weight: 2, fillColor: '#f1c40f', fillOpacity: 1, className: 'event-marker' })
    .bindPopup(popup(e, countryName(e.country), t))
    .on('add', (event) => { untabbable((event.target as L.Path).getElement()) }))

  // Fit to where the signatures and events are (the whole world when there are none yet); Leaflet
  // needs a view before it can draw anything.
  const signed = [...layers.entries()].filter(([code]) => (stats.byCountry[code] ?? 0) > 0).map(([, layer]) => layer)
  const bounds = L.featureGroup([...signed, ...markers]).getBounds()
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], maxZoom: 4 })
  else map.fitBounds(shapes.getBounds())
  shapes.addTo(map)
  for (const marker of markers) marker.addTo(map)
  const legendBox = document.getElementById('map-legend')
  if (legendBox !== null) showLegend(legendBox, limits, data.lang, t)

  counts.subscribe((next) => {
    stats = next
    limits = classLimits(Math.max(0, ...Object.values(next.byCountry)))
    for (const [code, layer] of layers) layer.setStyle({ fillColor: shade(next.byCountry[code] ?? 0, limits) })
    if (legendBox !== null) showLegend(legendBox, limits, data.lang, t)
  })
}
