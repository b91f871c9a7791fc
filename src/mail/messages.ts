import { html } from 'ghtml'
import type { i18n } from 'i18next'
import { directionOf, MARKUP_SLOT, withMarkup } from '../i18n/index.js'
import type { MailKind } from './outbox.js'

/** What a mail says, all of it known before it is written: no lookups here. */
export interface MailContent {
  kind: Exclude<MailKind, 'update'>
  /** The site language the mail is written in (the signer's). */
  language: string
  title: string
  /** The language of the title (the appeal may not be translated into the signer's language). */
  titleLanguage: string
  name: string | null
  /** The confirmation link (confirmation mails). */
  confirmUrl?: string
  /** The organisers' own paragraph for the confirmation mail, in place of the default thanks (see updates/messages.ts). */
  note?: { text: string, language: string }
  appealUrl: string
  removeUrl: string
  unsubscribeUrl: string
  siteName: string
  ttlDays: number
}

/** The links and words at the foot of every mail. */
export interface MailFooter { language: string, removeUrl: string, unsubscribeUrl: string, siteName: string }

const BUTTON_STYLE = 'display:inline-block;background:#b3261e;color:#ffffff;padding:0.6em 1.2em;border-radius:4px;text-decoration:none;font-weight:bold'
const FOOT_STYLE = 'font-size:0.9em;color:#4d4d4d'

// The frame's words in each language, looked up once per process (mail goes out at the pace of
// signing); per i18n instance, as tests make several.
const footWordsByI18n = new WeakMap<i18n, Map<string, ReturnType<typeof lookUpFootWords>>>()
function lookUpFootWords (i18n: i18n, language: string, siteName: string) {
  const t = i18n.getFixedT(language, 'mail')
  const u = i18n.getFixedT(language, 'updates')
  return {
    t,
    greetingNoName: t('greetingNoName'),
    unsubscribe: u('mail.unsubscribe'),
    unsubscribeLink: u('mail.unsubscribeLink'),
    remove: t('footer.remove'),
    removeLink: t('footer.removeLink'),
    why: t('footer.why', { site: siteName })
  }
}
function footWords (i18n: i18n, language: string, siteName: string) {
  let known = footWordsByI18n.get(i18n)
  if (known === undefined) footWordsByI18n.set(i18n, known = new Map())
  const key = `${language} ${siteName}`
  let words = known.get(key)
  if (words === undefined) known.set(key, words = lookUpFootWords(i18n, language, siteName))
  return words
}

/**
 * The one frame every mail is written in: greeting, body, and the footer with the links to stop mail
 * about the appeal and to remove the signature. `bodyHtml` is markup already escaped.
 */
export function frameMail (i18n: i18n, footer: MailFooter, parts: { subject: string, name: string | null, text: string[], bodyHtml: string }) {
  const words = footWords(i18n, footer.language, footer.siteName)
  const greeting = parts.name === null ? words.greetingNoName : words.t('greeting', { name: parts.name })
  const foot = [words.unsubscribe, footer.unsubscribeUrl, '', words.remove, footer.removeUrl, '', words.why]
  const text = [greeting, '', ...parts.text, '', '--', ...foot].join('\n') + '\n'
  const document = '<!doctype html>\n' + html`<html lang="${footer.language}" dir="${directionOf(footer.language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${parts.subject}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1a1a1a;background:#ffffff;max-width:36em;margin:0 auto;padding:1em">
<p>${greeting}</p>
!${parts.bodyHtml}
<hr style="border:0;border-top:1px solid #cccccc;margin:2em 0 1em">
<p style="${FOOT_STYLE}">${words.unsubscribe} <a href="${footer.unsubscribeUrl}" style="color:#4d4d4d">${words.unsubscribeLink}</a></p>
<p style="${FOOT_STYLE}">${words.remove} <a href="${footer.removeUrl}" style="color:#4d4d4d">${words.removeLink}</a></p>
<p style="${FOOT_STYLE}">${words.why}</p>
</body>
</html>
`
  return { subject: parts.subject, text, html: document }
}

/** A text in a language other than the mail's, marked so (a bidi isolate where the direction differs). */
const inLanguage = (mailLanguage: string, text: string, language: string): string =>
  language === mailLanguage ? html`${text}` : html`<span lang="${language}" dir="${directionOf(language)}">${text}</span>`

/** A signing's mail (confirmation, already signed): subject, plain text and HTML, in the signer's language. */
export function composeMail (i18n: i18n, c: MailContent): { subject: string, text: string, html: string } {
  const { t } = footWords(i18n, c.language, c.siteName)
  const section = c.kind === 'confirm' ? 'confirm' : 'alreadySigned'
  const subject = t(`${section}.subject`, { title: c.title })
  const note = c.kind === 'confirm' ? c.note : undefined
  const intro = note?.text ?? t(`${section}.intro`, { title: c.title })
  const body = c.kind === 'confirm'
    ? [t('confirm.action'), c.confirmUrl ?? '', '', t('confirm.expiry', { count: c.ttlDays }), '', t('confirm.notYou')]
    : [t('alreadySigned.status'), '', t('alreadySigned.appeal'), c.appealUrl]

  // The title in its own language, marked so, inside a sentence of the mail's.
  const introMarkup = note === undefined
    ? withMarkup(t(`${section}.intro`, { title: MARKUP_SLOT }), inLanguage(c.language, c.title, c.titleLanguage))
    : inLanguage(c.language, note.text, note.language)
  const bodyMarkup = c.kind === 'confirm'
    ? html`<p>${t('confirm.action')}</p>
<p><a href="${c.confirmUrl ?? ''}" style="${BUTTON_STYLE}">${t('confirm.button')}</a></p>
<p style="font-size:0.9em">${t('linkFallback')}<br><span style="word-break:break-all">${c.confirmUrl ?? ''}</span></p>
<p>${t('confirm.expiry', { count: c.ttlDays })}</p>
<p>${t('confirm.notYou')}</p>`
    : html`<p>${t('alreadySigned.status')}</p>
<p>${t('alreadySigned.appeal')} <a href="${c.appealUrl}">${c.appealUrl}</a></p>`
  return frameMail(i18n, { language: c.language, removeUrl: c.removeUrl, unsubscribeUrl: c.unsubscribeUrl, siteName: c.siteName }, {
    subject, name: c.name, text: [intro, '', ...body], bodyHtml: html`<p>!${introMarkup}</p>\n!${bodyMarkup}`
  })
}
