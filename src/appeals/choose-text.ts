import type { Appeal, AppealText } from './service.js'

/** The text to show a reader: theirs if it exists, otherwise the original. */
export function chooseText (appeal: Appeal, texts: Record<string, AppealText>, lang: string): { language: string, text: AppealText } {
  const own = texts[lang]
  if (own !== undefined) return { language: lang, text: own }
  const original = texts[appeal.originalLanguage] ?? Object.values(texts)[0]
  if (original === undefined) throw new Error(`appeal ${appeal.slug} has no text`)
  return { language: texts[appeal.originalLanguage] === undefined ? Object.keys(texts)[0] ?? lang : appeal.originalLanguage, text: original }
}
