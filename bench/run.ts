import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { connect, createServer, type AddressInfo } from 'node:net'
import { availableParallelism, cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Result } from 'autocannon'
import postgres from 'postgres'
import { createAppealsService } from '../src/appeals/service.js'
import { openDatabase, type DatabaseHandle } from '../src/db/connection.js'
import { createOrganisersService, type SignedIn } from '../src/organisers/service.js'
import { deriveKeys } from '../src/secrets/keys.js'
import { createSealer } from '../src/secrets/sealing.js'
import { domainHash } from '../src/signatures/email.js'
import { countingBench, INSTANCES, type CountingResult } from './counting.js'
import { databaseCpu, type DatabaseCpu } from './db-cpu.js'
import { generate, load, placeProcesses, stopLoads, type Load, type LoadRun } from './load.js'
import { mailBench, type MailBenchResult } from './mail.js'
import { startPgbouncer } from './pooler.js'

const root = join(import.meta.dirname, '..')
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = `solidaria_bench_${Date.now()}`
const benchUrl = Object.assign(new URL(adminUrl), { pathname: '/' + dbName }).toString()
// BENCH_ROWS, BENCH_SECONDS, BENCH_BACKLOG_SECONDS and BENCH_SCALE_ROWS shorten a run (a shared machine);
// BENCH_ONLY=mail runs only the mail measurements (4 to 6), BENCH_ONLY=export only the export (3) after signing for
// BENCH_SECONDS; BENCH_CPU_PROF=<folder> profiles the servers it starts; BENCH_PIN=false leaves every process where the system puts it.
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000)
// The second appeal of the counting measurement (7), loaded after the others: 0 leaves it out.
const SCALE_ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 10_000_000)
const CONNECTIONS = 50
const DURATION = Number(process.env.BENCH_SECONDS ?? 10)
const WARMUP = 3
const BACKLOG_SECONDS = Number(process.env.BENCH_BACKLOG_SECONDS ?? 60)
const BACKLOG_RATE = Number(process.env.BENCH_BACKLOG_RATE ?? 500)
const ONLY_MAIL = process.env.BENCH_ONLY === 'mail'
// Signing (1, 1b) and stats (2) alone, with no counting before them: a quick loop while working on the request paths.
const ONLY_REQUESTS = process.env.BENCH_ONLY === 'requests'
const ONLY_EXPORT = process.env.BENCH_ONLY === 'export'
// The export's worker threads, as many on both sides (the app's default).
const EXPORT_WORKERS = Number(process.env.BENCH_EXPORT_WORKERS ?? 2)
const SLUG = 'bench-appeal'
const CONFIRM_SLUG = 'bench-confirm'
const SCALE_SLUG = 'bench-scale'
const COUNTRIES = 'AR AT AU BE BO BR CA CH CL CN CO CU CZ DE DK DO EC EG ES FI FR GB GR GT HN HU ID IE IL IN IT JP KE KR LB MA MX NG NI NL NO NZ PA PE PH PK PL PS PT PY RO RU SE SV TN TR UA US UY VE VN ZA ZM ZW BD DZ'.split(' ')
const started = performance.now()
const [loadAtStart = 0] = loadavg()
const dataKey = randomBytes(32)
const secretKey = randomBytes(36).toString('base64')
// Counted before the bench process pins itself to one of them.
const machineCpus = availableParallelism()
const placement = placeProcesses()

interface Server { name: string, proc: ChildProcess, url: string, log: string, exited: Promise<void> }

const servers = new Set<Server>()
let admin: postgres.Sql | undefined
let bench: postgres.Sql | undefined
let handle: DatabaseHandle | undefined
let dbCreated = false

// ---- child processes ----

function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

