import '../styles/site.css'
import '../styles/widget.css'
import { createTranslator } from '../i18n.js'
import { watchCounts } from '../live-counts.js'
import { readPageData } from '../page-data.js'
import { reportSize } from './frame.js'

// The widget pages (src/embed/): each works without this; with it the counts stay live, the map is
// drawn, the form signs in place, and the frame keeps the page around it told of its height.
reportSize()
const data = readPageData()
if (data?.stats !== undefined) {
  const t = createTranslator(data.lang, data.i18n)
  const form = document.querySelector<HTMLFormElement>('#signing-form')
  const counts = watchCounts(data, t, form === null)
  const mapElement = document.getElementById('map')
  if (mapElement !== null && data.shapesUrl !== null) {
    void import('../map.js').then(({ showMap }) => showMap(mapElement, data, t, counts))
  }
  if (form !== null) {
    void Promise.all([import('../country-search.js'), import('../signing-form.js')]).then(([search, signing]) => {
      search.enhanceCountrySearch(form, t)
      signing.enhanceSigningForm(form, data, t, counts)
    })
  }
}
