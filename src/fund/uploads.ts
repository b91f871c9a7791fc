import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import { appError } from '../errors/app-error.js'
import { normaliseInput } from '../http/normalise-input.js'

/**
 * Lets the routes of `app` take a multipart form with one file (a receipt) as well as JSON: the file
 * becomes the body's field as base64, the same as a JSON client sends it, so that one schema checks both.
 * A file over the limit is refused while it arrives, not once it is in memory.
 */
export async function acceptReceiptUploads (app: FastifyInstance, maxBytes: number): Promise<void> {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: maxBytes, files: 1, fields: 30, fieldSize: 4096, parts: 32 },
    async onFile (part) {
      let bytes: Buffer
      try {
        bytes = await part.toBuffer()
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw appError('RECEIPT_TOO_LARGE', { max: Math.floor(maxBytes / 1_048_576) })
        throw err
      }
      // A form's file field left empty still sends an empty part: its empty text counts as not given (normaliseInput).
      ;(part as unknown as { value?: string }).value = bytes.toString('base64')
    }
  })
  // The app cleans a body before multipart has read it (app.ts); a multipart one is cleaned here.
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      if (request.isMultipart() && typeof request.body === 'object' && request.body !== null) request.body = normaliseInput(request.body)
      done()
    } catch (err) {
      done(err as Error)
    }
  })
}
