import type { Appeal } from '../appeals/service.js'
import type { FundText } from './service.js'

const EMPTY: FundText = { purpose: '', ways: [] }

/** The fund's text for a reader: theirs if it exists, otherwise the appeal's original language's, otherwise any. */
export function chooseFundText (appeal: Appeal, texts: Record<string, FundText>, lang: string): { language: string, text: FundText } {
  const own = texts[lang]
  if (own !== undefined) return { language: lang, text: own }
  const original = texts[appeal.originalLanguage]
  if (original !== undefined) return { language: appeal.originalLanguage, text: original }
  const [first] = Object.entries(texts)
  return first === undefined ? { language: lang, text: EMPTY } : { language: first[0], text: first[1] }
}
