import i18next, { type TFunction } from 'i18next'

/** The server's own translations for this page's language (the same locales/ files), ready to use. */
export function createTranslator (lang: string, resources: Record<string, Record<string, unknown>>): TFunction {
  const instance = i18next.createInstance()
  void instance.init({
    lng: lang,
    resources: { [lang]: resources },
    ns: Object.keys(resources),
    defaultNS: 'pages',
    initAsync: false,
    // Everything is written with textContent, never as HTML.
    interpolation: { escapeValue: false }
  })
  return instance.t
}
