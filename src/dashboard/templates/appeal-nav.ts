import { html } from 'ghtml'
import { chooseText } from '../../appeals/choose-text.js'
import type { Appeal, AppealText } from '../../appeals/service.js'
import type { AdminView } from '../view.js'

export type AppealSection = 'edit' | 'signatures' | 'import' | 'events' | 'updates' | 'team' | 'embed' | 'fund' | 'webhooks' | 'audit'
const SECTIONS: Array<[AppealSection, string, string]> = [
  ['edit', '', 'appealNav.edit'], ['signatures', '/signatures', 'appealNav.signatures'], ['import', '/import', 'appealNav.import'],
  ['events', '/events', 'appealNav.events'], ['updates', '/updates', 'updates:nav'],
  ['team', '/team', 'appealNav.team'], ['embed', '/embed', 'appealNav.embed'], ['fund', '/fund', 'fund:admin.tab'], ['webhooks', '/webhooks', 'webhooks.nav'], ['audit', '/audit', 'accounts.audit.nav']
]

/** The appeal's title (in the reader's language where it has one) and the links to its dashboard pages. */
export function appealHeader (view: AdminView, appeal: Appeal, texts: Record<string, AppealText>, current: AppealSection, heading: string): string {
  const a = view.a
  const { language, text } = chooseText(appeal, texts, view.lang)
  return html`<p class="breadcrumb"><a href="/admin">${a('layout.appeals')}</a> › <span!${language === view.lang ? '' : html` lang="${language}"`}>${text.title}</span> <span class="status status-${appeal.status}">${a(`status.${appeal.status}`)}</span></p>
<nav class="appeal-nav" aria-label="${a('appealNav.label')}"><ul>!${SECTIONS.map(([section, path, label]) => html`<li><a href="/admin/appeals/${appeal.slug}${path}"!${section === current ? ' aria-current="page"' : ''}>${label.includes(':') ? view.t(label) : a(label)}</a></li>`)}
<li><a href="/appeals/${appeal.slug}">${a('appealNav.public')}</a></li></ul></nav>
<h1>${heading}</h1>`
}
