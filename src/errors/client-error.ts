import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { referenceLanguage } from '../i18n/index.js'
import { appError } from './app-error.js'
import { translateError } from './handler.js'

/** The request line's path, read from what Node's parser had received, to choose JSON or a page. */
function requestedPath (rawPacket: unknown): string {
  const head = Buffer.isBuffer(rawPacket) ? rawPacket.subarray(0, 2048).toString('latin1') : ''
  return /^[A-Z]+ (\S+)/.exec(head)?.[1] ?? '/'
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers or cookies over the size
 * limit: 431; one that took too long to arrive: 408; one it cannot parse: 400). They get our error shape too, JSON on the API and the
 * error page elsewhere, in the reference language: the headers that would name the reader's are what
 * could not be read.
 */
export function clientErrorHandler (this: FastifyInstance, err: Error & { code?: string, rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const error = appError(err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST')
  const path = requestedPath(err.rawPacket)
  const json = path === '/api' || path.startsWith('/api/')
  const body = json
    ? JSON.stringify({ error: translateError(this.i18n, referenceLanguage, error) })
    : this.pages.errorDocument(referenceLanguage, error)
  if (socket.writable) {
    socket.write([
      `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? ''}`,
      `content-type: ${json ? 'application/json' : 'text/html'}; charset=utf-8`,
      `content-length: ${Buffer.byteLength(body)}`,
      'cache-control: no-store',
      'x-content-type-options: nosniff',
      'connection: close',
      '',
      body
    ].join('\r\n'))
  }
  socket.destroy()
}
