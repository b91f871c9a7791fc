import { html } from 'ghtml'
import type { i18n } from 'i18next'
import { directionOf, MARKUP_SLOT, withMarkup } from '../i18n/index.js'
import type { MailKind } from './outbox.js'

/** What a mail says, all of it known before it is written: no lookups here. */
export interface MailContent {
  kind: MailKind
  /** The site language the mail is written in (the signer's). */
  language: string
  title: string
  /** The language of the title (the appeal may not be translated into the signer's language). */
  titleLanguage: string
  name: string | null
  /** The confirmation link (confirmation mails). */
  confirmUrl?: string
  appealUrl: string
  removeUrl: string
  siteName: string
  ttlDays: number
}

const BUTTON_STYLE = 'display:inline-block;background:#b3261e;color:#ffffff;padding:0.6em 1.2em;border-radius:4px;text-decoration:none;font-weight:bold'

/** A mail's subject, plain text and HTML, in the signer's language. */
export function composeMail (i18n: i18n, c: MailContent): { subject: string, text: string, html: string } {
  const t = i18n.getFixedT(c.language, 'mail')
  const section = c.kind === 'confirm' ? 'confirm' : 'alreadySigned'
  const subject = t(`${section}.subject`, { title: c.title })
  const greeting = c.name === null ? t('greetingNoName') : t('greeting', { name: c.name })
  const intro = t(`${section}.intro`, { title: c.title })
  const footer = [t('footer.remove'), c.removeUrl, '', t('footer.why', { site: c.siteName })]
  const body = c.kind === 'confirm'
    ? [t('confirm.action'), c.confirmUrl ?? '', '', t('confirm.expiry', { count: c.ttlDays }), '', t('confirm.notYou')]
    : [t('alreadySigned.status'), '', t('alreadySigned.appeal'), c.appealUrl]
  const text = [greeting, '', intro, '', ...body, '', '--', ...footer].join('\n') + '\n'

  // The title in its own language, marked so, inside a sentence of the mail's.
  const titleMarkup = c.titleLanguage === c.language ? html`${c.title}` : html`<span lang="${c.titleLanguage}" dir="${directionOf(c.titleLanguage)}">${c.title}</span>`
  const introMarkup = withMarkup(t(`${section}.intro`, { title: MARKUP_SLOT }), titleMarkup)
  const bodyMarkup = c.kind === 'confirm'
    ? html`<p>${t('confirm.action')}</p>
<p><a href="${c.confirmUrl ?? ''}" style="${BUTTON_STYLE}">${t('confirm.button')}</a></p>
<p style="font-size:0.9em">${t('linkFallback')}<br><span style="word-break:break-all">${c.confirmUrl ?? ''}</span></p>
<p>${t('confirm.expiry', { count: c.ttlDays })}</p>
<p>${t('confirm.notYou')}</p>`
    : html`<p>${t('alreadySigned.status')}</p>
<p>${t('alreadySigned.appeal')} <a href="${c.appealUrl}">${c.appealUrl}</a></p>`
  const document = '<!doctype html>\n' + html`<html lang="${c.language}" dir="${directionOf(c.language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${subject}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1a1a1a;background:#ffffff;max-width:36em;margin:0 auto;padding:1em">
<p>${greeting}</p>
<p>!${introMarkup}</p>
!${bodyMarkup}
<hr style="border:0;border-top:1px solid #cccccc;margin:2em 0 1em">
<p style="font-size:0.9em;color:#4d4d4d">${t('footer.remove')} <a href="${c.removeUrl}" style="color:#4d4d4d">${t('footer.removeLink')}</a></p>
<p style="font-size:0.9em;color:#4d4d4d">${t('footer.why', { site: c.siteName })}</p>
</body>
</html>
`
  return { subject, text, html: document }
}
