import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { build, type TestContext } from '../helpers/app.js'
import { appeal, organiser } from '../helpers/fixtures.js'
import { attr, scriptTags } from './html.js'
import { projectRoot } from '../../src/config.js'

// `npm test` builds web/ first (pretest), so a missing build is a failure here, not a reason to skip.
const webBuild = join(projectRoot, 'dist', 'web')
const reportPath = join(webBuild, 'build-report.json')
const KB = 1024

interface PageTotals { javascript: number, css: number, files: string[] }

interface BuildReport {
  mapShapes: string
  budgets: { javascript: number, css: number }
  /** What each page (the appeal page, each widget) loads: its files and their gzipped totals. */
  pages: Record<string, PageTotals>
  sizes: Record<string, { raw: number, gzip: number }>
}

function readReport (t: TestContext): BuildReport | undefined {
  if (!existsSync(reportPath)) {
    t.fail(`${reportPath} is missing: run \`npm run build:web\` (npm test does it first)`)
    return undefined
  }
  return JSON.parse(readFileSync(reportPath, 'utf8')) as BuildReport
}

t.test('every page\'s browser code stays within the size budgets', async (t) => {
  const report = readReport(t)
  if (report === undefined) return
  t.ok(report.budgets.javascript <= 120 * KB, 'the JavaScript budget is at most 120 KB gzipped')
  t.ok(report.budgets.css <= 30 * KB, 'the CSS budget is at most 30 KB gzipped')
  t.same(Object.keys(report.pages).sort(), ['appeal page', 'counter widget', 'dashboard', 'map widget', 'sign widget'], 'the appeal page, each widget and the dashboard are measured')
  for (const [name, page] of Object.entries(report.pages)) {
    t.ok(page.javascript > 0 && page.css > 0, `${name}: the report counted something`)
    t.ok(page.javascript <= report.budgets.javascript, `${name}: JavaScript ${page.javascript} B gzipped ≤ ${report.budgets.javascript} B`)
    t.ok(page.css <= report.budgets.css, `${name}: CSS ${page.css} B gzipped ≤ ${report.budgets.css} B`)
    // Checked again from the files themselves, whatever the report's totals say.
    const gzipped = (ext: string): number => page.files.filter((f) => f.endsWith(ext))
      .reduce((n, f) => n + gzipSync(readFileSync(join(webBuild, f)), { level: 9 }).length, 0)
    t.equal(gzipped('.js'), page.javascript, `${name}: the JavaScript total is its scripts, gzipped`)
    t.equal(gzipped('.css'), page.css, `${name}: the CSS total is its styles, gzipped`)
  }
  const pages = report.pages
  const counterWidget = pages['counter widget']
  const mapWidget = pages['map widget']
  t.ok(counterWidget !== undefined && mapWidget !== undefined && counterWidget.javascript < mapWidget.javascript, 'the counter widget does not load the map')
  t.ok(existsSync(join(webBuild, report.mapShapes)), 'the map shapes the report names exist')
})

t.test('built assets are served for a year, precompressed', async (t) => {
  if (readReport(t) === undefined) return
  const app = await build(t)
  t.ok(app.pages.assets.built, 'the app found the build')
  const slug = await appeal(app, await organiser(app))
  const page = await app.inject({ url: `/appeals/${slug}` })
  const scripts = scriptTags(page.body).map((tag) => attr(tag, 'src')).filter((src): src is string => src !== undefined)
  t.equal(scripts.length, 1, 'the page loads one entry script')
  const src = scripts[0] ?? ''
  t.match(src, /^\/assets\/[\w-]+-[\w-]{6,}\.js$/, 'with a content-hashed name')
  const onDisk = join(webBuild, src)

  const plain = await app.inject({ url: src })
  t.equal(plain.statusCode, 200)
  t.match(plain.headers['content-type'], /javascript/)
  t.match(plain.headers['cache-control'], /immutable/)
  t.match(plain.headers['cache-control'], /max-age=31536000/)
  t.equal(plain.headers['content-encoding'], undefined, 'no encoding unless asked for')
  t.equal(plain.rawPayload.length, statSync(onDisk).size)

  const br = await app.inject({ url: src, headers: { 'accept-encoding': 'br' } })
  t.equal(br.statusCode, 200)
  t.equal(br.headers['content-encoding'], 'br')
  t.match(br.headers['cache-control'], /immutable/)
  t.match(br.headers['cache-control'], /max-age=31536000/)
  t.match(String(br.headers.vary ?? ''), /accept-encoding/i, 'caches keep the encodings apart')
  t.same(br.rawPayload, readFileSync(`${onDisk}.br`), 'the brotli file written by the build')

  const gzip = await app.inject({ url: src, headers: { 'accept-encoding': 'gzip' } })
  t.equal(gzip.headers['content-encoding'], 'gzip')

  const styles = [...page.body.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1] ?? '')
  t.ok(styles.length > 0, 'the page links its styles')
  for (const href of styles) {
    const css = await app.inject({ url: href, headers: { 'accept-encoding': 'gzip, deflate, br' } })
    t.equal(css.statusCode, 200, href)
    t.match(css.headers['content-type'], /text\/css/)
    t.equal(css.headers['content-encoding'], 'br')
    t.match(css.headers['cache-control'], /immutable/)
  }

  const missing = await app.inject({ url: '/assets/no-such-file-abcdef.js' })
  t.equal(missing.statusCode, 404)
  t.notMatch(String(missing.headers['cache-control'] ?? ''), /immutable/, 'a missing asset is not cached for a year')
})
