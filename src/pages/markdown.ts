import MarkdownIt from 'markdown-it'

// Raw HTML in an appeal's text is shown as text, never passed through: an organiser's account that is
// taken over must not become a way to run scripts on every signer's page. markdown-it also refuses
// javascript:, vbscript: and data: links (other than images) on its own.
// Images are off too: one from another host would tell it who reads the appeal.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false }).disable('image')

const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options))
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]
  if (token !== undefined && /^https?:/i.test(String(token.attrGet('href') ?? ''))) token.attrSet('rel', 'noopener noreferrer')
  return defaultLinkOpen(tokens, idx, options, env, self)
}

/** An appeal's Markdown body as safe HTML. */
export function renderMarkdown (source: string): string {
  return markdown.render(source)
}
