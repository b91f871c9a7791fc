import { constants } from 'node:zlib'
import compress from '@fastify/compress'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

// Text answers (pages, JSON, CSV, NDJSON, scripts) go out in brotli or gzip, whichever the client
// prefers. Streams (the exports) are piped through the compressor as they are made, never buffered.
// XLSX files and images are compressed already; assets come precompressed from the build (@fastify/static
// sends the .br or .gz file and this plugin leaves an answer that has a Content-Encoding alone).
export const COMPRESSIBLE_TYPES = /^text\/(?!event-stream)|^application\/(?:json|x-ndjson|javascript|xml)(?:;|$)|\+json(?:;|$)|\+xml(?:;|$)/

async function compressionPlugin (app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    global: true,
    encodings: ['br', 'gzip'],
    // Below a kilobyte the headers outweigh what compressing saves (a stats answer is about 300 bytes).
    threshold: 1024,
    customTypes: COMPRESSIBLE_TYPES,
    // Brotli's quality 4 compresses a page better than gzip's default at about the same speed; 11 (the
    // library's maximum) would cost tens of milliseconds per page.
    brotliOptions: { params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: 4 } },
    // Request bodies are not inflated: BODY_LIMIT_BYTES would then bound the compressed size only.
    globalDecompression: false
  })
}

export default fp(compressionPlugin, { name: 'compression' })
