import { eq } from 'drizzle-orm'
import { html } from 'ghtml'
import type { i18n } from 'i18next'
import { chooseText } from '../appeals/choose-text.js'
import type { AppealsService } from '../appeals/service.js'
import type { Database } from '../db/connection.js'
import { appeals, contributions } from '../db/schema.js'
import { directionOf } from '../i18n/index.js'
import type { ClaimedMail } from '../mail/outbox.js'
import type { OutgoingMail } from '../mail/transport.js'
import type { Sealer } from '../secrets/sealing.js'
import { formatMoney } from './money.js'
import { openContributor } from './personal.js'

// The fund's three mails (report received, verified, rejected with its reason), written in the
// supporter's language when the worker sends them, from the contribution as it is then: a report
// erased meanwhile gets none. Each carries the link that removes the supporter's details.

export interface FundMailOptions {
  db: Database
  appeals: AppealsService
  sealer: Sealer
  i18n: i18n
  siteUrl: string
  removalPath: (contributionId: number) => string
}

const sections = { fund_received: 'received', fund_verified: 'verified', fund_rejected: 'rejected' } as const

export function createFundMailWriter (o: FundMailOptions) {
  return async function prepareFundMail (mail: ClaimedMail): Promise<OutgoingMail | string> {
    const section = sections[mail.kind as keyof typeof sections]
    if (section === undefined || mail.contributionId === null) return 'not a fund mail'
    const [row] = await o.db.select({ contribution: contributions, appeal: appeals }).from(contributions)
      .innerJoin(appeals, eq(appeals.id, contributions.appealId)).where(eq(contributions.id, mail.contributionId)).limit(1)
    if (row === undefined) return 'contribution deleted'
    const { contribution, appeal } = row
    if (contribution.erasedAt !== null || contribution.anonymisedAt !== null) return 'contribution erased'
    const personal = openContributor(o.sealer, contribution)
    if (personal.email === null) return 'no address'
    const lang = mail.language
    const t = o.i18n.getFixedT(lang, 'fund')
    const { text } = chooseText(appeal, await o.appeals.texts(appeal), lang)
    const amount = formatMoney(lang, contribution.amountMinor, contribution.currency)
    const accountUrl = `${o.siteUrl}/appeals/${appeal.slug}/fund?lang=${lang}`
    const removeUrl = `${o.siteUrl}${o.removalPath(contribution.id)}?lang=${lang}`
    const values = { title: text.title, amount, date: contribution.contributedOn }
    const subject = t(`mail.${section}.subject`, values)
    const greeting = personal.name === null ? t('mail.greetingNoName') : t('mail.greeting', { name: personal.name })
    const lines = [t(`mail.${section}.intro`, values)]
    if (section === 'rejected') lines.push(t('mail.rejected.reason', { reason: contribution.rejectionReason ?? '' }))
    if (section === 'received') lines.push(t('mail.received.next'))
    const footer = [t('mail.remove'), removeUrl, '', t('mail.why', { site: new URL(o.siteUrl).host })]
    const plain = [greeting, '', ...lines.flatMap((l) => [l, '']), t('mail.account'), accountUrl, '', '--', ...footer].join('\n') + '\n'
    const document = '<!doctype html>\n' + html`<html lang="${lang}" dir="${directionOf(lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${subject}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1a1a1a;background:#ffffff;max-width:36em;margin:0 auto;padding:1em">
<p>${greeting}</p>
!${lines.map((l) => html`<p>${l}</p>`)}
<p>${t('mail.account')} <a href="${accountUrl}">${accountUrl}</a></p>
<hr style="border:0;border-top:1px solid #cccccc;margin:2em 0 1em">
<p style="font-size:0.9em;color:#4d4d4d">${t('mail.remove')} <a href="${removeUrl}" style="color:#4d4d4d">${t('mail.removeLink')}</a></p>
<p style="font-size:0.9em;color:#4d4d4d">${t('mail.why', { site: new URL(o.siteUrl).host })}</p>
</body>
</html>
`
    return { to: personal.email, subject, text: plain, html: document, language: lang, link: accountUrl }
  }
}
