import type { TFunction } from 'i18next'

const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase()

/**
 * A search box above the country list: typing "vene" leaves Venezuela, accents and case aside. The
 * options are rebuilt rather than hidden, since some phone browsers show hidden options anyway.
 */
export function enhanceCountrySearch (form: HTMLFormElement, t: TFunction): void {
  const select = form.querySelector<HTMLSelectElement>('select[name="country"]')
  if (select === null) return
  const all = [...select.options].map((o) => ({ value: o.value, label: o.text, key: fold(o.text) }))
  const search = document.createElement('input')
  search.type = 'search'
  search.id = 'country-search'
  search.autocomplete = 'off'
  search.className = 'country-search'
  search.setAttribute('aria-controls', select.id)
  const label = document.createElement('label')
  label.htmlFor = search.id
  label.className = 'visually-hidden'
  label.textContent = t('form.countrySearch')
  search.placeholder = t('form.countrySearch')
  select.before(label, search)

  search.addEventListener('input', () => {
    const query = fold(search.value.trim())
    const selected = select.value
    const matches = all.filter((o) => o.value === '' || query === '' || o.key.includes(query))
    select.replaceChildren(...matches.map((o) => new Option(o.label, o.value, false, o.value === selected)))
    // One country left: choose it, as a reader who typed its name would expect.
    const countries = matches.filter((o) => o.value !== '')
    if (countries.length === 1 && countries[0] !== undefined) select.value = countries[0].value
  })
}
