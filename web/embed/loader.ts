import { fromOurFrame, readResize } from './messages.js'

// embed.js: put on any site as
//   <script async src="https://SOLIDARIA/embed.js" data-appeal="SLUG" data-widget="map" data-lang="es"></script>
// or as <div data-solidaria-appeal="SLUG" data-widget="counter"></div> with the script anywhere on the page.
// It frames the widget where the snippet stands and keeps the frame as tall as the widget's content. It
// sets no cookie, reads nothing of the page, and loads nothing but the widget from the Solidaria site.

type Widget = 'map' | 'counter' | 'sign' | 'fund'
const HEIGHTS: Record<Widget, number> = { map: 480, counter: 280, sign: 960, fund: 300 }
// Until the widget reports its own (translated) title.
const TITLES: Record<Widget, string> = { map: 'Solidarity map', counter: 'Signature counter', sign: 'Signing form', fund: 'Solidarity fund' }
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/
const HEX = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/

interface Host {
  origin: string
  frames: Set<HTMLIFrameElement>
  handled: WeakSet<Element>
}

declare global {
  interface Window { solidariaEmbed?: Record<string, Host> }
}

function frameFor (host: Host, options: DOMStringMap, slug: string): HTMLIFrameElement | undefined {
  const widget = (options.widget ?? 'sign') as Widget
  if (!SLUG.test(slug) || !Object.prototype.hasOwnProperty.call(HEIGHTS, widget)) {
    console.warn(`Solidaria: no widget "${widget}" for appeal "${slug}"`)
    return undefined
  }
  const params = new URLSearchParams()
  if (options.lang !== undefined) params.set('lang', options.lang)
  if (options.accent !== undefined && HEX.test(options.accent)) params.set('accent', options.accent.replace('#', ''))
  if (options.theme === 'dark') params.set('theme', 'dark')
  const frame = document.createElement('iframe')
  const query = params.toString()
  frame.src = `${host.origin}/embed/${slug}/${widget}${query === '' ? '' : `?${query}`}`
  frame.title = TITLES[widget]
  frame.width = '100%'
  frame.height = String(HEIGHTS[widget])
  frame.style.cssText = 'display:block;width:100%;max-width:100%;border:0;overflow:hidden'
  // The widget learns which site framed it (its origin, not the page) and cannot navigate that site.
  frame.referrerPolicy = 'origin'
  frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox')
  return frame
}

function mount (host: Host): void {
  for (const script of document.querySelectorAll<HTMLScriptElement>('script[data-appeal]')) {
    if (host.handled.has(script) || !script.src.startsWith(`${host.origin}/`)) continue
    host.handled.add(script)
    const frame = frameFor(host, script.dataset, script.dataset.appeal ?? '')
    if (frame === undefined) continue
    script.after(frame)
    host.frames.add(frame)
  }
  for (const element of document.querySelectorAll<HTMLElement>('[data-solidaria-appeal]')) {
    if (host.handled.has(element)) continue
    host.handled.add(element)
    const frame = frameFor(host, element.dataset, element.dataset.solidariaAppeal ?? '')
    if (frame === undefined) continue
    element.append(frame)
    host.frames.add(frame)
  }
  // Frames written by hand (or by a CMS from oEmbed) are fitted too.
  for (const frame of document.querySelectorAll<HTMLIFrameElement>(`iframe[src^="${host.origin}/embed/"]`)) host.frames.add(frame)
}

function start (): void {
  const script = document.currentScript
  if (!(script instanceof HTMLScriptElement) || script.src === '') return
  const origin = new URL(script.src).origin
  const hosts = window.solidariaEmbed ??= {}
  let host = hosts[origin]
  if (host === undefined) {
    const created: Host = { origin, frames: new Set(), handled: new WeakSet() }
    host = hosts[origin] = created
    window.addEventListener('message', (event) => {
      const frame = fromOurFrame(event, created.origin, created.frames)
      const message = frame === undefined ? undefined : readResize(event.data)
      if (frame === undefined || message === undefined) return
      frame.style.height = `${message.height}px`
      frame.height = String(message.height)
      if (message.title !== '') frame.title = message.title
    })
  }
  const current = host
  mount(current)
  // Snippets further down a page that is still loading.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => { mount(current) })
}

start()
