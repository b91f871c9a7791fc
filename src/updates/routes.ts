import type { FastifyPluginAsync } from 'fastify'
import { linkActionRoutes } from '../pages/link-action.js'
import { sentenceWithTitle } from '../pages/templates/link-action.js'

// The unsubscribe link in every mail (List-Unsubscribe, and the visible link). A mail client's
// one-click unsubscribe (RFC 8058) POSTs "List-Unsubscribe=One-Click" to it, without any session or
// cookie; the page's button posts the same. Opening it changes nothing (mail scanners open links).
// Once done, the page offers to undo, which posts to /resubscribe/<the same token>.
const unsubscribeRoutes = linkActionRoutes((app) => {
  const { unsubscribe } = app.services
  return {
    path: '/unsubscribe',
    unknown: { heading: 'updates:unsubscribe.unknownTitle', text: 'updates:unsubscribe.unknown' },
    inspect: async (token) => unsubscribe.inspect(token),
    async act (token) {
      const { link, changed } = await unsubscribe.unsubscribe(token)
      return { link, acted: changed }
    },
    page: (view, link, { title, actionUrl }) => link.state === 'subscribed'
      ? { heading: view.t('updates:unsubscribe.title'), text: sentenceWithTitle(view, 'updates:unsubscribe.ask', title), action: { url: actionUrl, button: view.t('updates:unsubscribe.button') } }
      : {
          heading: view.t('updates:unsubscribe.doneTitle'),
          text: sentenceWithTitle(view, 'updates:unsubscribe.done', title),
          action: { url: actionUrl.replace(/^\/unsubscribe\//, '/resubscribe/'), button: view.t('updates:unsubscribe.undo') }
        }
  }
})

const resubscribeRoutes = linkActionRoutes((app) => {
  const { unsubscribe } = app.services
  return {
    path: '/resubscribe',
    unknown: { heading: 'updates:unsubscribe.unknownTitle', text: 'updates:unsubscribe.unknown' },
    inspect: async (token) => unsubscribe.inspect(token),
    async act (token) {
      const { link, changed } = await unsubscribe.resubscribe(token)
      return { link, acted: changed }
    },
    page: (view, link, { title, actionUrl, appealUrl }) => link.state === 'unsubscribed'
      ? { heading: view.t('updates:unsubscribe.undoTitle'), text: sentenceWithTitle(view, 'updates:unsubscribe.undoAsk', title), action: { url: actionUrl, button: view.t('updates:unsubscribe.undo') } }
      : { heading: view.t('updates:unsubscribe.undoneTitle'), text: sentenceWithTitle(view, 'updates:unsubscribe.undone', title), next: { url: appealUrl, label: view.t('updates:unsubscribe.toAppeal') } }
  }
})

const routes: FastifyPluginAsync = async (app) => {
  // RFC 8058 lets the one-click POST be multipart/form-data too; its body says nothing the link does not.
  app.addContentTypeParser('multipart/form-data', { bodyLimit: 1024 }, (_request, payload, done) => {
    payload.resume()
    payload.on('end', () => done(null, {}))
    payload.on('error', (err) => done(err))
  })
  await app.register(unsubscribeRoutes)
  await app.register(resubscribeRoutes)
}

export default routes
