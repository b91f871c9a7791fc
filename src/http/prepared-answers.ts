import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, Server, ServerResponse } from 'node:http'

declare module 'fastify' {
  interface FastifyInstance { preparedAnswers: PreparedAnswers }
}

// Prepared answers: the bytes of an answer that many clients ask for and that does not change between
// them (an appeal's live counts, polled by every open appeal page and embedded counter), kept as the app
// sent them and sent again to the next client that asks the same, before the request reaches the app at
// all: no routing, no hooks, no serialising, no compressing. A route marks an answer it may share (keep),
// with a test of whether it still holds; the first answer is the app's own, whose status, headers and body
// are recorded as they leave, so a prepared answer is the app's answer, byte for byte but for the Date.
//
// What the answer may depend on is in the key: the path with its query and the request headers its route
// names (by default its encoding, its CORS headers, its language). A request with anything else that could
// (a cookie, credentials, a condition, a range, a body) is always the app's to answer, and so is any
// request that app.inject() makes (it never reaches the server). An answer is kept only as a 200 that sets
// no cookie, and dropped as soon as its test fails; the route's test covers the app's state (shutting
// down, overloaded) as well as its data.

/** Headers whose values are part of what the answer is kept for, unless the route names its own. */
const KEYED: readonly string[] = ['accept-encoding', 'origin', 'accept-language']
/** Headers with which a request is never answered from what another client was sent. */
const NEVER_WITH = [
  'cookie', 'authorization', 'if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range',
  'range', 'content-length', 'transfer-encoding',
  // @fastify/compress sends an answer uncompressed to a request with this header, whatever it accepts.
  'x-no-compression'
] as const
/** Headers Node writes for each response itself (or that describe one response's framing). */
const PER_RESPONSE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'])

/** The answers kept at most (the oldest goes first); a client cannot make the app keep more by varying its headers. */
const MAX_ANSWERS = 500
/** The largest body kept: counts are a few kilobytes (so the answers kept take at most 16 MB). */
const MAX_BODY_BYTES = 32 * 1024

/** Whether the answer says it depends on no request header but those in the key (its Vary header). */
function variesOnlyBy (keyed: readonly string[], vary: OutgoingHttpHeaders[string]): boolean {
  if (vary === undefined) return true
  const names = (Array.isArray(vary) ? vary.join(',') : String(vary)).split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '')
  return names.every((name) => keyed.includes(name))
}

/** A test that throws does not hold: the request goes to the app (this runs outside any of its error handling). */
function holdsSafely (holds: () => boolean): boolean {
  try {
    return holds()
  } catch {
    return false
  }
}

/** `body` holds the bytes as a latin1 string (one character a byte). */
interface Answer { headers: OutgoingHttpHeaders, body: string, holds: () => boolean }

const responseOf = Symbol('prepared-answers.response')
type Marked = IncomingMessage & { [responseOf]?: ServerResponse }

export interface PreparedAnswers {
  /**
   * Keeps the answer now being sent to this request, to send again while `holds()` is true, to requests for
   * the same path and query with the same values of the `keyed` headers (the request headers the answer
   * depends on; by default Accept-Encoding, Origin and Accept-Language). Does nothing for a request that
   * may not share its answer (see above) or that did not come through the server.
   */
  keep: (request: IncomingMessage, holds: () => boolean, keyed?: readonly string[]) => void
  /** Puts the prepared answers in front of the server's own request listener (Fastify's); `answered` hears of each one sent. */
  install: (server: Server, answered?: (request: IncomingMessage) => void) => void
  /** How many answers are kept. */
  readonly size: number
  /** When the last prepared answer was sent (Date.now()): the instance is busy though its hooks saw no request. */
  readonly lastAnsweredAt: number
}

