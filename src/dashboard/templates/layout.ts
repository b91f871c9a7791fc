import { html } from 'ghtml'
import type { PageAssets } from '../../pages/assets.js'
import { languageSwitcher } from '../../pages/templates/layout.js'
import type { AdminView } from '../view.js'

/** A whole dashboard document: the site's styles and the dashboard's script, its navigation and the page. */
export function adminLayout (view: AdminView, assets: PageAssets, title: string, main: string): string {
  const a = view.a
  const who = view.organiser
  return '<!doctype html>\n' + html`<html lang="${view.lang}" dir="${view.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · ${a('layout.name')}</title>
<link rel="icon" href="data:,">
!${[...assets.styles, ...assets.admin.styles].map((href) => html`<link rel="stylesheet" href="${href}">`)}
!${assets.admin.preloads.map((href) => html`<link rel="modulepreload" href="${href}">`)}
!${assets.admin.scripts.map((src) => html`<script type="module" src="${src}"></script>`)}
</head>
<body class="dashboard">
<a class="skip-link" href="#content">${view.t('site.skipToContent')}</a>
<header class="site-header">
<p class="site-name"><a href="/admin">${a('layout.name')}</a></p>
!${who === null
? ''
: html`<nav class="admin-nav" aria-label="${a('layout.nav')}"><ul>
<li><a href="/admin"!${view.path === '/admin' ? ' aria-current="page"' : ''}>${a('layout.appeals')}</a></li>
<li><a href="/admin/tokens"!${view.path.startsWith('/admin/tokens') ? ' aria-current="page"' : ''}>${a('layout.tokens')}</a></li>
<li><a href="/admin/account"!${view.path.startsWith('/admin/account') ? ' aria-current="page"' : ''}>${a('accounts.account.nav')}</a></li>
!${who.role === 'admin'
? html`<li><a href="/admin/organisers"!${view.path.startsWith('/admin/organisers') ? ' aria-current="page"' : ''}>${a('layout.organisers')}</a></li>
<li><a href="/admin/audit"!${view.path.startsWith('/admin/audit') ? ' aria-current="page"' : ''}>${a('accounts.audit.nav')}</a></li>`
: ''}
<li><a href="/">${a('layout.publicSite')}</a></li>
</ul></nav>
<form method="post" action="/admin/sign-out" class="sign-out"><input type="hidden" name="_csrf" value="${view.csrf}"><span class="signed-in-as">${a('layout.signedInAs', { name: who.name })}</span> <button type="submit" class="button small secondary">${a('layout.signOut')}</button></form>`}
!${languageSwitcher(view)}
</header>
<main id="content" tabindex="-1">
!${view.notice === undefined ? '' : html`<p class="notice" role="status">${view.notice}</p>`}
!${who !== null && view.twoFactorRequired && !who.twoFactor && !view.path.startsWith('/admin/account') ? html`<p class="notice warning" role="status">${a('accounts.twoFactor.required')} <a href="/admin/account">${a('accounts.twoFactor.start')}</a></p>` : ''}
!${main}
</main>
</body>
</html>
`
}
