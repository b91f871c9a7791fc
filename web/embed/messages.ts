// The one message a widget's frame sends the page around it: its content's height (and its title, which
// names the frame for screen readers). Nothing else passes between them, and the page acts on nothing
// that is not exactly this shape.

export const RESIZE = 'solidaria:resize'
const MAX_HEIGHT = 20_000
const MAX_TITLE = 300

export interface ResizeMessage {
  type: typeof RESIZE
  height: number
  title: string
}

export const resizeMessage = (height: number, title: string): ResizeMessage => ({ type: RESIZE, height: Math.ceil(height), title: title.slice(0, MAX_TITLE) })

/** The message if it is a well-formed resize request, else undefined. */
export function readResize (data: unknown): ResizeMessage | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined
  const { type, height, title } = data as Record<string, unknown>
  if (type !== RESIZE || Object.keys(data).length !== 3) return undefined
  if (typeof height !== 'number' || !Number.isInteger(height) || height < 0 || height > MAX_HEIGHT) return undefined
  if (typeof title !== 'string' || title.length > MAX_TITLE) return undefined
  return { type, height, title }
}

/** Whether a message event comes from one of our frames: the right origin and a window we created. */
export function fromOurFrame (event: Pick<MessageEvent, 'origin' | 'source'>, origin: string, frames: Iterable<HTMLIFrameElement>): HTMLIFrameElement | undefined {
  if (event.origin !== origin || event.source === null) return undefined
  for (const frame of frames) if (frame.contentWindow === event.source) return frame
  return undefined
}
