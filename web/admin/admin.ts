import '../styles/admin.css'
import { enhancePlaceForm } from '../place-suggestions.js'

// The dashboard works without this. With it, an event's place can be picked on a small map (its
// latitude and longitude fields fill in), and a snippet is selected whole when focused, to copy.
const picker = document.querySelector<HTMLElement>('[data-map-picker]')
if (picker !== null) void import('./map-picker.js').then(({ enhanceMapPicker }) => enhanceMapPicker(picker))

for (const placeForm of document.querySelectorAll<HTMLFormElement>('form[data-place-form]')) enhancePlaceForm(placeForm)

for (const snippet of document.querySelectorAll<HTMLTextAreaElement>('textarea.snippet')) {
  snippet.addEventListener('focus', () => { snippet.select() })
}
