import 'leaflet/dist/leaflet.css'
import L from 'leaflet'
import { feature } from 'topojson-client'
import type { GeometryCollection, Topology } from 'topojson-specification'

/**
 * A small map of the country borders the site serves itself (no tile server): a click puts the event
 * there and fills in its latitude and longitude; typing them moves the marker.
 */
export async function enhanceMapPicker (element: HTMLElement): Promise<void> {
  const form = element.closest('form')
  const latitude = form?.querySelector<HTMLInputElement>('[name="latitude"]')
  const longitude = form?.querySelector<HTMLInputElement>('[name="longitude"]')
  const shapesUrl = element.dataset.shapes
  if (latitude == null || longitude == null || shapesUrl === undefined || shapesUrl === '') return
  element.hidden = false
  const map = L.map(element, { worldCopyJump: true, attributionControl: false }).setView([15, 0], 1)
  const topology = await (await fetch(shapesUrl)).json() as Topology
  const countries = topology.objects.countries as GeometryCollection
  L.geoJSON(feature(topology, countries), { style: { color: '#8a8178', weight: 0.6, fillColor: '#e9e6e1', fillOpacity: 1 } }).addTo(map)
  let marker: L.CircleMarker | undefined
  const place = (lat: number, lng: number): void => {
    if (marker === undefined) marker = L.circleMarker([lat, lng], { radius: 7, color: '#1d3557', fillColor: '#f1c40f', fillOpacity: 1, weight: 2 }).addTo(map)
    else marker.setLatLng([lat, lng])
  }
  const fromFields = (): void => {
    const lat = Number(latitude.value)
    const lng = Number(longitude.value)
    if (latitude.value !== '' && longitude.value !== '' && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) place(lat, lng)
  }
  fromFields()
  latitude.addEventListener('change', fromFields)
  longitude.addEventListener('change', fromFields)
  map.on('click', (event: L.LeafletMouseEvent) => {
    const { lat, lng } = event.latlng.wrap()
    latitude.value = lat.toFixed(4)
    longitude.value = lng.toFixed(4)
    place(lat, lng)
  })
}
