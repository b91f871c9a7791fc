import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import { AppError, appError } from '../errors/app-error.js'
import { normaliseInput } from '../http/normalise-input.js'

/**
 * Lets the routes of `app` take a multipart form with one file (a receipt) as well as JSON: the file
 * becomes the body's field as base64, the same as a JSON client sends it, so that one schema checks both.
 * A file over the limit is refused while it arrives, not once it is in memory; a body that is not
 * multipart as it claims is the client's error (400), never ours.
 */
export async function acceptReceiptUploads (app: FastifyInstance, maxBytes: number): Promise<void> {
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 30, fieldSize: 4096, parts: 32 } })
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return
    const body: Record<string, unknown> = {}
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          // A form's file field left empty still sends a part, with nothing in it: not given.
          const bytes = await part.toBuffer()
          if (bytes.length > 0) body[part.fieldname] = bytes.toString('base64')
        } else {
          body[part.fieldname] = part.value
        }
      }
    } catch (err) {
      if (err instanceof AppError) throw err
      const code = (err as { code?: string }).code
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw appError('RECEIPT_TOO_LARGE', { max: Math.floor(maxBytes / 1_048_576) })
      if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw appError('BODY_TOO_LARGE')
      throw appError('BAD_REQUEST')
    }
    // The app cleans a body before multipart has read it (app.ts); this one is cleaned here.
    request.body = normaliseInput(body)
  })
}
