import { readFileSync, writeFileSync } from 'node:fs'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

/** Writes `.gz` and `.br` beside a built file (the server sends them to browsers that accept them). */
export function compress (path: string): { raw: number, gzip: number } {
  const content = readFileSync(path)
  const gzip = gzipSync(content, { level: 9 })
  writeFileSync(`${path}.gz`, gzip)
  writeFileSync(`${path}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
  return { raw: content.length, gzip: gzip.length }
}

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
