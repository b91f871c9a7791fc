import { html } from 'ghtml'
import type { i18n } from 'i18next'
import { frameMail, type MailFooter } from '../mail/messages.js'
import { renderMarkdown } from '../pages/markdown.js'

/** One language's text of an update: its subject and its Markdown body. */
export interface UpdateText { subject: string, body: string }

/** An update's text, ready to be framed for each signer: the body rendered once. */
export interface RenderedUpdate { language: string, subject: string, body: string, bodyHtml: string }

export const renderUpdate = (language: string, text: UpdateText): RenderedUpdate =>
  ({ language, subject: text.subject, body: text.body, bodyHtml: renderMarkdown(text.body) })

/**
 * An update's mail to one signer: the organisers' words (in `update.language`, which may not be the
 * mail's own when no translation was written) inside the frame every mail has, with its links to stop
 * mail about the appeal and to remove the signature. The Markdown itself is the plain-text part.
 */
export function composeUpdate (i18n: i18n, update: RenderedUpdate, footer: MailFooter, name: string | null) {
  const marked = update.language === footer.language ? '' : html` lang="${update.language}"`
  return frameMail(i18n, footer, {
    subject: update.subject,
    name,
    text: [update.body],
    bodyHtml: `<div${marked}>${update.bodyHtml}</div>`
  })
}
