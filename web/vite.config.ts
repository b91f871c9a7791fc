import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, sep } from 'node:path'
import { defineConfig, type Plugin } from 'vite'
import { compress, kb } from './build/compress.js'

const require = createRequire(import.meta.url)
const outDir = join(import.meta.dirname, '..', 'dist', 'web')

/** Bytes a page (the appeal page, each widget) may cost a reader on a slow connection, after gzip. */
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

/**
 * What each page downloads: its entry's scripts and styles, and the lazily loaded modules it goes on to
 * use (found by a module they hold).
 */
const pages = {
  'appeal page': { entry: 'main.ts', lazy: ['map.ts'] },
  'map widget': { entry: 'embed/widget.ts', lazy: ['map.ts'] },
  'counter widget': { entry: 'embed/widget.ts', lazy: [] },
  'sign widget': { entry: 'embed/widget.ts', lazy: ['country-search.ts', 'signing-form.ts'] },
  dashboard: { entry: 'admin/admin.ts', lazy: ['admin/map-picker.ts'] }
} as const

interface ChunkInfo { imports: string[], css: string[], modules: string[] }

// Measures what each page loads after gzip, prints it against the budgets and fails the build when one
// is over. It also writes .gz and .br beside each file, and the report the server reads to find the
// map's shapes.
function budgetsAndCompression (): Plugin {
  const files: string[] = []
  const chunks = new Map<string, ChunkInfo>()
  let mapShapes: string | undefined
  return {
    name: 'solidaria-budgets',
    generateBundle (_options, bundle) {
      for (const [fileName, item] of Object.entries(bundle)) {
        files.push(fileName)
        if (item.type === 'asset' && item.names.includes('countries.json')) mapShapes = fileName
        if (item.type === 'chunk') {
          const modules = item.moduleIds.map((id) => relative(import.meta.dirname, id).split(sep).join('/'))
          chunks.set(fileName, { imports: item.imports, css: [...(item.viteMetadata?.importedCss ?? [])], modules })
        }
      }
    },
    writeBundle () {
      const sizes: Record<string, { raw: number, gzip: number }> = {}
      for (const fileName of files) {
        if (!/\.(js|css|json|svg)$/.test(fileName) || fileName.startsWith('.vite')) continue
        sizes[fileName] = compress(join(outDir, fileName))
      }
      if (mapShapes === undefined) throw new Error('the country shapes were not emitted')
      const byModule = (module: string): string => {
        const found = [...chunks].find(([, c]) => c.modules.includes(module))
        if (found === undefined) throw new Error(`no chunk was built from web/${module}`)
        return found[0]
      }
      const report: Record<string, { javascript: number, css: number, files: string[] }> = {}
      for (const [name, page] of Object.entries(pages)) {
        const loaded = new Set<string>()
        const visit = (fileName: string): void => {
          if (loaded.has(fileName)) return
          loaded.add(fileName)
          const chunk = chunks.get(fileName)
          for (const css of chunk?.css ?? []) loaded.add(css)
          for (const next of chunk?.imports ?? []) visit(next)
        }
        for (const module of [page.entry, ...page.lazy]) visit(byModule(module))
        const total = (ext: string): number => [...loaded].filter((f) => f.endsWith(ext)).reduce((n, f) => n + (sizes[f]?.gzip ?? 0), 0)
        report[name] = { javascript: total('.js'), css: total('.css'), files: [...loaded].sort() }
      }
      writeFileSync(join(outDir, 'build-report.json'), JSON.stringify({ mapShapes, budgets, pages: report, sizes }, null, 2))
      const kinds = Object.keys(budgets) as Array<keyof typeof budgets>
      const lines = Object.entries(report).map(([name, totals]) =>
        `  ${name.padEnd(15)} ${kinds.map((kind) => `${kind} ${kb(totals[kind]).padStart(8)}`).join('   ')}`)
      console.log(`\nWhat each page loads, gzipped (budgets: javascript ${kb(budgets.javascript)}, css ${kb(budgets.css)}):\n${lines.join('\n')}\n  map data        ${kb(sizes[mapShapes]?.gzip ?? 0)} (fetched when the map is shown)\n`)
      const over = Object.entries(report).flatMap(([name, totals]) => kinds.filter((kind) => totals[kind] > budgets[kind]).map((kind) => `${name} ${kind}`))
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
    rollupOptions: { input: [join(import.meta.dirname, 'main.ts'), join(import.meta.dirname, 'embed', 'widget.ts'), join(import.meta.dirname, 'admin', 'admin.ts')] }
  },
  plugins: [countryShapes(), budgetsAndCompression()]
})
