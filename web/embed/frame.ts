import { resizeMessage } from './messages.js'

/**
 * The origin of the page framing this widget, to address messages to it alone. embed.js asks the
 * browser to send it as the frame's referrer; after the frame's own navigation it travels in ?origin=.
 */
function parentOrigin (): string {
  const candidates = [document.referrer, new URLSearchParams(location.search).get('origin') ?? '']
  for (const candidate of candidates) {
    try {
      const origin = new URL(candidate).origin
      if (origin !== location.origin && origin !== 'null') return origin
    } catch {}
  }
  // Unknown: the message carries nothing but a height and the page's title, which anyone may see.
  return '*'
}

/** Tells the page around the frame how tall the widget is, now and whenever that changes. */
export function reportSize (): void {
  if (window.parent === window) return
  const target = parentOrigin()
  let last = -1
  const send = (): void => {
    const height = Math.ceil(document.body.getBoundingClientRect().height)
    if (height === last) return
    last = height
    window.parent.postMessage(resizeMessage(height, document.title), target)
  }
  send()
  if (typeof ResizeObserver === 'function') new ResizeObserver(send).observe(document.body)
  else window.addEventListener('load', send)
}
