import { html } from 'ghtml'
import { directionOf, MARKUP_SLOT, withMarkup } from '../../i18n/index.js'
import type { View } from '../view.js'

/**
 * The page a link in a mail opens (confirm a signature, remove it): it says what the link does and
 * offers one button that does it. Opening the link changes nothing, so a mail scanner that follows
 * links cannot act for the reader; only pressing the button (a POST) does.
 */
export interface LinkActionPage {
  heading: string
  /** The sentence about the appeal, with its title in its own language where that differs. */
  text: string
  /** The form and its button, when the link can still act. */
  action?: { url: string, button: string }
  /** A link onwards (back to the appeal, or to sign again). */
  next?: { url: string, label: string }
}

export function linkActionPage (view: View, page: LinkActionPage): string {
  return html`<section class="link-action" aria-labelledby="link-action-heading">
<h1 id="link-action-heading">${page.heading}</h1>
<p>!${page.text}</p>
!${page.action === undefined ? '' : html`<form method="post" action="${page.action.url}"><p><button type="submit" class="button">${page.action.button}</button></p></form>`}
!${page.next === undefined ? '' : html`<p><a href="${page.next.url}">${page.next.label}</a></p>`}
</section>`
}

/** A translated sentence with an appeal's title in it, escaped, the title marked with its own language. */
export function sentenceWithTitle (view: View, key: string, title: { text: string, language: string }): string {
  // A title in another script direction is isolated (dir on an element makes it a bidi isolate).
  const titleMarkup = title.language === view.lang ? html`${title.text}` : html`<span lang="${title.language}" dir="${directionOf(title.language)}">${title.text}</span>`
  return withMarkup(view.t(key, { title: MARKUP_SLOT }), titleMarkup)
}