async function startServer (name: string, script: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort()
  // process.execPath itself (or taskset, which becomes it), not npm or a shell, so that the pid is the
  // server's and /proc shows its memory.
  // Solidaria runs compiled, as `npm start` runs it; the baseline is a single TypeScript file.
  // BENCH_CPU_PROF=<folder> writes a V8 CPU profile of each process there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${name}.${Date.now()}.cpuprofile`]
  const [command, args] = placement.node('server', [...profile, ...(script.endsWith('.js') ? [script] : ['--import=tsx', script])])
  const proc = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const server: Server = { name, proc, url: `http://127.0.0.1:${port}`, log: '', exited: new Promise((resolve) => proc.once('exit', () => resolve())) }
  for (const stream of [proc.stdout, proc.stderr]) {
    stream?.setEncoding('utf8')
    stream?.on('data', (chunk: string) => { if (server.log.length < 1_000_000) server.log += chunk })
  }
  servers.add(server)
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${name} exited during start-up:\n${server.log}`)
    try {
      await (await fetch(server.url + '/')).arrayBuffer()
      return server
    } catch {}
  }
  throw new Error(`${name} did not answer within 60 s:\n${server.log}`)
}

async function stopServer (server: Server): Promise<void> {
  servers.delete(server)
  if (server.proc.exitCode !== null || server.proc.signalCode !== null) return
  server.proc.kill('SIGTERM')
  const timer = setTimeout(() => server.proc.kill('SIGKILL'), 12_000)
  await server.exited
  clearTimeout(timer)
}

// The app logs pino JSON at LOG_LEVEL=warn: anything it printed besides its start-up banner is worth reporting.
const appLogLines: string[] = []
function collectLog (server: Server): void {
  for (const line of server.log.split('\n')) if (line.trim() !== '' && !line.startsWith('Solidaria is listening')) appLogLines.push(`[${server.name}] ${line}`)
}

// ---- load generation ----

const signs = (url: string): Load => ({ url, connections: CONNECTIONS, duration: DURATION, signs: true })

/** Two runs of the same measurement as one: mean throughput, summed counts, the worse latency. */
function combine (a: Result, b: Result): Result {
  return {
    ...b,
    requests: { ...b.requests, average: (a.requests.average + b.requests.average) / 2, total: a.requests.total + b.requests.total },
    latency: { ...b.latency, p50: Math.max(a.latency.p50, b.latency.p50), p99: Math.max(a.latency.p99, b.latency.p99) },
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors
  }
}

async function measure (title: string, options: Partial<Load> & { url: string }): Promise<Result> {
  const opts = { connections: CONNECTIONS, duration: DURATION, ...options }
  await load(placement, { ...opts, duration: WARMUP })
  const result = await load(placement, opts)
  const failure = failed(result)
  console.log(`  ${title}: ${fmt(result.requests.average)} req/s, latency p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms, ` +
    `${result.non2xx} non-2xx, ${result.errors} errors${failure === undefined ? '' : '  <-- FAILED MEASUREMENT'}`)
  if (failure !== undefined) console.log(`    status codes: ${JSON.stringify(result.statusCodeStats ?? {})}`)
  return result
}

/** Measures under a steady background of signatures on the app, as a live campaign would have. */
async function underSigning (app: Server, title: string, options: { url: string }): Promise<{ result: Result, background: Result }> {
  const background = generate(placement, [{ url: `${app.url}/api/appeals/${SLUG}/signatures`, connections: 5, overallRate: 200, duration: 3600, signs: true }])
  try {
    await background.started
    await sleep(1000)
    return { result: await measure(title, options), background: await stopped(background) }
  } finally {
    background.stop()
  }
}

async function stopped (run: LoadRun): Promise<Result> {
  run.stop()
  const [result] = await run.done
  if (result === undefined) throw new Error('the background load gave no result')
  console.log(`    background signing: ${fmt(result.requests.average)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors`)
  return result
}

function failed (...results: Result[]): string | undefined {
  const non2xx = results.reduce((n, r) => n + r.non2xx, 0)
  const errors = results.reduce((n, r) => n + r.errors, 0)
  return non2xx + errors === 0 ? undefined : `${non2xx} non-2xx, ${errors} connection errors`
}

/** A GET as autocannon sends it (a Host header and nothing else), over a socket of its own: the answer's head as sent, and its headers. */
function rawGet (url: string): Promise<{ headBytes: number, headers: Array<[string, string]>, body: string }> {
  const { hostname, port, pathname, search } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('end', () => {
      const answer = Buffer.concat(chunks)
      const end = answer.indexOf('\r\n\r\n')
      const lines = answer.subarray(0, end).toString('latin1').split('\r\n').slice(1)
      const headers = lines.map((line): [string, string] => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()])
      resolve({ headBytes: end + 4, headers, body: answer.subarray(end + 4).toString('utf8') })
    })
  })
}

function download (url: string, token: string): Promise<{ status: number, bytes: number, lines: number, head: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: token === '' ? {} : { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0
      let lines = 0
      let head = ''
      res.on('data', (chunk: Buffer) => {
        if (bytes < 2048) head += chunk.subarray(0, 2048).toString()
        bytes += chunk.length
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, lines, head }))
      res.on('error', reject)
    }).on('error', reject)
  })
}

function rssMb (pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (match?.[1] === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(match[1]) / 1024
}

/**
 * Waits, at most `seconds`, for a process that has just been busy to hand back what it no longer needs
 * (V8 shrinks its young generation some 30 s after the allocation stops), then starts its peak RSS afresh
 * (writing 5 to /proc/<pid>/clear_refs): what it peaks at from then on is the next work's own. The RSS at the
 * start and at the end, and how long it took; `reset` false where Linux would not reset the peak.
 */
async function settle (pid: number, seconds: number): Promise<{ fromMb: number, toMb: number, seconds: number, reset: boolean }> {
  const fromMb = rssMb(pid)
  const began = performance.now()
  while ((performance.now() - began) / 1000 < seconds && rssMb(pid) > fromMb * 0.9) await sleep(1000)
  let reset = true
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
  } catch {
    reset = false
  }
  return { fromMb, toMb: rssMb(pid), seconds: (performance.now() - began) / 1000, reset }
}

function peakRssMb (pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (match?.[1] === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`)
  return Number(match[1]) / 1024
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

// ---- the run ----

async function main (): Promise<void> {
  console.log('Building (npm run build)')
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('the build failed')
  console.log(`Bench database ${dbName}`)
  admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin`create database ${admin(dbName)}`
  dbCreated = true

  handle = await openDatabase({ url: benchUrl, dataDir: 'memory://' })
  const organisers = createOrganisersService(handle.db, { sessionTtlHours: 12, passwordHashCost: 15 })
  const organiser = await organisers.create({ email: 'bench-admin@example.org', name: 'Bench Admin', password: randomBytes(18).toString('base64url'), role: 'admin' })
  const { token } = await organisers.createApiToken(organiser.id, 'bench')
  const who: SignedIn = { id: organiser.id, email: organiser.email, name: organiser.name, role: 'admin', via: 'token', cap: null, twoFactor: false, credentialId: organiser.id, ipHash: null }
  const appeals = createAppealsService(handle.db)
  const text = { title: 'Bench appeal', summary: 'For the benchmark', body: '', demands: [] }
  // The loaded appeal counts signatures at once, as the bare baseline does; the second one asks its signers
  // to confirm by email (the default for new appeals): its signing also writes a token and queues a mail.
  const appeal = await appeals.setStatus(await appeals.create(who, { slug: SLUG, originalLanguage: 'en', text, requireConfirmation: false }), 'open')
  await appeals.setStatus(await appeals.create(who, { slug: CONFIRM_SLUG, originalLanguage: 'en', text, requireConfirmation: true }), 'open')
  // The appeal the counting measurement (7) grows to SCALE_ROWS after every other measurement.
  const scaleAppeal = await appeals.setStatus(await appeals.create(who, { slug: SCALE_SLUG, originalLanguage: 'en', text, requireConfirmation: false }), 'open')
  await handle.close()
  handle = undefined

  bench = postgres(benchUrl, { max: 1, onnotice: () => {} })
  const t = performance.now()
  // As the app stores them: each email (and the name and city of those not shown publicly) sealed under
  // DATA_KEY, which is sealed here, a batch at a time, and passed in as one array per batch.
  const sealer = createSealer(dataKey)
  // Every loaded address is at example.org: its domain's keyed hash, as the app records it.
  const exampleDomain = domainHash(deriveKeys(secretKey).emailDomainHash, 'example.org')
  // Signatures numbered i from `numbered` (its columns i and sealed), one a second up to now from the `span`th.
  const insertSignatures = (appealId: string, span: number, numbered: postgres.Fragment, emailHash: postgres.Fragment) => bench!`
      insert into signatures (appeal_id, kind, status, name, sealed, email_hash, email_domain_hash, country, city, organisation, organisation_type,
        members, public, contact, consent_version, locale, source, created_at, confirmed_at)
      select ${appealId}, case when i % 100 = 0 then 'organisation' else 'individual' end::signature_kind, 'confirmed',
        case when i % 3 = 0 then 'Signer ' || i end, sealed, ${emailHash}, ${exampleDomain}, (${COUNTRIES}::text[])[1 + i % ${COUNTRIES.length}],
        case when i % 3 = 0 and i % 4 = 0 then 'City ' || (i % 500) end, case when i % 3 = 0 and i % 100 = 0 then 'Organisation ' || i end,
        case when i % 100 = 0 then 'trade_union'::organisation_type end, case when i % 100 = 0 then 10 + i % 5000 end,
        i % 3 = 0, i % 2 = 0, '2026-11', 'en', 'import',
        now() - make_interval(secs => ${span} - i), now() - make_interval(secs => ${span} - i)
      from ${numbered}`
  const sealedSigner = (i: number): string => {
    const hidden = i % 3 === 0 ? {} : { n: `Signer ${i}`, ...(i % 4 === 0 && { c: `City ${i % 500}` }), ...(i % 100 === 0 && { o: `Organisation ${i}` }) }
    return sealer.seal(JSON.stringify({ e: `signer${i}@example.org`, ...hidden }))
  }
  const LOAD_BATCH = 100_000
  for (let from = 1; from <= ROWS; from += LOAD_BATCH) {
    const sealed: string[] = []
    for (let i = from; i < from + LOAD_BATCH && i <= ROWS; i++) sealed.push(sealedSigner(i))
    await insertSignatures(appeal.id, ROWS, bench`unnest(${sealed}::text[]) with ordinality as s(sealed, n), lateral (select ${from - 1} + n::int as i) as numbered`, bench`md5(i::text)`)
  }
  // Vacuumed now, so that autovacuum does not pick the table up during (and skew) the first measurement.
  await bench`vacuum (analyze) signatures`
  console.log(`Loaded ${fmt(ROWS)} signatures in ${fmt((performance.now() - t) / 1000, 1)} s`)

  const appEnv = {
    DATABASE_URL: benchUrl,
    SECRET_KEY: secretKey,
    DATA_KEY: dataKey.toString('base64'),
    // The mail worker would write each queued mail to a file (no SMTP here) while being measured.
    BACKGROUND_JOBS: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_GLOBAL_MAX: '100000000',
    RATE_LIMIT_SIGN_MAX: '100000000',
    DATABASE_POOL_SIZE: '10',
    STATS_TTL_MS: '1000'
  }
  const runMail = async (): Promise<MailBenchResult> => {
    console.log(`(4-6) Mail: an update to every loaded signer while signing goes on, ${DURATION} s per measurement; worker against a bare nodemailer pool; ` +
      `the confirmation backlog after ${BACKLOG_SECONDS} s at ${BACKLOG_RATE} signatures/s`)
    const result = await mailBench({
      sql: bench!,
      startApp: async (env) => {
        const server = await startServer('solidaria-mail', 'dist/src/server.js', { ...appEnv, ...env })
        return { url: server.url, stop: async () => { await stopServer(server); collectLog(server) } }
      },
      token, slug: SLUG, confirmSlug: CONFIRM_SLUG, seconds: DURATION,
      backlogSeconds: BACKLOG_SECONDS, backlogRate: BACKLOG_RATE, connections: CONNECTIONS, placement
    })
    console.log(mailRows(result).map((cells) => `| ${cells.join(' | ')} |`).join('\n') + '\n' + result.notes.join('\n'))
    return result
  }
  if (ONLY_MAIL) {
    await runMail()
    if (appLogLines.length > 0) console.log(`\nApplication log (${appLogLines.length} lines, first 20):\n${appLogLines.slice(0, 20).join('\n')}`)
    return
  }
  // (3) The export, from fresh processes: also all that BENCH_ONLY=export runs (after signing for a while, so
  // that, as in the whole run, rows signed through the app are among those exported).
  const bareEnv = { DATABASE_URL: benchUrl, APPEAL_ID: appeal.id, DATA_KEY: dataKey.toString('base64'), EMAIL_DOMAIN_HASH: exampleDomain }
  const runExport = async () => {
    console.log(`(3) CSV export from a fresh Solidaria process, against a bare export of the same columns and sealed fields, ${EXPORT_WORKERS} worker threads each, in the order app, bare, bare, app`)
    const [{ n: expectedRows } = { n: 0 }] = await bench!<Array<{ n: number }>>`select count(*)::int as n from signatures where appeal_id = ${appeal.id}`
    const exporter = await startServer('solidaria-export', 'dist/src/server.js', { ...appEnv, EXPORT_WORKERS: String(EXPORT_WORKERS) })
    const bareExporter = await startServer('bare-export', 'bench/bare-server.ts', { ...bareEnv, EXPORT_WORKERS: String(EXPORT_WORKERS) })
    const pid = exporter.proc.pid
    if (pid === undefined) throw new Error('export server has no pid')
    // The start-up peak alone tells how much of the export's peak the export itself is responsible for.
    const startMb = peakRssMb(pid)
    const timed = async (url: string, auth = '') => {
      const began = performance.now()
      const result = await download(url, auth)
      return { ...result, seconds: (performance.now() - began) / 1000 }
    }
    const appExport = `${exporter.url}/api/admin/appeals/${SLUG}/export.csv`
    const csv = await timed(appExport, token)
    // The first export starts a moment after start-up, while the process still holds start-up's garbage
    // and its young generation is at its largest; its peak is the fresh process's worst case.
    const freshMb = peakRssMb(pid)
    const bare1 = await timed(`${bareExporter.url}/export`)
    const bare2 = await timed(`${bareExporter.url}/export`)
    // The second, as on a server that has been running: once the process has settled, its peak from then on.
    const settled = await settle(pid, 45)
    const csv2 = await timed(appExport, token)
    const peak = peakRssMb(pid)
    if (!settled.reset) console.log('  (the peak RSS could not be reset: the second export\'s peak is the process\'s whole life\'s)')
    await stopServer(exporter)
    await stopServer(bareExporter)
    collectLog(exporter)
    collectLog(bareExporter)
    const rows = csv.lines - 1
    const exportFailure = [csv, csv2].some((c) => c.status !== 200)
      ? `HTTP ${csv.status}: ${csv.head.slice(0, 500)}`
      : rows !== expectedRows || csv2.lines - 1 !== expectedRows
        ? `${fmt(rows)} rows exported, ${fmt(expectedRows)} in the database`
        : [bare1, bare2].some((b) => b.lines !== csv.lines) ? `the bare export wrote ${fmt(bare1.lines)} lines, the app ${fmt(csv.lines)}` : undefined
    const rowsPerSecond = rows / ((csv.seconds + csv2.seconds) / 2)
    const bareRowsPerSecond = rows / ((bare1.seconds + bare2.seconds) / 2)
    const exportRatio = rowsPerSecond / bareRowsPerSecond
    console.log(`  ${fmt(rows)} rows, ${fmt(csv.bytes / 1048576, 1)} MB in ${fmt(csv.seconds, 2)} and ${fmt(csv2.seconds, 2)} s: ${fmt(rowsPerSecond)} rows/s; peak RSS ${fmt(startMb, 1)} MB after start-up, ${fmt(freshMb, 1)} MB through the first export, ` +
      `${fmt(peak, 1)} MB through the second (settled from ${fmt(settled.fromMb, 1)} to ${fmt(settled.toMb, 1)} MB in ${fmt(settled.seconds, 0)} s before it)` +
      (exportFailure === undefined ? '' : `  <-- FAILED: ${exportFailure}`))
    console.log(`  bare: ${fmt(bare1.seconds, 2)} and ${fmt(bare2.seconds, 2)} s: ${fmt(bareRowsPerSecond)} rows/s`)
    return { rows, csv, csv2, startMb, freshMb, settled, rssMb: peak, exportFailure, rowsPerSecond, bareRowsPerSecond, exportRatio }
  }
  if (ONLY_EXPORT) {
    const signer = await startServer('solidaria', 'dist/src/server.js', appEnv)
    const signed = await measure('Solidaria POST /api/appeals/:slug/signatures', signs(`${signer.url}/api/appeals/${SLUG}/signatures`))
    await stopServer(signer)
    collectLog(signer)
    console.log(`  ${fmt(signed.requests.total)} signatures added through the app`)
    const e = await runExport()
    console.log(`| CSV export (rows/s) vs bare | ${fmt(e.rowsPerSecond)} | ${fmt(e.bareRowsPerSecond)} | ${fmt(e.exportRatio, 2)} | ≥ 0.90 | ` +
      `${e.exportFailure === undefined ? (e.exportRatio >= 0.9 ? 'yes' : 'no') : `failed (${e.exportFailure})`} |\n` +
      `| CSV export peak RSS of a settled process (MB) | ${fmt(e.rssMb, 1)} | – | – | < 200 | ${e.rssMb < 200 ? 'yes' : 'no'} |\n` +
      `| CSV export peak RSS of a fresh process, at once after start-up (MB; ${fmt(e.startMb, 1)} after start-up) | ${fmt(e.freshMb, 1)} | – | – | – | – |\n` +
      `Load average at the start ${fmt(loadAtStart, 2)}, now ${fmt(loadavg()[0] ?? 0, 2)}.`)
    if (appLogLines.length > 0) console.log(`\nApplication log (${appLogLines.length} lines, first 20):\n${appLogLines.slice(0, 20).join('\n')}`)
    return
  }
  const cpu = await databaseCpu(bench)
  const runCounting = async (appealId: string, slug: string, expected: number): Promise<CountingResult> => {
    const result = await countingBench({
      databaseUrl: benchUrl, appealId, statsPath: `/api/appeals/${slug}/stats`, expected, seconds: DURATION, cpu, placement,
      startApps: async (n) => {
        const started = await Promise.all(Array.from({ length: n }, (_, i) => startServer(`solidaria-count-${i + 1}`, 'dist/src/server.js', appEnv)))
        return { urls: started.map((s) => s.url), stop: async () => { await Promise.all(started.map(stopServer)); started.forEach(collectLog) } }
      }
    })
    console.log(`  ${fmt(expected)} signatures: refresh p50 ${fmt(result.refresh.p50, 1)} ms, p99 ${fmt(result.refresh.p99, 1)} ms (${result.refresh.n} refreshes); ` +
      (result.cpu === undefined ? `database CPU not measured (${cpu as string})` : `database CPU counting ${fmt(result.cpu.reading, 3)} cores (idle ${fmt(result.cpu.idle, 3)})`) +
      `; readers ${fmt(result.readers.requests.average)} req/s, p99 ${result.readers.latency.p99} ms, ${result.readers.non2xx} non-2xx, ${result.readers.errors} errors` +
      (result.failure === undefined ? '' : `  <-- FAILED: ${result.failure}`))
    return result
  }
  console.log(`(7) Counting at ${fmt(ROWS)} signatures: ${INSTANCES} instances under steady stats readers, database CPU over ${DURATION} s against ${DURATION} s of them idle, then refreshes timed`)
  const counting = ONLY_REQUESTS ? undefined : await runCounting(appeal.id, SLUG, ROWS)

  const app = await startServer('solidaria', 'dist/src/server.js', appEnv)
  const statsPath = `/api/appeals/${SLUG}/stats`
  const statsAnswer = await rawGet(app.url + statsPath)
  const statsBody = statsAnswer.body
  // The bare counts go out with the app's headers (all but those Node writes for each response itself).
  const answerHeaders = Object.fromEntries(statsAnswer.headers.filter(([name]) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)))
  const bare = await startServer('bare', 'bench/bare-server.ts', { ...bareEnv, ANSWER_HEADERS: JSON.stringify(answerHeaders) })
  const jsonBody = await (await fetch(bare.url + '/json')).text()
  const [appHead, bareHead, bareMinimalHead] = (await Promise.all([rawGet(app.url + statsPath), rawGet(bare.url + '/json-as-app'), rawGet(bare.url + '/json')])).map((answer) => answer.headBytes)
  const counted = (JSON.parse(statsBody) as { signatures?: number }).signatures
  console.log(`Stats answer ${statsBody.length} B (${fmt(counted ?? 0)} signatures) after a head of ${appHead} B; bare ${jsonBody.length} B after a head of ${bareHead} B ` +
    `with the app's headers, ${bareMinimalHead} B with Fastify's own`)

  // Each pair is measured in the order A, B, B, A and each side averaged, so that a drift of the machine
  // during the run (the database warming up, a neighbour's load) weighs on both sides alike.
  console.log(`(1) Signing, ${CONNECTIONS} connections, ${DURATION} s after ${WARMUP} s warm-up, in the order app, bare, bare, app`)
  const signAppOptions = signs(`${app.url}/api/appeals/${SLUG}/signatures`)
  const signBareOptions = signs(`${bare.url}/sign`)
  const signApp1 = await measure('Solidaria POST /api/appeals/:slug/signatures', signAppOptions)
  const signBare1 = await measure('bare POST /sign', signBareOptions)
  const signBare = combine(signBare1, await measure('bare POST /sign', signBareOptions))
  const signApp = combine(signApp1, await measure('Solidaria POST /api/appeals/:slug/signatures', signAppOptions))
  console.log('(1b) Signing an appeal that requires email confirmation (signature, link, daily count and queued mail in one statement), twice')
  const confirmOptions = signs(`${app.url}/api/appeals/${CONFIRM_SLUG}/signatures`)
  const signConfirm = combine(await measure('Solidaria POST (confirmation required)', confirmOptions), await measure('Solidaria POST (confirmation required)', confirmOptions))

  console.log('(2) Stats while 200 signatures/s go on in the background, in the order app, bare, bare, app')
  const statsApp1 = await underSigning(app, 'Solidaria GET /api/appeals/:slug/stats', { url: app.url + statsPath })
  const statsBare1 = await underSigning(app, 'bare GET /json-as-app', { url: bare.url + '/json-as-app' })
  const statsBare2 = await underSigning(app, 'bare GET /json-as-app', { url: bare.url + '/json-as-app' })
  const statsApp2 = await underSigning(app, 'Solidaria GET /api/appeals/:slug/stats', { url: app.url + statsPath })
  const statsApp = { result: combine(statsApp1.result, statsApp2.result), background: combine(statsApp1.background, statsApp2.background) }
  const statsBare = { result: combine(statsBare1.result, statsBare2.result), background: combine(statsBare1.background, statsBare2.background) }
  // What the app's headers cost by themselves: the same bare string with only Fastify's.
  console.log('(2a) The bare counts with Fastify\'s own headers only, twice')
  const statsMinimal = combine((await underSigning(app, 'bare GET /json', { url: bare.url + '/json' })).result,
    (await underSigning(app, 'bare GET /json', { url: bare.url + '/json' })).result)

  if (ONLY_REQUESTS) {
    const ratio = (a: Result, b: Result): string => fmt(a.requests.average / b.requests.average, 2)
    console.log(`Signing ${ratio(signApp, signBare)}x bare (p99 ${signApp.latency.p99} ms against ${signBare.latency.p99} ms), ` +
      `with confirmation ${ratio(signConfirm, signBare)}x (p99 ${signConfirm.latency.p99} ms); stats ${ratio(statsApp.result, statsBare.result)}x bare with the same headers, ${ratio(statsApp.result, statsMinimal)}x with Fastify's own`)
    await Promise.all([stopServer(app), stopServer(bare)])
    return
  }
  if (counting === undefined) throw new Error('counting (7) was not measured')

  // (2b) The same app through PgBouncer in transaction mode, named prepared statements off (as it must run
  // there), against the direct app just measured: what the pooler costs.
  const bouncer = await startPgbouncer(benchUrl, await freePort())
  let pooled: { sign: Result, stats: Result } | undefined
  if (bouncer === undefined) {
    console.log('(2b) PgBouncer is not installed (apt-get install pgbouncer): the pooled measurements are left out')
  } else {
    console.log('(2b) Signing and stats through PgBouncer (transaction mode, DATABASE_PREPARED_STATEMENTS=false), twice each')
    const pooledApp = await startServer('solidaria-pgbouncer', 'dist/src/server.js', { ...appEnv, DATABASE_URL: bouncer.url, DATABASE_PREPARED_STATEMENTS: 'false' })
    const pooledSign = signs(`${pooledApp.url}/api/appeals/${SLUG}/signatures`)
    const sign = combine(await measure('Solidaria via PgBouncer POST /api/appeals/:slug/signatures', pooledSign), await measure('Solidaria via PgBouncer POST', pooledSign))
    const stats = combine((await underSigning(pooledApp, 'Solidaria via PgBouncer GET stats', { url: pooledApp.url + statsPath })).result,
      (await underSigning(pooledApp, 'Solidaria via PgBouncer GET stats', { url: pooledApp.url + statsPath })).result)
    pooled = { sign, stats }
    await stopServer(pooledApp)
    collectLog(pooledApp)
    await bouncer.stop()
  }

  await stopServer(bare)
  await stopServer(app)
  collectLog(app)
  collectLog(bare)

  const { rows, csv, csv2, startMb, freshMb, settled, rssMb, exportFailure, rowsPerSecond, bareRowsPerSecond, exportRatio } = await runExport()

  const mail = await runMail()

  // The second point of (7), after everything else so that its rows weigh on no other measurement: a few
  // sealed values repeated (nothing opens them here), generated in SQL a million rows a statement, email
  // hashes in ascending order so that the unique index grows at its end.
  let scale: { counting: CountingResult, loadSeconds: number, bytes: number } | undefined
  if (SCALE_ROWS > 0) {
    const began = performance.now()
    const samples = Array.from({ length: 16 }, (_, i) => sealedSigner(i + 1))
    const SCALE_BATCH = 1_000_000
    for (let from = 1; from <= SCALE_ROWS; from += SCALE_BATCH) {
      const to = Math.min(SCALE_ROWS, from + SCALE_BATCH - 1)
      await insertSignatures(scaleAppeal.id, SCALE_ROWS,
        bench`generate_series(${from}::int, ${to}::int) as i, lateral (select (${samples}::text[])[1 + i % ${samples.length}] as sealed) as s`, bench`lpad(to_hex(i), 32, '0')`)
    }
    await bench`vacuum (analyze) signatures`
    const loadSeconds = (performance.now() - began) / 1000
    const [{ bytes } = { bytes: 0 }] = await bench<Array<{ bytes: number }>>`select pg_total_relation_size('signatures')::float8 as bytes`
    console.log(`(7b) Loaded ${fmt(SCALE_ROWS)} signatures into a second appeal in ${fmt(loadSeconds, 1)} s (signatures table and its indexes now ${fmt(bytes / 2 ** 30, 2)} GiB); counting at ${fmt(SCALE_ROWS)}`)
    scale = { counting: await runCounting(scaleAppeal.id, SCALE_SLUG, SCALE_ROWS), loadSeconds, bytes }
  }
  const [{ version } = { version: '?' }] = await bench<Array<{ version: string }>>`select version()`
  const ratioRow = (name: string, a: Result, b: Result, extra: Result[], target: number): string[] => {
    const failure = failed(a, b, ...extra)
    const ratio = a.requests.average / b.requests.average
    return [name, fmt(a.requests.average), latency(a), fmt(b.requests.average), latency(b), fmt(ratio, 2), `≥ ${fmt(target, 2)}`,
      failure === undefined ? (ratio >= target ? 'yes' : 'no') : `failed (${failure})`]
  }
  const p99Row = (name: string, a: Result, b: Result): string[] => {
    const failure = failed(a, b)
    return [name, fmt(a.latency.p99), latency(a), fmt(b.latency.p99), latency(b), '–', '≤ bare + 10',
      failure === undefined ? (a.latency.p99 <= b.latency.p99 + 10 ? 'yes' : 'no') : `failed (${failure})`]
  }
  const exportMet = (ok: boolean): string => exportFailure === undefined ? (ok ? 'yes' : 'no') : `failed (${exportFailure.split('\n')[0]})`
  const countingFailure = [counting.failure, scale?.counting.failure].filter((f) => f !== undefined).join('; ')
  const refreshes = (c: CountingResult): string => `${fmt(c.refresh.p50, 1)} / ${fmt(c.refresh.p99, 1)}`
  const cores = (c: CountingResult): string => c.cpu === undefined ? '–' : fmt(c.cpu.reading, 3)
  const countingRows = scale === undefined
    ? [[`Stats refresh at ${fmt(ROWS)} signatures, ${INSTANCES} instances reading (ms)`, fmt(counting.refresh.p50, 1), refreshes(counting), '–', '–', '–', '≤ 2.00 at 10M', 'not measured (BENCH_SCALE_ROWS=0)'],
        [`Database CPU counting at ${fmt(ROWS)} signatures (cores busy)`, cores(counting), '–', '–', '–', '–', '–', '–']]
    : [[`Stats refresh at ${fmt(SCALE_ROWS)} signatures vs at ${fmt(ROWS)}, ${INSTANCES} instances reading (ms)`, fmt(scale.counting.refresh.p50, 1), refreshes(scale.counting),
        fmt(counting.refresh.p50, 1), refreshes(counting), fmt(scale.counting.refresh.p50 / counting.refresh.p50, 2), '≤ 2.00',
        countingFailure === '' ? (scale.counting.refresh.p50 <= 2 * counting.refresh.p50 ? 'yes' : 'no') : `failed (${countingFailure})`],
      [`Database CPU counting at ${fmt(SCALE_ROWS)} signatures vs at ${fmt(ROWS)} (cores busy)`, cores(scale.counting), '–', cores(counting), '–',
        // Below a hundredth of a core (the clock ticks of /proc) a ratio says nothing: at 1M the readers' cost can come out as nothing, or less.
        scale.counting.cpu === undefined || counting.cpu === undefined ? '–' : counting.cpu.reading < 0.01 ? 'below what /proc can tell' : fmt(scale.counting.cpu.reading / counting.cpu.reading, 2), '–', '–']]
  const table = [
    ['Measurement', 'Solidaria', 'p50 / p99 (ms)', 'Baseline', 'p50 / p99 (ms)', 'Ratio', 'Target', 'Met?'],
    ['---', '---:', '---:', '---:', '---:', '---:', '---', '---'],
    ratioRow('Signing (req/s) vs bare insert', signApp, signBare, [], 1.5),
    ratioRow('Signing with email confirmation (req/s) vs bare insert', signConfirm, signBare, [], 1.2),
    p99Row('Signing p99 (ms) vs bare insert p99', signApp, signBare),
    p99Row('Signing with email confirmation p99 (ms) vs bare insert p99', signConfirm, signBare),
    ratioRow(`Stats at ${fmt(ROWS)} signatures under 200 signatures/s (req/s) vs bare cached GET, the same headers`, statsApp.result, statsBare.result, [statsApp.background, statsBare.background], 0.9),
    [`Stats (req/s) vs bare cached GET with Fastify's own headers only (${bareMinimalHead} B of head against ${appHead} B)`, fmt(statsApp.result.requests.average), latency(statsApp.result),
      fmt(statsMinimal.requests.average), latency(statsMinimal), fmt(statsApp.result.requests.average / statsMinimal.requests.average, 2), 'the headers\' cost', '–'],
    ['CSV export (rows/s) vs bare: same 24 columns, same sealed fields opened, same worker threads', fmt(rowsPerSecond), '–', fmt(bareRowsPerSecond), '–', fmt(exportRatio, 2), '≥ 0.90',
      exportMet(exportRatio >= 0.9)],
    ['CSV export peak RSS of a settled process (MB)', fmt(rssMb, 1), '–', '–', '–', '–', '< 200', exportMet(rssMb < 200)],
    [`CSV export peak RSS of a fresh process, at once after start-up (MB; ${fmt(startMb, 1)} after start-up)`, fmt(freshMb, 1), '–', '–', '–', '–', '–', '–'],
    ...countingRows,
    ...mailRows(mail),
    ...(pooled === undefined
      ? []
      : [
          ['Signing through PgBouncer (req/s) vs direct', fmt(pooled.sign.requests.average), latency(pooled.sign), fmt(signApp.requests.average), latency(signApp),
            fmt(pooled.sign.requests.average / signApp.requests.average, 2), 'the cost', '–'],
          ['Stats through PgBouncer (req/s) under 200 signatures/s vs direct', fmt(pooled.stats.requests.average), latency(pooled.stats),
            fmt(statsApp.result.requests.average), latency(statsApp.result), fmt(pooled.stats.requests.average / statsApp.result.requests.average, 2), 'the cost', '–']
        ])
  ].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
  const notes = [
    'Latency: p50 and p99 of each run as autocannon measured them; of two runs of a measurement, the worse of each.',
    `Signing: ${fmt(signApp.requests.total)} requests to Solidaria and ${fmt(signBare.requests.total)} to bare.`,
    `Signing with confirmation: ${fmt(signConfirm.requests.total)} requests, measured after the pair above against the same bare figure; the mail worker was off (BACKGROUND_JOBS=false), so the queued mails were not sent during the run.`,
    `Stats: answer ${statsBody.length} B (${fmt(counted ?? 0)} signatures counted), bare ${jsonBody.length} B, serialised once at its start as the app serialises once per refresh; background signing ran at ` +
      `${fmt(statsApp.background.requests.average)} and ${fmt(statsBare.background.requests.average)} req/s. The bare answer carries the headers the app's did (read from it at the start: ` +
      `${Object.keys(answerHeaders).join(', ')}), ${bareHead} B of head against the app's ${appHead} B; with Fastify's own headers only its head is ${bareMinimalHead} B (the row below it).`,
    countingNote(ROWS, counting, cpu),
    ...(scale === undefined
      ? ['Counting at 10M: left out (BENCH_SCALE_ROWS=0).']
      : [countingNote(SCALE_ROWS, scale.counting, cpu) + ` Those ${fmt(SCALE_ROWS)} were loaded into a second appeal after every other measurement, in SQL (generate_series, a million rows a statement, ` +
          `16 sealed values repeated, email hashes in ascending order), then vacuumed: ${fmt(scale.loadSeconds, 1)} s; the signatures table and its indexes came to ${fmt(scale.bytes / 2 ** 30, 2)} GiB.`]),
    `Export: ${fmt(rows)} rows (1M loaded plus those signed during the run), ${fmt(csv.bytes / 1048576, 1)} MB in ${fmt(csv.seconds, 2)} and ${fmt(csv2.seconds, 2)} s; ` +
      `the process peaked at ${fmt(startMb, 1)} MB in its start-up, ${fmt(freshMb, 1)} MB through the first export (started at once, while V8 still held start-up's garbage and its ` +
      `young generation at its largest), and ${fmt(rssMb, 1)} MB through the second, counted afresh (/proc/<pid>/clear_refs) once the process had settled as a running server does ` +
      `(from ${fmt(settled.fromMb, 1)} to ${fmt(settled.toMb, 1)} MB in ${fmt(settled.seconds, 0)} s, waiting at most 45 s for it to fall by a tenth). Every row's email, and the names and cities of those not shown, ` +
      `are opened with AES-256-GCM on ${EXPORT_WORKERS} worker threads (the key never reaches the database); the bare export writes the same 24 columns, formatted by PostgreSQL with the ` +
      'same cell function, and opens the same sealed fields on as many threads, one batch fetched ahead of each; both outputs have the same number of lines.',
    ...mail.notes,
    `Application log (LOG_LEVEL=warn): ${appLogLines.length === 0 ? 'nothing' : `${appLogLines.length} lines, first: ${appLogLines.slice(0, 3).join(' / ')}`}.`
  ]
  const markdown = `# Solidaria benchmark

- Date: ${new Date().toISOString()}
- Node: ${process.version}
- PostgreSQL: ${version}
- CPUs: ${machineCpus} × ${cpus()[0]?.model ?? 'unknown'}
- Load: ${CONNECTIONS} connections, pipelining 1, ${DURATION} s per measurement after ${WARMUP} s warm-up; pool size 10 for both servers
- Processes: ${placement.note}
- Machine load (1-minute load average): ${fmt(loadAtStart, 2)} at the start, ${fmt(loadavg()[0] ?? 0, 2)} at the end
- Data: ${fmt(ROWS)} bulk-loaded confirmed signatures in one open appeal, emails (and private names) sealed under DATA_KEY as the app stores them` +
  (scale === undefined ? '' : `; for counting only, ${fmt(SCALE_ROWS)} more in a second appeal, loaded last`) + `
- Run time until this report: ${fmt((performance.now() - started) / 1000)} s

${table}

${notes.map((n) => `- ${n}`).join('\n')}
`
  writeFileSync(join(root, 'bench', 'results.md'), markdown)
  console.log('\n' + table + '\n\n' + notes.join('\n'))
  if (appLogLines.length > 0) console.log(`\nApplication log (${appLogLines.length} lines, first 20):\n${appLogLines.slice(0, 20).join('\n')}`)
}

