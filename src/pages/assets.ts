import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

interface ManifestChunk {
  file: string
  css?: string[]
  imports?: string[]
}

/** What one entry of the browser code needs on a page: content-hashed file names from Vite's manifest. */
export interface EntryAssets {
  scripts: string[]
  styles: string[]
  /** Modules the entry imports, to preload alongside it. */
  preloads: string[]
}

/** The built browser code pages link to. */
export interface PageAssets extends EntryAssets {
  /** Whether `npm run build:web` has been run; pages work without it, only unenhanced. */
  built: boolean
  /** The widget pages' entry (src/embed/). */
  widget: EntryAssets
  /** The organisers' dashboard's entry (src/dashboard/). */
  admin: EntryAssets
  /** The country shapes the map draws (Natural Earth, ids as ISO alpha-2 codes). */
  mapShapes: string | null
}

/** What the build writes beside Vite's manifest (see web/vite.config.ts). */
const BUILD_REPORT = 'build-report.json'

export const ASSETS_PREFIX = '/assets/'
const ENTRIES = { site: 'main.ts', widget: 'embed/widget.ts', admin: 'admin/admin.ts' }
const NONE: EntryAssets = { scripts: [], styles: [], preloads: [] }

function entryAssets (manifest: Record<string, ManifestChunk>, key: string): EntryAssets {
  const entry = manifest[key]
  if (entry === undefined) throw new Error(`Vite's manifest has no entry for ${key}`)
  const url = (file: string): string => '/' + file
  const preloads = new Set<string>()
  const styles = new Set<string>(entry.css ?? [])
  const visit = (name: string): void => {
    const chunk = manifest[name]
    if (chunk === undefined || preloads.has(url(chunk.file))) return
    preloads.add(url(chunk.file))
    for (const css of chunk.css ?? []) styles.add(css)
    for (const next of chunk.imports ?? []) visit(next)
  }
  for (const name of entry.imports ?? []) visit(name)
  return { scripts: [url(entry.file)], styles: [...styles].map(url), preloads: [...preloads] }
}

export function readPageAssets (webBuild: string): PageAssets {
  const manifestPath = join(webBuild, '.vite', 'manifest.json')
  if (!existsSync(manifestPath)) return { built: false, ...NONE, widget: NONE, admin: NONE, mapShapes: null }
  const report = JSON.parse(readFileSync(join(webBuild, BUILD_REPORT), 'utf8')) as { mapShapes: string }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestChunk>
  return { built: true, ...entryAssets(manifest, ENTRIES.site), widget: entryAssets(manifest, ENTRIES.widget), admin: entryAssets(manifest, ENTRIES.admin), mapShapes: '/' + report.mapShapes }
}
