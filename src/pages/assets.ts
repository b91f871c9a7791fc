import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

interface ManifestChunk {
  file: string
  css?: string[]
  imports?: string[]
}

/** The built browser code a page links to: content-hashed file names, read from Vite's manifest. */
export interface PageAssets {
  /** Whether `npm run build:web` has been run; pages work without it, only unenhanced. */
  built: boolean
  scripts: string[]
  styles: string[]
  /** Modules the entry imports, to preload alongside it. */
  preloads: string[]
  /** The country shapes the map draws (Natural Earth, ids as ISO alpha-2 codes). */
  mapShapes: string | null
}

/** What the build writes beside Vite's manifest (see web/vite.config.ts). */
const BUILD_REPORT = 'build-report.json'

export const ASSETS_PREFIX = '/assets/'
const ENTRY = 'main.ts'

export function readPageAssets (webBuild: string): PageAssets {
  const manifestPath = join(webBuild, '.vite', 'manifest.json')
  if (!existsSync(manifestPath)) return { built: false, scripts: [], styles: [], preloads: [], mapShapes: null }
  const report = JSON.parse(readFileSync(join(webBuild, BUILD_REPORT), 'utf8')) as { mapShapes: string }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestChunk>
  const entry = manifest[ENTRY]
  if (entry === undefined) throw new Error(`${manifestPath} has no entry for ${ENTRY}`)
  const url = (file: string): string => '/' + file
  const preloads = new Set<string>()
  const styles = new Set<string>(entry.css ?? [])
  const visit = (key: string): void => {
    const chunk = manifest[key]
    if (chunk === undefined || preloads.has(url(chunk.file))) return
    preloads.add(url(chunk.file))
    for (const css of chunk.css ?? []) styles.add(css)
    for (const next of chunk.imports ?? []) visit(next)
  }
  for (const key of entry.imports ?? []) visit(key)
  return { built: true, scripts: [url(entry.file)], styles: [...styles].map(url), preloads: [...preloads], mapShapes: url(report.mapShapes) }
}
