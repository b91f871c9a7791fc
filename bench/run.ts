import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { availableParallelism, cpus } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import type { Instance, Options, Request, Result } from 'autocannon'
import postgres from 'postgres'
import { createAppealsService } from '../src/appeals/service.js'
import { openDatabase, type DatabaseHandle } from '../src/db/connection.js'
import { createOrganisersService, type SignedIn } from '../src/organisers/service.js'
import { deriveKeys } from '../src/secrets/keys.js'
import { createSealer } from '../src/secrets/sealing.js'
import { domainHash } from '../src/signatures/email.js'
import { mailBench, type MailBenchResult } from './mail.js'
import { startPgbouncer } from './pooler.js'

const root = join(import.meta.dirname, '..')
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = `solidaria_bench_${Date.now()}`
const benchUrl = Object.assign(new URL(adminUrl), { pathname: '/' + dbName }).toString()
// BENCH_ROWS, BENCH_SECONDS and BENCH_BACKLOG_SECONDS shorten a run (a shared machine); BENCH_ONLY=mail runs only
// the mail measurements (4 to 6); BENCH_CPU_PROF=<folder> profiles the servers it starts.
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000)
const CONNECTIONS = 50
const DURATION = Number(process.env.BENCH_SECONDS ?? 10)
const WARMUP = 3
const BACKLOG_SECONDS = Number(process.env.BENCH_BACKLOG_SECONDS ?? 60)
const BACKLOG_RATE = Number(process.env.BENCH_BACKLOG_RATE ?? 500)
const ONLY_MAIL = process.env.BENCH_ONLY === 'mail'
const SLUG = 'bench-appeal'
const CONFIRM_SLUG = 'bench-confirm'
const COUNTRIES = 'AR AT AU BE BO BR CA CH CL CN CO CU CZ DE DK DO EC EG ES FI FR GB GR GT HN HU ID IE IL IN IT JP KE KR LB MA MX NG NI NL NO NZ PA PE PH PK PL PS PT PY RO RU SE SV TN TR UA US UY VE VN ZA ZM ZW BD DZ'.split(' ')
const started = performance.now()
const dataKey = randomBytes(32)
const secretKey = randomBytes(36).toString('base64')

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
  // process.execPath itself, not npm or a shell, so that the pid is the server's and /proc shows its memory.
  // Solidaria runs compiled, as `npm start` runs it; the baseline is a single TypeScript file.
  // BENCH_CPU_PROF=<folder> writes a V8 CPU profile of each process there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${name}.${Date.now()}.cpuprofile`]
  const args = [...profile, ...(script.endsWith('.js') ? [script] : ['--import=tsx', script])]
  const proc = spawn(process.execPath, args, {
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

let signer = 0
function signing (path: string): Request[] {
  return [{
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => ({
      ...request,
      body: JSON.stringify({ kind: 'individual', name: 'Bench Signer', email: `b${++signer}@example.org`, country: 'VE', public: true })
    })
  }]
}

function cannon (options: Options): { instance: Instance, done: Promise<Result> } {
  let instance: Instance | undefined
  const done = new Promise<Result>((resolve, reject) => {
    instance = autocannon(options, (err: unknown, result) => { if (err !== null && err !== undefined) reject(err); else resolve(result) })
  })
  return { instance: instance!, done }
}

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

async function measure (title: string, options: Options): Promise<Result> {
  const opts = { connections: CONNECTIONS, pipelining: 1, ...options }
  await cannon({ ...opts, duration: WARMUP }).done
  const result = await cannon({ ...opts, duration: DURATION }).done
  const failure = failed(result)
  console.log(`  ${title}: ${fmt(result.requests.average)} req/s, latency p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms, ` +
    `${result.non2xx} non-2xx, ${result.errors} errors${failure === undefined ? '' : '  <-- FAILED MEASUREMENT'}`)
  if (failure !== undefined) console.log(`    status codes: ${JSON.stringify(result.statusCodeStats ?? {})}`)
  return result
}

/** Measures under a steady background of signatures on the app, as a live campaign would have. */
async function underSigning (app: Server, title: string, options: Options): Promise<{ result: Result, background: Result }> {
  const background = cannon({ url: app.url, connections: 5, overallRate: 200, duration: 3600, requests: signing(`/api/appeals/${SLUG}/signatures`) })
  try {
    await sleep(1000)
    return { result: await measure(title, options), background: await stopped(background) }
  } finally {
    background.instance.stop()
  }
}

async function stopped (run: { instance: Instance, done: Promise<Result> }): Promise<Result> {
  run.instance.stop()
  const result = await run.done
  console.log(`    background signing: ${fmt(result.requests.average)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors`)
  return result
}

function failed (...results: Result[]): string | undefined {
  const non2xx = results.reduce((n, r) => n + r.non2xx, 0)
  const errors = results.reduce((n, r) => n + r.errors, 0)
  return non2xx + errors === 0 ? undefined : `${non2xx} non-2xx, ${errors} connection errors`
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
  await handle.close()
  handle = undefined

  bench = postgres(benchUrl, { max: 1, onnotice: () => {} })
  const t = performance.now()
  // As the app stores them: each email (and the name and city of those not shown publicly) sealed under
  // DATA_KEY, which is sealed here, a batch at a time, and passed in as one array per batch.
  const sealer = createSealer(dataKey)
  // Every loaded address is at example.org: its domain's keyed hash, as the app records it.
  const exampleDomain = domainHash(deriveKeys(secretKey).emailDomainHash, 'example.org')
  const LOAD_BATCH = 100_000
  for (let from = 1; from <= ROWS; from += LOAD_BATCH) {
    const sealed: string[] = []
    for (let i = from; i < from + LOAD_BATCH && i <= ROWS; i++) {
      const hidden = i % 3 === 0 ? {} : { n: `Signer ${i}`, ...(i % 4 === 0 && { c: `City ${i % 500}` }), ...(i % 100 === 0 && { o: `Organisation ${i}` }) }
      sealed.push(sealer.seal(JSON.stringify({ e: `signer${i}@example.org`, ...hidden })))
    }
    await bench`
      insert into signatures (appeal_id, kind, status, name, sealed, email_hash, email_domain_hash, country, city, organisation, organisation_type,
        members, public, contact, consent_version, locale, source, created_at, confirmed_at)
      select ${appeal.id}, case when i % 100 = 0 then 'organisation' else 'individual' end::signature_kind, 'confirmed',
        case when i % 3 = 0 then 'Signer ' || i end, s.sealed, md5(i::text), ${exampleDomain}, (${COUNTRIES}::text[])[1 + i % ${COUNTRIES.length}],
        case when i % 3 = 0 and i % 4 = 0 then 'City ' || (i % 500) end, case when i % 3 = 0 and i % 100 = 0 then 'Organisation ' || i end,
        case when i % 100 = 0 then 'trade_union'::organisation_type end, case when i % 100 = 0 then 10 + i % 5000 end,
        i % 3 = 0, i % 2 = 0, '2026-11', 'en', 'import',
        now() - make_interval(secs => ${ROWS} - i), now() - make_interval(secs => ${ROWS} - i)
      from unnest(${sealed}::text[]) with ordinality as s(sealed, n), lateral (select ${from - 1} + n::int as i) as numbered`
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
      backlogSeconds: BACKLOG_SECONDS, backlogRate: BACKLOG_RATE, signing, connections: CONNECTIONS
    })
    console.log(mailRows(result).map((cells) => `| ${cells.join(' | ')} |`).join('\n') + '\n' + result.notes.join('\n'))
    return result
  }
  if (ONLY_MAIL) {
    await runMail()
    if (appLogLines.length > 0) console.log(`\nApplication log (${appLogLines.length} lines, first 20):\n${appLogLines.slice(0, 20).join('\n')}`)
    return
  }
  const app = await startServer('solidaria', 'dist/src/server.js', appEnv)
  const bareEnv = { DATABASE_URL: benchUrl, APPEAL_ID: appeal.id, DATA_KEY: dataKey.toString('base64'), EMAIL_DOMAIN_HASH: exampleDomain }
  const bare = await startServer('bare', 'bench/bare-server.ts', bareEnv)
  const statsPath = `/api/appeals/${SLUG}/stats`
  const statsBody = await (await fetch(app.url + statsPath)).text()
  const jsonBody = await (await fetch(bare.url + '/json')).text()
  const counted = (JSON.parse(statsBody) as { signatures?: number }).signatures
  console.log(`Stats answer ${statsBody.length} B (${fmt(counted ?? 0)} signatures), bare /json ${jsonBody.length} B`)

  // Each pair is measured in the order A, B, B, A and each side averaged, so that a drift of the machine
  // during the run (the database warming up, a neighbour's load) weighs on both sides alike.
  console.log(`(1) Signing, ${CONNECTIONS} connections, ${DURATION} s after ${WARMUP} s warm-up, in the order app, bare, bare, app`)
  const signAppOptions = { url: app.url, requests: signing(`/api/appeals/${SLUG}/signatures`) }
  const signBareOptions = { url: bare.url, requests: signing('/sign') }
  const signApp1 = await measure('Solidaria POST /api/appeals/:slug/signatures', signAppOptions)
  const signBare1 = await measure('bare POST /sign', signBareOptions)
  const signBare = combine(signBare1, await measure('bare POST /sign', signBareOptions))
  const signApp = combine(signApp1, await measure('Solidaria POST /api/appeals/:slug/signatures', signAppOptions))
  console.log('(1b) Signing an appeal that requires email confirmation (signature, link, daily count and queued mail in one statement), twice')
  const confirmOptions = { url: app.url, requests: signing(`/api/appeals/${CONFIRM_SLUG}/signatures`) }
  const signConfirm = combine(await measure('Solidaria POST (confirmation required)', confirmOptions), await measure('Solidaria POST (confirmation required)', confirmOptions))

  console.log('(2) Stats while 200 signatures/s go on in the background, in the order app, bare, bare, app')
  const statsApp1 = await underSigning(app, 'Solidaria GET /api/appeals/:slug/stats', { url: app.url + statsPath })
  const statsBare1 = await underSigning(app, 'bare GET /json', { url: bare.url + '/json' })
  const statsBare2 = await underSigning(app, 'bare GET /json', { url: bare.url + '/json' })
  const statsApp2 = await underSigning(app, 'Solidaria GET /api/appeals/:slug/stats', { url: app.url + statsPath })
  const statsApp = { result: combine(statsApp1.result, statsApp2.result), background: combine(statsApp1.background, statsApp2.background) }
  const statsBare = { result: combine(statsBare1.result, statsBare2.result), background: combine(statsBare1.background, statsBare2.background) }

  // (2b) The same app through PgBouncer in transaction mode, named prepared statements off (as it must run
  // there), against the direct app just measured: what the pooler costs.
  const bouncer = await startPgbouncer(benchUrl, await freePort())
  let pooled: { sign: Result, stats: Result } | undefined
  if (bouncer === undefined) {
    console.log('(2b) PgBouncer is not installed (apt-get install pgbouncer): the pooled measurements are left out')
  } else {
    console.log('(2b) Signing and stats through PgBouncer (transaction mode, DATABASE_PREPARED_STATEMENTS=false), twice each')
    const pooledApp = await startServer('solidaria-pgbouncer', 'dist/src/server.js', { ...appEnv, DATABASE_URL: bouncer.url, DATABASE_PREPARED_STATEMENTS: 'false' })
    const pooledSign = { url: pooledApp.url, requests: signing(`/api/appeals/${SLUG}/signatures`) }
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

  console.log('(3) CSV export from a fresh Solidaria process, against the bare export of the sealed emails, in the order app, bare, bare, app')
  const [{ n: expectedRows } = { n: 0 }] = await bench<Array<{ n: number }>>`select count(*)::int as n from signatures where appeal_id = ${appeal.id}`
  const exporter = await startServer('solidaria-export', 'dist/src/server.js', appEnv)
  const bareExporter = await startServer('bare-export', 'bench/bare-server.ts', bareEnv)
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
  const rssMb = peakRssMb(pid)
  const bare1 = await timed(`${bareExporter.url}/export`)
  const bare2 = await timed(`${bareExporter.url}/export`)
  const csv2 = await timed(appExport, token)
  await stopServer(exporter)
  await stopServer(bareExporter)
  collectLog(exporter)
  collectLog(bareExporter)
  const rows = csv.lines - 1
  const exportFailure = [csv, csv2].some((c) => c.status !== 200)
    ? `HTTP ${csv.status}: ${csv.head.slice(0, 500)}`
    : rows !== expectedRows || csv2.lines - 1 !== expectedRows
      ? `${fmt(rows)} rows exported, ${fmt(expectedRows)} in the database`
      : [bare1, bare2].some((b) => b.lines - 1 !== expectedRows) ? `the bare export wrote ${fmt(bare1.lines - 1)} rows` : undefined
  const rowsPerSecond = rows / ((csv.seconds + csv2.seconds) / 2)
  const bareRowsPerSecond = rows / ((bare1.seconds + bare2.seconds) / 2)
  const exportRatio = rowsPerSecond / bareRowsPerSecond
  console.log(`  ${fmt(rows)} rows, ${fmt(csv.bytes / 1048576, 1)} MB in ${fmt(csv.seconds, 2)} and ${fmt(csv2.seconds, 2)} s: ${fmt(rowsPerSecond)} rows/s, peak RSS ${fmt(rssMb, 1)} MB (${fmt(startMb, 1)} MB before the request)` +
    (exportFailure === undefined ? '' : `  <-- FAILED: ${exportFailure}`))
  console.log(`  bare: ${fmt(bare1.seconds, 2)} and ${fmt(bare2.seconds, 2)} s: ${fmt(bareRowsPerSecond)} rows/s`)

  const mail = await runMail()
  const [{ version } = { version: '?' }] = await bench<Array<{ version: string }>>`select version()`
  const ratioRow = (name: string, a: Result, b: Result, extra: Result[]): string[] => {
    const failure = failed(a, b, ...extra)
    const ratio = a.requests.average / b.requests.average
    return [name, fmt(a.requests.average), fmt(b.requests.average), fmt(ratio, 2), '≥ 0.80',
      failure === undefined ? (ratio >= 0.8 ? 'yes' : 'no') : `failed (${failure})`]
  }
  const exportMet = (ok: boolean): string => exportFailure === undefined ? (ok ? 'yes' : 'no') : `failed (${exportFailure.split('\n')[0]})`
  const table = [
    ['Measurement', 'Solidaria', 'Baseline', 'Ratio', 'Target', 'Met?'],
    ['---', '---:', '---:', '---:', '---', '---'],
    ratioRow('Signing (req/s) vs bare insert', signApp, signBare, []),
    ratioRow('Signing with email confirmation (req/s) vs bare insert', signConfirm, signBare, []),
    ratioRow('Stats at 1M signatures under 200 signatures/s (req/s) vs bare GET /json', statsApp.result, statsBare.result, [statsApp.background, statsBare.background]),
    ['CSV export (rows/s) vs bare: fetch and open each sealed email', fmt(rowsPerSecond), fmt(bareRowsPerSecond), fmt(exportRatio, 2), '≥ 0.80', exportMet(exportRatio >= 0.8)],
    ['CSV export peak RSS (MB)', fmt(rssMb, 1), '–', '–', '< 200', exportMet(rssMb < 200)],
    ...mailRows(mail),
    ...(pooled === undefined
      ? []
      : [
          [`Signing through PgBouncer (req/s; p99 ${fmt(pooled.sign.latency.p99)} ms) vs direct`, fmt(pooled.sign.requests.average), fmt(signApp.requests.average),
            fmt(pooled.sign.requests.average / signApp.requests.average, 2), 'the cost', '–'],
          [`Stats through PgBouncer (req/s; p99 ${fmt(pooled.stats.latency.p99)} ms) under 200 signatures/s vs direct`, fmt(pooled.stats.requests.average),
            fmt(statsApp.result.requests.average), fmt(pooled.stats.requests.average / statsApp.result.requests.average, 2), 'the cost', '–']
        ])
  ].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
  const notes = [
    `Signing: ${fmt(signApp.latency.p99)} ms p99 for Solidaria, ${fmt(signBare.latency.p99)} ms for bare; ${fmt(signApp.requests.total)} and ${fmt(signBare.requests.total)} requests.`,
    `Signing with confirmation: ${fmt(signConfirm.latency.p99)} ms p99, ${fmt(signConfirm.requests.total)} requests, measured after the pair above against the same bare figure; the mail worker was off (BACKGROUND_JOBS=false), so the queued mails were not sent during the run.`,
    `Stats: answer ${statsBody.length} B (${fmt(counted ?? 0)} signatures counted), bare /json ${jsonBody.length} B; background signing ran at ` +
      `${fmt(statsApp.background.requests.average)} and ${fmt(statsBare.background.requests.average)} req/s.`,
    `Export: ${fmt(rows)} rows (1M loaded plus those signed during the run), ${fmt(csv.bytes / 1048576, 1)} MB in ${fmt(csv.seconds, 2)} and ${fmt(csv2.seconds, 2)} s; ` +
      `the fresh process peaked at ${fmt(startMb, 1)} MB after start-up, before the request (the peak is of the first export). Every row's email, and the names and cities of those not shown, ` +
      'are opened with AES-256-GCM in the application (the key never reaches the database): the bare export does only that for the email.',
    ...mail.notes,
    `Application log (LOG_LEVEL=warn): ${appLogLines.length === 0 ? 'nothing' : `${appLogLines.length} lines, first: ${appLogLines.slice(0, 3).join(' / ')}`}.`
  ]
  const markdown = `# Solidaria benchmark

- Date: ${new Date().toISOString()}
- Node: ${process.version}
- PostgreSQL: ${version}
- CPUs: ${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown'}
- Load: ${CONNECTIONS} connections, pipelining 1, ${DURATION} s per measurement after ${WARMUP} s warm-up; pool size 10 for both servers
- Data: ${fmt(ROWS)} bulk-loaded confirmed signatures in one open appeal, emails (and private names) sealed under DATA_KEY as the app stores them
- Run time until this report: ${fmt((performance.now() - started) / 1000)} s

${table}

${notes.map((n) => `- ${n}`).join('\n')}
`
  writeFileSync(join(root, 'bench', 'results.md'), markdown)
  console.log('\n' + table + '\n\n' + notes.join('\n'))
  if (appLogLines.length > 0) console.log(`\nApplication log (${appLogLines.length} lines, first 20):\n${appLogLines.slice(0, 20).join('\n')}`)
}

/** The mail measurements' rows of the results table. */
function mailRows (m: MailBenchResult): string[][] {
  const signingRatio = m.during.requests.average / m.alone.requests.average
  const signingFailure = failed(m.alone, m.during)
  return [
    ['Mail worker (mails/s) vs bare nodemailer pool (5 connections, 40 in flight)', fmt(m.workerRate), fmt(m.bareRate), fmt(m.workerRate / m.bareRate, 2), '≥ 0.80',
      m.workerRate / m.bareRate >= 0.8 ? 'yes' : 'no'],
    [`Confirmation backlog after the run at ${fmt(m.signedAtRate)} signatures/s (s of mail)`, fmt(m.backlogSeconds, 2), '–', '–', '< 2', m.backlogSeconds < 2 ? 'yes' : 'no'],
    [`Signing while an update to ${fmt(m.recipients)} is queued and sent (req/s) vs alone`, fmt(m.during.requests.average), fmt(m.alone.requests.average), fmt(signingRatio, 2), '≥ 0.80',
      signingFailure === undefined ? (signingRatio >= 0.8 ? 'yes' : 'no') : `failed (${signingFailure})`]
  ]
}

let cleaning: Promise<void> | undefined
function cleanup (): Promise<void> {
  cleaning ??= (async () => {
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
