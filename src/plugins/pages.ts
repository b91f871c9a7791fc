import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { paths } from '../config.js'
import { themeStyle } from '../embed/options.js'
import { errorWidget, widgetDocument } from '../embed/templates.js'
import type { AppError } from '../errors/app-error.js'
import { translateError } from '../errors/handler.js'
import { requestLanguage } from '../http/language.js'
import { OEMBED_PATH } from '../http/paths.js'
import { ASSETS_PREFIX, readPageAssets, type PageAssets } from '../pages/assets.js'
import { sentByScript } from '../pages/form-signing.js'
import { layout, type PageMeta } from '../pages/templates/layout.js'
import { errorPage } from '../pages/templates/lists.js'
import { createView, pageLanguage, type View } from '../pages/view.js'
import { WIDGET_PREFIX } from './security.js'

export interface Pages {
  assets: PageAssets
  /** Sends a whole HTML document around a page's main content. */
  send: (reply: FastifyReply, view: View, meta: PageMeta, main: string, status?: number) => FastifyReply
  /** Whether errors on this request are answered with a page (everything but the API, docs and assets). */
  wantsPage: (request: FastifyRequest) => boolean
  /** The translated error page. */
  sendError: (request: FastifyRequest, reply: FastifyReply, error: AppError) => FastifyReply
  /** The error page as a whole document, for an answer written where there is no request to speak of. */
  errorDocument: (lang: string, error: AppError) => string
  /** A path as an absolute address (PUBLIC_URL, or the address the request came to). */
  publicUrl: (request: FastifyRequest, path: string) => string
}

declare module 'fastify' {
  interface FastifyInstance { pages: Pages }
}

/** Whether an error on this request is answered with an HTML page rather than JSON. */
function wantsPage (request: FastifyRequest): boolean {
  const path = request.url
  if (path === '/api' || path.startsWith('/api/') || path.startsWith('/health/') || path.startsWith('/docs') || path.startsWith(ASSETS_PREFIX) || path.startsWith(OEMBED_PATH)) return false
  // A form's script that sends JSON to the form's own address reads the error as JSON.
  return !sentByScript(request)
}

// A failure of ours gets the page's general apology; an outage says to try again in a moment.
const hidesMessage = (error: AppError): boolean => error.statusCode >= 500 && error.code !== 'SERVICE_UNAVAILABLE'
const UNREADABLE_ADDRESS = new Set(['BAD_REQUEST', 'URL_TOO_LONG'])

// What every page shares (the built assets, the document around the content, the error page) is
// decorated on the root instance, so the root error and not-found handlers can answer with a page.
async function pagesPlugin (app: FastifyInstance): Promise<void> {
  const assets = readPageAssets(paths.webBuild)
  if (!assets.built) app.log.warn('web/ has not been built (npm run build:web): pages are served without their styles and scripts')

  const send: Pages['send'] = (reply, view, meta, main, status = 200) => reply.code(status)
    .header('cache-control', reply.getHeader('cache-control') ?? 'no-cache')
    .header('vary', 'accept-language, cookie')
    .type('text/html; charset=utf-8')
    .send(layout(view, assets, meta, main))

  // An error in a widget (an unknown appeal, a bad colour, too many signatures) is shown inside the
  // frame as a widget: no site around it, no cookie, and the frame still resized to it.
  function sendWidgetError (request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
    const view = createView(request, requestLanguage(request))
    const notFound = error.statusCode === 404
    const translated = hidesMessage(error) ? undefined : translateError(app.i18n, view.lang, error)
    const title = notFound ? view.t('error.notFoundTitle') : view.t('error.title')
    const message = notFound ? view.t('error.notFoundText') : translated?.message ?? view.t('error.text')
    const theme = themeStyle({ lang: view.lang, theme: 'light' })
    return reply.code(error.statusCode)
      .header('cache-control', 'no-store')
      .header('content-security-policy', app.security.widgetPolicy(['*'], [theme.hash]))
      .type('text/html; charset=utf-8')
      .send(widgetDocument(view, assets.widget, { widget: 'error', title, options: { lang: view.lang, theme: 'light' }, style: theme.css, data: { lang: view.lang } },
        errorWidget(view, { title, message, fields: notFound ? {} : translated?.fields ?? {} })))
  }

  app.decorate('pages', {
    assets,
    send,
    wantsPage,
    sendError (request, reply, error) {
      if (request.url.startsWith(WIDGET_PREFIX)) return sendWidgetError(request, reply, error)
      // An address Fastify could not read is not repeated in the page's own links.
      const view = createView(request, pageLanguage(request, reply), UNREADABLE_ADDRESS.has(error.code) ? '/' : undefined)
      const notFound = error.statusCode === 404
      // A bad address (a widget's colour, a page number) is named, with what is wrong with it.
      const translated = notFound || hidesMessage(error) ? undefined : translateError(app.i18n, view.lang, error)
      const title = notFound ? view.t('error.notFoundTitle') : view.t('error.title')
      return send(reply, view, { title, noindex: true }, errorPage(view, notFound, translated?.message, translated?.fields), error.statusCode)
    },
    errorDocument (lang, error) {
      const view = createView({ url: '/', server: app } as unknown as FastifyRequest, lang)
      const title = view.t('error.title')
      return layout(view, assets, { title, noindex: true }, errorPage(view, false, translateError(app.i18n, lang, error).message))
    },
    publicUrl: (request, path) => `${app.config.PUBLIC_URL ?? `${request.protocol}://${request.host}`}${path}`
  } satisfies Pages)
}

export default fp(pagesPlugin, { name: 'pages', dependencies: ['i18n', 'config', 'security'] })
