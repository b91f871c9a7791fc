// `npm test`: compiles src/, test/ and web/ to JavaScript in .test-build/ (esbuild, which only strips the
// types: `npm run typecheck` checks them), then runs tap on the compiled test files. Run through tsx, every
// import of every test process, and of every server and CLI a test starts, passes through a loader hook on
// another thread: about a second of CPU a process, over some 150 processes a run.
//
// Arguments: test files or folders as they are in test/ (all of test/ when none is given),
// `--exclude=<file or folder>` to leave some out, and any option for tap (e.g. `--reporter=tap`).
// One file through tsx, without compiling: `npx tap test/….test.ts`.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { build } from 'esbuild'
import { NODE_ARGS } from './node-args.js'

const root = resolve(import.meta.dirname, '..')
const outdir = join(root, '.test-build')

/** @param {string} dir @returns {string[]} every file under `dir`, relative to the project's root */
const filesUnder = (dir) => readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => relative(root, join(entry.parentPath, entry.name)))

/** @type {string[]} */
const selected = []
/** @type {string[]} */
const excluded = []
/** @type {string[]} */
const tapOptions = []
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('--exclude=')) excluded.push(arg.slice('--exclude='.length).replace(/\/$/, ''))
  else if (arg.startsWith('-')) tapOptions.push(arg)
  else selected.push(relative(root, resolve(arg)).replace(/\/$/, ''))
}

const within = (/** @type {string} */ file, /** @type {string} */ path) => file === path || file.startsWith(`${path}/`)

// The files that take longest (30 s and more in a whole run under coverage), slowest first: tap runs
// them first, three at a time, and the short ones fill in around them, instead of the run ending on one
// long file while a core waits (tap itself would take the files alphabetically, test/server.test.ts near
// the end). Update it from the file times of a whole run (`.ci/run` prints them).
const SLOWEST = [
  'test/fuzz/requests.test.ts', 'test/browser/phone-and-keyboard.test.ts', 'test/server.test.ts', 'test/browser/appeal-page.test.ts',
  'test/cli/cli.test.ts', 'test/updates/crash.test.ts', 'test/mail/crash.test.ts', 'test/browser/embed.test.ts',
  'test/appeals/admin.test.ts', 'test/scale-out/topology.test.ts', 'test/browser/dashboard.test.ts'
]
const rank = (/** @type {string} */ file) => { const i = SLOWEST.indexOf(file); return i === -1 ? SLOWEST.length : i }
const sources = ['src', 'test', 'web'].flatMap(filesUnder)
  .filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts') && !file.startsWith('web/dist/') && file !== 'test/run.js')
const tests = sources.filter((file) => file.startsWith('test/') && file.endsWith('.test.ts'))
  .filter((file) => selected.length === 0 || selected.some((path) => within(file, path)))
  .filter((file) => !excluded.some((path) => within(file, path)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en'))
if (tests.length === 0) {
  console.error(`No test file matches ${selected.join(' ') || 'test/'}${excluded.length > 0 ? ` without ${excluded.join(' ')}` : ''}.`)
  process.exit(1)
}

// A file deleted from the sources must not be run from an earlier build.
rmSync(outdir, { recursive: true, force: true })
await build({
  absWorkingDir: root,
  entryPoints: sources,
  outdir,
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Stack traces and coverage point into the TypeScript sources.
  sourcemap: 'inline',
  logLevel: 'warning'
})
// A module of types alone compiles to nothing. Nothing imports it at run time, and coverage would count it
// as a file no test ran.
for (const file of filesUnder('.test-build/src')) {
  if (/^(\/\/# sourceMappingURL=.*\n?)?$/.test(readFileSync(join(root, file), 'utf8'))) rmSync(join(root, file))
}

// tap's --node-arg replaces the one in .taprc (tsx), which the compiled files do not need. tap keeps the
// order given (patches/@tapjs+run+4.5.10.patch).
const tap = spawn(process.execPath, [join(root, 'node_modules', 'tap', 'dist', 'esm', 'run.mjs'), ...NODE_ARGS.map((arg) => `--node-arg=${arg}`), ...tapOptions,
  ...tests.map((file) => join('.test-build', file.replace(/\.ts$/, '.js')))], { cwd: root, stdio: 'inherit' })
tap.on('exit', (code, signal) => { process.exit(code ?? (signal === null ? 1 : 128)) })
