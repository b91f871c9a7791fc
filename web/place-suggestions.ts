// An event's place, typed: the town field suggests cities of the chosen country from the server's own
// offline gazetteer (/api/places; nothing goes to a map service), and the time zone starts at the
// reader's. Without this script the server places the typed town all the same.

interface Place { city: string | null, country: string }

export function enhancePlaceForm (form: HTMLFormElement): void {
  const city = form.querySelector<HTMLInputElement>('[data-place-city]')
  const country = form.querySelector<HTMLSelectElement>('[data-place-country]')
  const list = city?.list ?? null
  const zone = form.querySelector<HTMLSelectElement>('[data-time-zone]')
  if (zone !== null && zone.value === 'UTC') {
    // Browsers may name a zone by an alias of the server's name (America/Cordoba for America/Argentina/Cordoba).
    const own = Intl.DateTimeFormat().resolvedOptions().timeZone
    const canonical = (name: string): string => new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone
    const match = [...zone.options].find((o) => o.value === own) ?? [...zone.options].find((o) => o.value !== 'UTC' && canonical(o.value) === own)
    if (match !== undefined) zone.value = match.value
  }
  if (city === null || country === null || list === null) return
  let timer: ReturnType<typeof setTimeout> | undefined
  let asked = ''
  city.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      const q = city.value.trim()
      const key = `${country.value}:${q}`
      if (q.length < 2 || key === asked) return
      asked = key
      const query = new URLSearchParams({ q, ...(country.value !== '' && { country: country.value }) })
      void fetch(`/api/places?${query.toString()}`).then(async (r) => r.ok ? await r.json() as { items: Place[] } : { items: [] }).then(({ items }) => {
        list.replaceChildren(...items.map((p) => { const o = document.createElement('option'); o.value = p.city ?? ''; return o }))
      }).catch(() => { /* suggestions are a convenience: typing still works */ })
    }, 200)
  })
}

/** Beside an event's time at its place, the same moment on the reader's clock, where it differs. */
export function showLocalTimes (root: ParentNode, lang: string): void {
  const format = new Intl.DateTimeFormat(lang, { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })
  for (const time of root.querySelectorAll<HTMLTimeElement>('time[data-local-time]')) {
    const local = format.format(new Date(time.dateTime))
    if (time.textContent?.includes(local) === true || time.nextElementSibling?.classList.contains('local-time') === true) continue
    const note = document.createElement('span')
    note.className = 'local-time'
    note.textContent = ` (${local})`
    time.after(note)
  }
}
