import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { build, type TestContext } from '../helpers/app.js'
import { appeal, organiser } from '../helpers/fixtures.js'
import { attr, scriptTags } from './html.js'

// `npm test` builds web/ first (pretest), so a missing build is a failure here, not a reason to skip.
const webBuild = join(import.meta.dirname, '..', '..', 'dist', 'web')
const reportPath = join(webBuild, 'build-report.json')
const KB = 1024

interface BuildReport {
  mapShapes: string
  budgets: { javascript: number, css: number }
  totals: { javascript: number, css: number }
  sizes: Record<string, { raw: number, gzip: number }>
}

function readReport (t: TestContext): BuildReport | undefined {
  if (!existsSync(reportPath)) {
    t.fail(`${reportPath} is missing: run \`npm run build:web\` (npm test does it first)`)
    return undefined
  }
  return JSON.parse(readFileSync(reportPath, 'utf8')) as BuildReport
}

t.test('the browser code stays within its size budgets', async (t) => {
  const report = readReport(t)
  if (report === undefined) return
  t.ok(report.budgets.javascript <= 120 * KB, 'the JavaScript budget is at most 120 KB gzipped')
  t.ok(report.budgets.css <= 30 * KB, 'the CSS budget is at most 30 KB gzipped')
  t.ok(report.totals.javascript > 0 && report.totals.css > 0, 'the report counted something')
  t.ok(report.totals.javascript <= report.budgets.javascript, `JavaScript: ${report.totals.javascript} B gzipped ≤ ${report.budgets.javascript} B`)
  t.ok(report.totals.css <= report.budgets.css, `CSS: ${report.totals.css} B gzipped ≤ ${report.budgets.css} B`)

  // The report's totals are what the browser downloads: the gzipped size of every script and style.
  const sum = (ext: string): number => Object.entries(report.sizes).filter(([file]) => file.endsWith(ext)).reduce((n, [, s]) => n + s.gzip, 0)
  t.equal(report.totals.javascript, sum('.js'), 'the JavaScript total is the sum of the gzipped scripts')
  t.equal(report.totals.css, sum('.css'), 'the CSS total is the sum of the gzipped styles')

  // And checked again from the files themselves, whatever the report says.
  const assets = join(webBuild, 'assets')
  const gzipped = (ext: string): number => readdirSync(assets).filter((f) => f.endsWith(ext))
    .reduce((n, f) => n + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0)
  t.ok(gzipped('.js') <= 120 * KB, `every built script together is ${gzipped('.js')} B gzipped`)
  t.ok(gzipped('.css') <= 30 * KB, `every built style together is ${gzipped('.css')} B gzipped`)
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
