import './styles/site.css'
import { createTranslator } from './i18n.js'
import { watchCounts } from './live-counts.js'
import { readPageData } from './page-data.js'
import { enhanceCountrySearch } from './country-search.js'
import { enhanceSigningForm } from './signing-form.js'
import { enhancePlaceForm, showLocalTimes } from './place-suggestions.js'

// Everything here improves a page that already works without it.
for (const placeForm of document.querySelectorAll<HTMLFormElement>('form[data-place-form]')) enhancePlaceForm(placeForm)
showLocalTimes(document, document.documentElement.lang)
const data = readPageData()
if (data !== undefined) {
  const t = createTranslator(data.lang, data.i18n)
  const counts = watchCounts(data, t)
  const form = document.querySelector<HTMLFormElement>('#signing-form')
  if (form !== null) {
    enhanceCountrySearch(form, t)
    enhanceSigningForm(form, data, t, counts)
  }
  const mapElement = document.getElementById('map')
  if (mapElement !== null && data.shapesUrl !== null) {
    // Leaflet is loaded after the page is usable, and only where there is a map.
    void import('./map.js').then(({ showMap }) => showMap(mapElement, data, t, counts))
  }
}
