import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import postgres from 'postgres'
import t from 'tap'
import { ConfigSchema, projectRoot } from '../../src/config.js'
import { build, testEnv, type TestContext } from '../helpers/app.js'
import { appeal, organiser, person, signatureRows } from '../helpers/fixtures.js'
import { programArguments } from '../helpers/programs.js'

// The topology the README describes past one machine, on this one: a primary, a streaming replica made
// with pg_basebackup, PgBouncer in transaction mode in front of the primary, three app instances, and
// nginx balancing over them. Under signing and reading load one instance is killed and the replica is
// stopped, then both come back: nothing acknowledged may be lost and nobody may get a 5xx.
const run = promisify(execFile)
const BIN = '/usr/lib/postgresql/15/bin'
const PGBOUNCER = '/usr/sbin/pgbouncer'
const NGINX = '/usr/sbin/nginx'
const missing = [join(BIN, 'initdb'), join(BIN, 'pg_basebackup'), PGBOUNCER, NGINX].filter((file) => !existsSync(file))
// CI installs them (.ci/run) and sets REQUIRE_TOOLS=1: there a missing one fails instead of skipping.
const skip = missing.length === 0 || process.env.REQUIRE_TOOLS === '1'
  ? false
  : `needs ${missing.join(', ')}: apt-get install postgresql-15 pgbouncer nginx`
const asRoot = process.getuid?.() === 0

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

const pause = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

interface Ids { uid: number, gid: number }

/** PostgreSQL and PgBouncer refuse to run as root: as root, they run as the postgres user. */
async function postgresUser (): Promise<Ids | undefined> {
  if (!asRoot) return undefined
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) }
}

async function as (ids: Ids | undefined, command: string, args: string[]): Promise<void> {
  await (ids !== undefined ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args))
}

