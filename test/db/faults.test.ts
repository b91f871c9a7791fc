import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import postgres from 'postgres'
import t from 'tap'
import { build, json } from '../helpers/app.js'
import { appeal, organiser, person, signatureRows } from '../helpers/fixtures.js'

const run = promisify(execFile)
const BIN = '/usr/lib/postgresql/15/bin'
const binaries = existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'))
// PostgreSQL refuses to run as root: the private cluster then belongs to the postgres user.
const asRoot = process.getuid?.() === 0

/** A PostgreSQL 15 cluster of this test's own, on a free loopback port, in a temporary folder. */
async function privateCluster (): Promise<{ url: string, start: () => Promise<void>, stop: () => Promise<void>, remove: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'solidaria-pg-'))
  const as = async (command: string, args: string[]): Promise<void> => {
    await (asRoot ? run('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]) : run(join(BIN, command), args))
  }
  if (asRoot) {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
    chownSync(dir, Number(uid.stdout), Number(gid.stdout))
  }
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  const data = join(dir, 'data')
  await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=on`
  let running = false
  const start = async (): Promise<void> => { await as('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']); running = true }
  // Immediate: the server vanishes as in a crash, its connections dropped without a goodbye.
  const stop = async (): Promise<void> => { await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']); running = false }
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    remove: async () => {
      if (running) await stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** When PostgreSQL at `url` first runs a query, asked every 20 ms with a new client (so no backoff of its own), for at most `ms`. */
async function acceptsQueries (url: string, ms: number): Promise<number> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const client = postgres(url, { max: 1, connect_timeout: 1, onnotice: () => {} })
    try {
      await client`select 1`
      return Date.now()
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20))
    } finally {
      await client.end({ timeout: 0 })
    }
  }
  throw new Error(`PostgreSQL did not accept queries within ${ms} ms`)
}

interface Answer { path: 'sign' | 'stats' | 'ready', sent: number, took: number, status: number, retryAfter: string | undefined, code: string | undefined, email?: string }

t.test('PostgreSQL stopped under load: quick 503s with Retry-After, service back within 2 s of its return, no acknowledged signature lost', {
  skip: binaries ? false : `needs the PostgreSQL 15 server binaries (initdb, pg_ctl) in ${BIN}: apt-get install postgresql-15`,
  timeout: 90_000
}, async (t) => {
  const cluster = await privateCluster()
  t.teardown(cluster.remove)
  // STATS_TTL_MS=0: every stats request goes to the database, as a cache miss would.
  const app = await build(t, { DATABASE_URL: cluster.url, RATE_LIMIT_GLOBAL_MAX: '100000', RATE_LIMIT_SIGN_MAX: '100000', STATS_TTL_MS: '0' })
  const slug = await appeal(app, await organiser(app))
  // The test's logger is silent; its errors are counted instead (requests log through the same object).
  const logged: string[] = []
  const causes: unknown[] = []
  app.log.error = ((obj: unknown, msg?: string) => {
    logged.push(typeof obj === 'string' ? obj : msg ?? '')
    const err = (obj as { err?: { code?: unknown, message?: unknown, cause?: { code?: unknown, message?: unknown } } } | undefined)?.err
    causes.push({ at: Date.now(), code: err?.code ?? err?.cause?.code, message: err?.message ?? err?.cause?.message })
  }) as typeof app.log.error

  const answers: Answer[] = []
  const load = { stopping: false }
  const worker = async (index: number): Promise<void> => {
    // Bounded in count as well as by the phases below.
    for (let i = 0; i < 5000 && !load.stopping; i++) {
      const path = (['sign', 'sign', 'stats', 'ready'] as const)[(index + i) % 4]!
      const email = path === 'sign' ? String(person().email) : undefined
      const sent = Date.now()
      const response = path === 'sign'
        ? await app.inject({ method: 'POST', url: `/api/appeals/${slug}/signatures`, payload: person({ email }), remoteAddress: '127.0.0.1' })
        : await app.inject({ url: path === 'stats' ? `/api/appeals/${slug}/stats` : '/health/ready', remoteAddress: '127.0.0.1' })
      const body = response.statusCode >= 400 ? json(response) : undefined
      const retryAfter = response.headers['retry-after']
      answers.push({
        path, sent, took: Date.now() - sent, status: response.statusCode, code: body?.error?.code,
        retryAfter: retryAfter === undefined ? undefined : String(retryAfter), ...(email !== undefined && { email })
      })
      // Sixty requests a second or so in all: load, without starving the machine's other work.
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const workers = Array.from({ length: 4 }, async (_, index) => worker(index))
  const pause = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

  await pause(1000)
  const stopAt = Date.now()
  await cluster.stop()
  const stoppedAt = Date.now()
  await pause(3000)
  // Down until the restart begins: a request may reach the new server before the poll below sees it.
  const restartAt = Date.now()
  const restart = cluster.start()
  const upAt = await acceptsQueries(cluster.url, 20_000)
  await restart
  await pause(Math.max(0, upAt + 2500 - Date.now()))
  load.stopping = true
  await Promise.all(workers)

  const before = answers.filter((a) => a.sent + a.took < stopAt)
  t.ok(before.length > 0 && before.every((a) => a.status < 300), `before the stop every request succeeds (${before.length})`)

  const during = answers.filter((a) => a.sent >= stoppedAt && a.sent + a.took < restartAt)
  t.ok(during.length > 10, `requests were sent while PostgreSQL was down (${during.length})`)
  const slow = during.filter((a) => a.took >= 5000)
  t.same(slow, [], 'every one answered within 5 s')
  t.ok(during.every((a) => a.took < 2000), `most quickly: the slowest took ${Math.max(...during.map((a) => a.took))} ms`)
  const wrong = during.filter((a) => a.status !== 503 || a.code !== 'SERVICE_UNAVAILABLE' || a.retryAfter === undefined)
  t.same(wrong, [], 'each with 503 SERVICE_UNAVAILABLE and Retry-After, in the error shape')

  const firstSuccess = answers.find((a) => a.sent >= upAt && a.path === 'sign' && a.status === 201)
  t.ok(firstSuccess !== undefined, 'signing works again once PostgreSQL is back')
  const recovery = (firstSuccess?.sent ?? Number.POSITIVE_INFINITY) + (firstSuccess?.took ?? 0) - upAt
  t.ok(recovery < 2000, `the first success came ${recovery} ms after PostgreSQL accepted queries (within 2 s)`)
  const after = answers.filter((a) => a.sent >= upAt + 2000)
  t.ok(after.length > 0 && after.every((a) => a.status < 300), `and from then on every request succeeds (${after.length})`,
    { failed: after.filter((a) => a.status >= 300), upAt })

  t.equal(logged.length, 1, `the outage is logged once, not once per failed request: ${JSON.stringify(logged)}`, { causes, stopAt, upAt })
  t.match(logged[0], /PostgreSQL is unreachable/)
  t.equal(app.outages.database.down, false, 'and known to be over')

  const acknowledged = answers.filter((a) => a.status === 201).map((a) => a.email!.toLowerCase())
  const stored = new Set((await signatureRows(app)).map((row) => row.email))
  t.same(acknowledged.filter((email) => !stored.has(email)), [], `none of the ${acknowledged.length} acknowledged signatures is lost`)
})
