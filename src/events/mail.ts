import type { FastifyBaseLogger } from 'fastify'
import type { i18n } from 'i18next'
import type { MailSender } from '../mail/transport.js'
import type { EventContact, SolidarityEvent } from './service.js'

// The two mails a supporter who submitted an event gets: that it arrived (with the private link for
// the report afterwards), and that an organiser approved it. Sent at once, not through the signatures'
// outbox, which is keyed on a signature; a mail that cannot be sent is logged for the operator (the
// event itself is recorded either way, and organisers see it waiting).

export type EventMailKind = 'received' | 'approved'

export interface EventMailLinks { reportUrl: string, eventsUrl: string, siteName: string }

export function composeEventMail (i18next: i18n, kind: EventMailKind, event: SolidarityEvent, contact: EventContact, links: EventMailLinks) {
  const t = i18next.getFixedT(contact.language, 'fielddata')
  const subject = t(`mail.${kind}.subject`, { title: event.title })
  const lines = [
    t('mail.greeting'), '',
    t(`mail.${kind}.intro`, { title: event.title }), '',
    ...(kind === 'approved' ? [t('mail.approved.where'), links.eventsUrl, ''] : []),
    t('mail.reportLink'), links.reportUrl, '',
    '--', t('mail.why', { site: links.siteName })
  ]
  const text = lines.join('\n') + '\n'
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
  const html = `<!doctype html>\n<html lang="${contact.language}" dir="${contact.language === 'ar' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8"><title>${escape(subject)}</title></head><body>` +
    lines.map((l) => /^https?:\/\//.test(l) ? `<p><a href="${escape(l)}">${escape(l)}</a></p>` : l === '' ? '' : `<p>${escape(l)}</p>`).join('\n') + '</body></html>\n'
  return { to: contact.email, subject, text, html, language: contact.language, link: links.reportUrl }
}

export async function sendEventMail (sender: MailSender, mail: ReturnType<typeof composeEventMail>, log: Pick<FastifyBaseLogger, 'error'>): Promise<void> {
  try {
    await sender.send(mail)
  } catch (err) {
    log.error({ err }, 'an event mail could not be sent')
  }
}