function cluster (ids: Ids | undefined, dir: string, name: string, port: number) {
  const data = join(dir, name)
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_preload_libraries=pg_stat_statements ` +
    '-c max_wal_senders=4 -c hot_standby=on -c wal_receiver_status_interval=1s'
  return {
    data,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => { await as(ids, join(BIN, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, `${name}.log`), '-w', 'start']) },
    // Immediate: the server vanishes as in a crash, its connections dropped without a goodbye.
    stop: async () => { await as(ids, join(BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {}) }
  }
}

interface Instance { port: number, child: ChildProcess, ready: Promise<void> }

function startInstance (t: TestContext, port: number, env: Record<string, string>): Instance {
  const childEnv: Record<string, string | undefined> = { ...process.env }
  for (const key of Object.keys(ConfigSchema.properties)) delete childEnv[key]
  Object.assign(childEnv, testEnv(), { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: t.testdir() }, env)
  const child = spawn(process.execPath, programArguments('src/server.ts'), { cwd: projectRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; if (output.includes('is listening on')) resolve() })
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
    child.on('exit', (code, signal) => { reject(new Error(`instance on ${port} exited (${code ?? signal}) before listening:\n${output}`)) })
  })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  return { port, child, ready }
}

interface Answer { kind: 'sign' | 'stats' | 'list', sent: number, status: number, retryAfter?: string, email?: string }

t.test('primary, replica, PgBouncer, three instances behind nginx: an instance killed and the replica stopped under load lose nothing and answer no 5xx', {
  skip,
  timeout: 120_000
}, async (t) => {
  const ids = await postgresUser()
  const dir = mkdtempSync(join(tmpdir(), 'solidaria-topology-'))
  chmodSync(dir, 0o755)
  if (ids !== undefined) chownSync(dir, ids.uid, ids.gid)
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const ports = await Promise.all(Array.from({ length: 7 }, freePort))
  const [primaryPort, replicaPort, bouncerPort, nginxPort, ...appPorts] = ports as [number, number, number, number, ...number[]]

  // The primary, with pg_stat_statements to tell afterwards which server ran what.
  const primary = cluster(ids, dir, 'primary', primaryPort)
  await as(ids, join(BIN, 'initdb'), ['-D', primary.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  await primary.start()
  t.teardown(primary.stop)
  const admin = postgres(primary.url, { max: 1, onnotice: () => {} })
  t.teardown(async () => { await admin.end({ timeout: 1 }) })
  await admin`create extension pg_stat_statements`
  // Behind PgBouncer the app cannot send its deadlines when it connects (PgBouncer ignores them): the database carries them.
  await admin`alter database postgres set statement_timeout = '5s'`
  await admin`alter database postgres set idle_in_transaction_session_timeout = '5s'`

  // The replica: a base backup of the primary that streams from it (-R writes standby.signal and the connection).
  const replica = cluster(ids, dir, 'replica', replicaPort)
  await as(ids, join(BIN, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replica.data, '-R', '-X', 'stream', '-c', 'fast'])
  await replica.start()
  t.teardown(replica.stop)

  // PgBouncer in transaction mode in front of the primary.
  writeFileSync(join(dir, 'userlist.txt'), '"postgres" ""\n')
  writeFileSync(join(dir, 'pgbouncer.ini'), [
    '[databases]', `postgres = host=127.0.0.1 port=${primaryPort} dbname=postgres`,
    '[pgbouncer]', 'listen_addr = 127.0.0.1', `listen_port = ${bouncerPort}`, 'unix_socket_dir =', 'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`, 'pool_mode = transaction', 'max_client_conn = 500', 'default_pool_size = 20',
    'ignore_startup_parameters = statement_timeout,idle_in_transaction_session_timeout', `logfile = ${join(dir, 'pgbouncer.log')}`, ''
  ].join('\n'))
  if (ids !== undefined) for (const f of ['userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, f), ids.uid, ids.gid)
  const bouncer = spawn(PGBOUNCER, [join(dir, 'pgbouncer.ini')], { stdio: 'ignore', ...(ids !== undefined && { uid: ids.uid, gid: ids.gid }) })
  t.teardown(() => { bouncer.kill('SIGKILL') })

  // Three instances: writes through PgBouncer (no named prepared statements), public reads from the replica.
  const env = {
    DATABASE_URL: `postgres://postgres@127.0.0.1:${bouncerPort}/postgres`,
    DATABASE_PREPARED_STATEMENTS: 'false',
    DATABASE_READ_URL: replica.url,
    DATABASE_READ_CHECK_MS: '300',
    DATABASE_READ_MAX_LAG_MS: '3000',
    TRUST_PROXY: '127.0.0.1',
    STATS_TTL_MS: '0',
    RATE_LIMIT_GLOBAL_MAX: '100000',
    RATE_LIMIT_SIGN_MAX: '100000'
  }
  const instances = appPorts.map((port) => startInstance(t, port, env))
  await Promise.all(instances.map((i) => i.ready))

  // nginx over the three: a request an instance could not take goes to the next. Signing may be retried
  // even once sent (non_idempotent): a repeated signature is answered as the first was and stored once.
  mkdirSync(join(dir, 'nginx'), { mode: 0o777 })
  const upstream = appPorts.map((port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=2s;`).join('\n')
  const proxy = 'proxy_pass http://solidaria; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; ' +
    'proxy_set_header X-Forwarded-For $remote_addr; proxy_connect_timeout 1s; proxy_read_timeout 15s;'
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx', 'nginx.pid')};
error_log ${join(dir, 'nginx', 'error.log')} warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'nginx')}/body; proxy_temp_path ${join(dir, 'nginx')}/proxy; fastcgi_temp_path ${join(dir, 'nginx')}/fastcgi;
  uwsgi_temp_path ${join(dir, 'nginx')}/uwsgi; scgi_temp_path ${join(dir, 'nginx')}/scgi;
  upstream solidaria {
${upstream}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${nginxPort};
    location ~ ^/api/appeals/[^/]+/signatures$ { ${proxy} proxy_next_upstream error timeout http_502 http_503 non_idempotent; }
    location / { ${proxy} proxy_next_upstream error timeout http_502 http_503; }
  }
}
`)
  const nginx = spawn(NGINX, ['-c', join(dir, 'nginx.conf'), '-p', join(dir, 'nginx')], { stdio: 'ignore' })
  t.teardown(() => { nginx.kill('SIGKILL') })
  const base = `http://127.0.0.1:${nginxPort}`
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${base}/health/ready`).then((r) => r.ok, () => false)) break
    await pause(50)
  }

  // An organiser and an appeal, made on the primary directly, as an instance would.
  const app = await build(t, { DATABASE_URL: primary.url })
  const owner = await organiser(app, 'admin')
  const slug = await appeal(app, owner)

  const answers: Answer[] = []
  const load = { stopping: false }
  const worker = async (index: number): Promise<void> => {
    // Bounded in count as well as by the phases below.
    for (let i = 0; i < 2000 && !load.stopping; i++) {
      const kind = (['sign', 'stats', 'sign', 'list'] as const)[(index + i) % 4]!
      const sent = Date.now()
      const email = kind === 'sign' ? String(person().email) : undefined
      const response = await (kind === 'sign'
        ? fetch(`${base}/api/appeals/${slug}/signatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(person({ email })) })
        : fetch(`${base}/api/appeals/${slug}/${kind === 'stats' ? 'stats' : 'signatures'}`))
        .catch(() => undefined)
      await response?.arrayBuffer()
      const retryAfter = response?.headers.get('retry-after') ?? undefined
      answers.push({ kind, sent, status: response?.status ?? 0, ...(retryAfter !== undefined && { retryAfter }), ...(email !== undefined && { email }) })
      await pause(20)
    }
  }
  const readsOnReplica = async (): Promise<{ stats: number, lists: number }> => {
    const client = postgres(replica.url, { max: 1, onnotice: () => {}, connect_timeout: 2 })
    try {
      const [row] = await client<Array<{ stats: string, lists: string }>>`select
        coalesce(sum(calls) filter (where query ilike '%from "signature_counts"%group by%'), 0)::text as stats,
        coalesce(sum(calls) filter (where query ilike '%from "signatures"%order by%limit%'), 0)::text as lists
        from pg_stat_statements`
      return { stats: Number(row?.stats ?? 0), lists: Number(row?.lists ?? 0) }
    } finally {
      await client.end({ timeout: 1 })
    }
  }

  const workers = Array.from({ length: 6 }, async (_, index) => worker(index))
  await pause(1500)
  const beforeFaults = await readsOnReplica()
  t.ok(beforeFaults.stats > 0 && beforeFaults.lists > 0, `stats and lists are read on the replica (${beforeFaults.stats} stats and ${beforeFaults.lists} list queries there)`)

  // One instance dies mid-request.
  const killedAt = Date.now()
  instances[1]!.child.kill('SIGKILL')
  await pause(2000)
  // The replica goes away: reads go to the primary.
  const replicaDownAt = Date.now()
  await replica.stop()
  await pause(2500)
  // Both come back.
  await replica.start()
  const restarted = startInstance(t, appPorts[1]!, env)
  await restarted.ready
  const backAt = Date.now()
  await pause(2500)
  load.stopping = true
  await Promise.all(workers)
  const afterFaults = await readsOnReplica()

  const failed = answers.filter((a) => a.status === 0 || a.status >= 500)
  t.same(failed.slice(0, 10), [], `no 5xx and no connection error among ${answers.length} requests (an instance was killed at +${killedAt - answers[0]!.sent} ms, ` +
    `the replica stopped at +${replicaDownAt - answers[0]!.sent} ms)`)
  t.ok(answers.filter((a) => a.sent > killedAt && a.sent < backAt).length > 50, 'requests went on while an instance or the replica was down')
  t.ok(afterFaults.stats > beforeFaults.stats, `once back, the replica serves stats again (${afterFaults.stats - beforeFaults.stats} more)`)

  // Nothing acknowledged is lost: every 201 is on the primary.
  const acknowledged = answers.filter((a) => a.kind === 'sign' && a.status === 201).map((a) => a.email!.toLowerCase())
  const stored = new Set((await signatureRows(app)).map((row) => row.email))
  t.ok(acknowledged.length > 50, `${acknowledged.length} signatures acknowledged`)
  t.same(acknowledged.filter((email) => !stored.has(email)), [], `none of the ${acknowledged.length} acknowledged signatures is lost`)

  // The dashboard reads its own writes: an organiser's change shows at once, through any instance.
  for (let i = 0; i < 5; i++) {
    const title = `Hands off Venezuela, take ${i}`
    const changed = await fetch(`${base}/api/admin/appeals/${slug}/texts/en`, {
      method: 'PUT', headers: { ...owner.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title, summary: 'Stand with Venezuelan workers', body: 'We **stand** with them.', demands: ['Stop the sanctions'] })
    })
    t.equal(changed.status, 200, `changed (${changed.status})`)
    const read = await (await fetch(`${base}/api/admin/appeals/${slug}`, { headers: owner.auth })).text()
    t.ok(read.includes(title), 'and read back at once')
  }
})