const latency = (r: Result): string => `${fmt(r.latency.p50)} / ${fmt(r.latency.p99)}`

function countingNote (rows: number, c: CountingResult, cpu: DatabaseCpu | string): string {
  return `Counting at ${fmt(rows)} signatures: ${INSTANCES} instances (STATS_TTL_MS=1000), each read by ${fmt(c.readers.requests.average / INSTANCES)} req/s ` +
    `(p99 ${c.readers.latency.p99} ms, ${c.readers.non2xx} non-2xx, ${c.readers.errors} errors); ` +
    (c.cpu === undefined
      ? `database CPU not measured (${cpu as string}); `
      : `the database server's processes (/proc, user + system) busy ${fmt(c.cpu.reading + c.cpu.idle, 3)} cores while they read, ${fmt(c.cpu.idle, 3)} while they idled; `) +
    `a refresh (createStatsService with a TTL of 0 in the bench process, its get() ${c.refresh.n} times in a row, the four reading) took ${fmt(c.refresh.p50, 1)} ms p50, ${fmt(c.refresh.p99, 1)} ms p99` +
    (c.failure === undefined ? '.' : `; FAILED: ${c.failure}.`)
}

/** The mail measurements' rows of the results table. */
function mailRows (m: MailBenchResult): string[][] {
  const signingRatio = m.during.requests.average / m.alone.requests.average
  const signingFailure = failed(m.alone, m.during)
  return [
    ['Mail worker (mails/s) vs bare nodemailer pool (5 connections, 40 in flight)', fmt(m.workerRate), '–', fmt(m.bareRate), '–', fmt(m.workerRate / m.bareRate, 2), '≥ 0.80',
      m.workerRate / m.bareRate >= 0.8 ? 'yes' : 'no'],
    [`Confirmation backlog after the run at ${fmt(m.signedAtRate)} signatures/s (s of mail)`, fmt(m.backlogSeconds, 2), '–', '–', '–', '–', '< 2', m.backlogSeconds < 2 ? 'yes' : 'no'],
    [`Signing while an update to ${fmt(m.recipients)} is queued and sent (req/s) vs alone`, fmt(m.during.requests.average), latency(m.during), fmt(m.alone.requests.average), latency(m.alone),
      fmt(signingRatio, 2), '≥ 0.80',
      signingFailure === undefined ? (signingRatio >= 0.8 ? 'yes' : 'no') : `failed (${signingFailure})`]
  ]
}

let cleaning: Promise<void> | undefined
function cleanup (): Promise<void> {
  cleaning ??= (async () => {
    stopLoads()
    await Promise.allSettled([...servers].map(stopServer))
    await Promise.allSettled([handle?.close(), bench?.end({ timeout: 5 })])
    if (admin !== undefined) {
      // FORCE ends the connections of a server we may have failed to stop.
      if (dbCreated) await admin`drop database if exists ${admin(dbName)} with (force)`.catch((err: unknown) => console.error('could not drop', dbName, err))
      await admin.end({ timeout: 5 })
    }
  })()
  return cleaning
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`)
    void cleanup().finally(() => process.exit(130))
  })
}

try {
  await main()
} catch (err) {
  console.error(err)
  process.exitCode = 1
} finally {
  await cleanup()
  console.log(`Total run time ${fmt((performance.now() - started) / 1000)} s`)
}
process.exit()
