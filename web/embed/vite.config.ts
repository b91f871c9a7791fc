import { join } from 'node:path'
import { defineConfig, type Plugin } from 'vite'
import { compress, kb } from '../build/compress.js'

// embed.js: one classic script (other sites load it with a plain <script async>), built apart from the
// pages' modules, at a fixed name the snippets can point at.
const outDir = join(import.meta.dirname, '..', '..', 'dist', 'embed')
const EMBED_BUDGET = 5 * 1024

function sizeCheck (): Plugin {
  return {
    name: 'solidaria-embed-size',
    writeBundle () {
      const { raw, gzip } = compress(join(outDir, 'embed.js'))
      console.log(`embed.js: ${kb(raw)}, ${kb(gzip)} gzip of ${kb(EMBED_BUDGET)} budget ${gzip <= EMBED_BUDGET ? 'ok' : 'OVER'}`)
      if (gzip > EMBED_BUDGET) throw new Error('embed.js is over its budget')
    }
  }
}

export default defineConfig({
  root: import.meta.dirname,
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2019',
    lib: {
      entry: join(import.meta.dirname, 'loader.ts'),
      formats: ['iife'],
      name: 'SolidariaEmbed',
      fileName: () => 'embed.js'
    }
  },
  plugins: [sizeCheck()]
})
