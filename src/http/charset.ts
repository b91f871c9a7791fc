import type { FastifyRequest } from 'fastify'

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i

/**
 * Whether a request's body is in UTF-8, the one charset Solidaria reads: a body declared in another
 * (`application/json; charset=utf-16`) would be read as UTF-8 all the same and stored garbled.
 */
export function declaresOtherCharset (request: FastifyRequest): boolean {
  const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase()
  return charset !== undefined && charset !== 'utf-8' && charset !== 'utf8'
}
