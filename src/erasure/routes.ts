import { linkActionRoutes } from '../pages/link-action.js'
import { sentenceWithTitle } from '../pages/templates/link-action.js'

// The page the removal link in every mail opens; its button erases the signature.
export default linkActionRoutes((app) => {
  const { erasure } = app.services
  return {
    path: '/remove',
    unknown: { heading: 'remove.unknownTitle', text: 'remove.unknown' },
    inspect: async (token) => erasure.inspectRemoval(token),
    async act (token) {
      const { link, removedNow } = await erasure.removeByLink(token)
      return { link, acted: removedNow }
    },
    page: (view, link, { title, actionUrl, acted }) => link.state === 'valid'
      ? { heading: view.t('remove.title'), text: sentenceWithTitle(view, 'remove.ask', title), action: { url: actionUrl, button: view.t('remove.button') } }
      : { heading: view.t('remove.doneTitle'), text: sentenceWithTitle(view, acted ? 'remove.done' : 'remove.alreadyDone', title) }
  }
})
