import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'

const require = createRequire(import.meta.url)
const outDir = join(import.meta.dirname, '..', 'dist', 'web')

/** Bytes the appeal page may cost a reader on a slow connection, after gzip. */
export const budgets = { javascript: 120 * 1024, css: 30 * 1024 }

// Natural Earth's 1:110m countries from world-atlas, keyed by ISO 3166-1 alpha-2 (the codes signatures
// carry) instead of ISO numeric, and without the English names the map does not use (Intl names them).
function countryShapes (): Plugin {
  return {
    name: 'solidaria-country-shapes',
    generateBundle () {
      const codes = require('i18n-iso-countries/codes.json') as Array<[string, string, string]>
      const alpha2 = new Map(codes.map(([a2, , numeric]) => [numeric, a2]))
      const atlas = require('world-atlas/countries-110m.json') as { objects: Record<string, { geometries: Array<{ id?: string, properties?: unknown }> }> }
      const countries = atlas.objects.countries
      if (countries === undefined) throw new Error('world-atlas has no countries object')
      for (const g of countries.geometries) {
        const code = g.id === undefined ? undefined : alpha2.get(g.id)
        if (code === undefined) delete g.id
        else g.id = code
        delete g.properties
      }
      atlas.objects = { countries }
      this.emitFile({ type: 'asset', name: 'countries.json', source: JSON.stringify(atlas) })
    }
  }
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`

// Measures what the appeal page loads (every script chunk, static and lazy, and every stylesheet) after
// gzip, prints it against the budgets and fails the build when one is over. It also writes .gz and .br
// beside each file, which the server sends to browsers that accept them, and the report the server
// reads to find the map's shapes.
function budgetsAndCompression (): Plugin {
  const files: string[] = []
  let mapShapes: string | undefined
  return {
    name: 'solidaria-budgets',
    generateBundle (_options, bundle) {
      for (const [fileName, item] of Object.entries(bundle)) {
        files.push(fileName)
        if (item.type === 'asset' && item.names.includes('countries.json')) mapShapes = fileName
      }
    },
    writeBundle () {
      const totals = { javascript: 0, css: 0 }
      const sizes: Record<string, { raw: number, gzip: number }> = {}
      for (const fileName of files) {
        if (!/\.(js|css|json|svg)$/.test(fileName) || fileName.startsWith('.vite')) continue
        const path = join(outDir, fileName)
        const content = readFileSync(path)
        const gzip = gzipSync(content, { level: 9 })
        writeFileSync(`${path}.gz`, gzip)
        writeFileSync(`${path}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
        sizes[fileName] = { raw: content.length, gzip: gzip.length }
        if (fileName.endsWith('.js')) totals.javascript += gzip.length
        if (fileName.endsWith('.css')) totals.css += gzip.length
      }
      if (mapShapes === undefined) throw new Error('the country shapes were not emitted')
      writeFileSync(join(outDir, 'build-report.json'), JSON.stringify({ mapShapes, budgets, totals, sizes }, null, 2))
      const lines = (Object.keys(budgets) as Array<keyof typeof budgets>).map((kind) =>
        `  ${kind.padEnd(10)} ${kb(totals[kind]).padStart(9)} gzip of ${kb(budgets[kind])} budget ${totals[kind] <= budgets[kind] ? 'ok' : 'OVER'}`)
      console.log(`\nAppeal page, all of it (scripts include Leaflet and the lazily loaded map):\n${lines.join('\n')}\n  map data   ${kb(sizes[mapShapes]?.gzip ?? 0).padStart(9)} gzip (fetched when the map is shown)\n`)
      const over = (Object.keys(budgets) as Array<keyof typeof budgets>).filter((kind) => totals[kind] > budgets[kind])
      if (over.length > 0) throw new Error(`over budget: ${over.join(', ')}`)
    }
  }
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir,
    emptyOutDir: true,
    manifest: true,
    assetsDir: 'assets',
    target: 'es2020',
    // Leaflet's few images stay files rather than data: URLs, which CSP would need to allow in CSS.
    assetsInlineLimit: 0,
    rollupOptions: { input: join(import.meta.dirname, 'main.ts') }
  },
  plugins: [countryShapes(), budgetsAndCompression()]
})
