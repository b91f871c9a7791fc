import { html } from 'ghtml'
import type { i18n } from 'i18next'
import { directionOf } from '../i18n/index.js'
import type { OutgoingMail } from '../mail/transport.js'

const BUTTON_STYLE = 'display:inline-block;background:#b3261e;color:#ffffff;padding:0.6em 1.2em;border-radius:4px;text-decoration:none;font-weight:bold'

export interface AccountMailContent {
  kind: 'invitation' | 'reset'
  to: string
  language: string
  link: string
  siteName: string
  /** Who invited (invitations). */
  inviter?: string
  /** The appeal invited to, by its address (invitations to one appeal). */
  appeal?: string
  /** How long the link works, in hours. */
  hours: number
}

/** An invitation or a password-reset mail, as text and HTML, in the language it was asked in. */
export function composeAccountMail (i18n: i18n, c: AccountMailContent): OutgoingMail {
  const t = i18n.getFixedT(c.language, 'mail')
  const k = (key: string, values: Record<string, unknown> = {}): string => t(`accounts.${c.kind}.${key}`, { site: c.siteName, inviter: c.inviter, appeal: c.appeal, count: c.hours, ...values })
  const subject = k('subject')
  const intro = c.kind === 'invitation' && c.appeal !== undefined ? k('introAppeal') : k('intro')
  const lines = [t('greetingNoName'), '', intro, '', k('action'), c.link, '', k('expiry'), '', k('notYou')]
  const document = '<!doctype html>\n' + html`<html lang="${c.language}" dir="${directionOf(c.language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${subject}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1a1a1a;background:#ffffff;max-width:36em;margin:0 auto;padding:1em">
<p>${t('greetingNoName')}</p>
<p>${intro}</p>
<p>${k('action')}</p>
<p><a href="${c.link}" style="${BUTTON_STYLE}">${k('button')}</a></p>
<p style="font-size:0.9em">${t('linkFallback')}<br><span style="word-break:break-all">${c.link}</span></p>
<p>${k('expiry')}</p>
<p>${k('notYou')}</p>
</body>
</html>
`
  return { to: c.to, subject, text: lines.join('\n') + '\n', html: document, language: c.language, link: c.link }
}
