import { linkActionRoutes } from '../pages/link-action.js'
import { sentenceWithTitle } from '../pages/templates/link-action.js'

// The page the confirmation mail links to; its button confirms the signature.
export default linkActionRoutes((app) => {
  const { appeals, confirmation } = app.services
  return {
    path: '/confirm',
    unknown: { heading: 'confirm.unknownTitle', text: 'confirm.unknown' },
    hidesDrafts: true,
    goneState: 'expired',
    inspect: async (token) => confirmation.inspect(token),
    async act (token) {
      const link = await confirmation.confirm(token)
      if (link.state !== 'valid') return { link, acted: false }
      const appeal = await appeals.getById(link.appealId)
      return { redirect: appeal === undefined || appeal.status === 'draft' ? '/' : `/appeals/${appeal.slug}/thanks?status=confirmed` }
    },
    page (view, link, { title, appealUrl, actionUrl }) {
      const t = view.t
      if (link.state === 'valid') return { heading: t('confirm.title'), text: sentenceWithTitle(view, 'confirm.ask', title), action: { url: actionUrl, button: t('confirm.button') } }
      if (link.state === 'confirmed') return { heading: t('confirm.confirmedTitle'), text: sentenceWithTitle(view, 'confirm.alreadyConfirmed', title), next: { url: appealUrl, label: t('confirm.toAppeal') } }
      return { heading: t('confirm.expiredTitle'), text: sentenceWithTitle(view, 'confirm.expired', title), next: { url: `${appealUrl}#sign`, label: t('confirm.signAgain') } }
    }
  }
})