export function createPreparedAnswers (): PreparedAnswers {
  const answers = new Map<string, Answer>()
  // The headers each path's answers are keyed by, as its route said (as many paths as answers, at most).
  const keyedByPath = new Map<string, readonly string[]>()
  let lastAnsweredAt = Number.NEGATIVE_INFINITY

  function shareable (request: IncomingMessage): boolean {
    if (request.method !== 'GET') return false
    const headers = request.headers
    for (const name of NEVER_WITH) if (headers[name] !== undefined) return false
    return true
  }

  function keyFor (request: IncomingMessage, keyed: readonly string[]): string {
    let key = request.url ?? ''
    for (const name of keyed) key += '\n' + (request.headers[name] ?? '')
    return key
  }

  function record (response: ServerResponse, path: string, keyed: readonly string[], key: string, holds: () => boolean): void {
    let status = 0
    let headers: OutgoingHttpHeaders | undefined
    const chunks: Buffer[] = []
    let bytes = 0
    let usable = true
    const add = (chunk: unknown, encoding: unknown): void => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8') : chunk instanceof Uint8Array ? Buffer.from(chunk) : undefined
      if (buffer === undefined) { usable = false; return }
      bytes += buffer.length
      if (bytes > MAX_BODY_BYTES) usable = false
      else chunks.push(buffer)
    }
    const { writeHead, write, end } = response
    response.writeHead = function (this: ServerResponse, code: number, ...rest: unknown[]) {
      status = code
      const given = rest.find((value) => typeof value === 'object' && value !== null)
      // A status message of its own, or headers as a raw list, are not kept (an answer sent again says 200 OK).
      if (Array.isArray(given) || typeof rest[0] === 'string') usable = false
      headers = { ...response.getHeaders() }
      for (const [name, value] of Object.entries((given ?? {}) as OutgoingHttpHeaders)) headers[name.toLowerCase()] = value
      return (writeHead as (...args: unknown[]) => ServerResponse).call(this, code, ...rest)
    } as typeof response.writeHead
    response.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      add(chunk, rest[0])
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
    } as typeof response.write
    response.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      add(chunk, rest[0])
      return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest)
    } as typeof response.end
    response.once('finish', () => {
      if (!usable || status !== 200 || headers === undefined || headers['set-cookie'] !== undefined || headers.trailer !== undefined ||
        !variesOnlyBy(keyed, headers.vary) || !holdsSafely(holds)) return
      const kept: OutgoingHttpHeaders = {}
      for (const [name, value] of Object.entries(headers)) if (!PER_RESPONSE.has(name) && value !== undefined) kept[name] = value
      const body = Buffer.concat(chunks)
      kept['content-length'] = body.length
      // A path keyed otherwise than before (its route changed its mind) starts afresh.
      if (keyedByPath.get(path)?.join() !== keyed.join()) {
        for (const old of answers.keys()) if (old === path || old.startsWith(path + '\n')) answers.delete(old)
        keyedByPath.delete(path)
        keyedByPath.set(path, keyed)
        if (keyedByPath.size > MAX_ANSWERS) keyedByPath.delete(keyedByPath.keys().next().value as string)
      }
      answers.delete(key)
      answers.set(key, { headers: kept, body: body.toString('latin1'), holds })
      if (answers.size > MAX_ANSWERS) answers.delete(answers.keys().next().value as string)
    })
  }

  return {
    keep (request, holds, keyed = KEYED) {
      const marked = request as Marked
      const response = marked[responseOf]
      if (response === undefined || response.headersSent || !shareable(request)) return
      marked[responseOf] = undefined
      const path = request.url ?? ''
      record(response, path, keyed, keyFor(request, keyed), holds)
    },

    install (server, answered) {
      const listeners = server.listeners('request') as RequestListener[]
      server.removeAllListeners('request')
      const answerFirst: RequestListener = (request, response) => {
        // Only a path with answers kept costs more than a lookup; whether a request may share one is asked
        // of the others when their route wants to keep their answer (keep).
        const keyed = keyedByPath.get(request.url ?? '')
        if (keyed !== undefined && shareable(request)) {
          const key = keyFor(request, keyed)
          const answer = answers.get(key)
          if (answer !== undefined && holdsSafely(answer.holds)) {
            lastAnsweredAt = Date.now()
            // As one string of bytes, so that Node writes the head and the body in one piece (a Buffer would
            // be a second). The request has no body (see shareable); Node reads to its end itself.
            response.writeHead(200, answer.headers)
            response.end(answer.body, 'latin1')
            answered?.(request)
            return
          }
          if (answer !== undefined) answers.delete(key)
        }
        (request as Marked)[responseOf] = response
        for (const listener of listeners) listener.call(server, request, response)
      }
      server.on('request', answerFirst)
    },

    get size () { return answers.size },
    get lastAnsweredAt () { return lastAnsweredAt }
  }
}
