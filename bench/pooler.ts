import { execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import postgres from 'postgres'

const PGBOUNCER = '/usr/sbin/pgbouncer'

/**
 * PgBouncer in transaction mode in front of the bench's PostgreSQL (Debian's `pgbouncer`), on a port of
 * its own, or undefined where it is not installed. As the topology test and deploy/pgbouncer.ini run it:
 * the deadlines an instance asks for on connecting are ignored (the database would carry them).
 */
export async function startPgbouncer (databaseUrl: string, port: number): Promise<{ url: string, stop: () => Promise<void> } | undefined> {
  if (!existsSync(PGBOUNCER)) return undefined
  const target = new URL(databaseUrl)
  const database = target.pathname.slice(1)
  const dir = mkdtempSync(join(tmpdir(), 'solidaria-bench-pgbouncer-'))
  // PgBouncer refuses to run as root: there it runs as the postgres user.
  const ids = process.getuid?.() === 0
    ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) }
    : undefined
  writeFileSync(join(dir, 'userlist.txt'), `"${decodeURIComponent(target.username) || 'postgres'}" ""\n`)
  writeFileSync(join(dir, 'pgbouncer.ini'), [
    '[databases]', `${database} = host=${target.hostname} port=${target.port || '5432'} dbname=${database}`,
    '[pgbouncer]', 'listen_addr = 127.0.0.1', `listen_port = ${port}`, 'unix_socket_dir =', 'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`, 'pool_mode = transaction', 'max_client_conn = 1000', 'default_pool_size = 20',
    'ignore_startup_parameters = statement_timeout,idle_in_transaction_session_timeout', `logfile = ${join(dir, 'pgbouncer.log')}`, ''
  ].join('\n'))
  if (ids !== undefined) for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, file), ids.uid, ids.gid)
  const proc = spawn(PGBOUNCER, [join(dir, 'pgbouncer.ini')], { stdio: 'ignore', ...(ids !== undefined && ids) })
  const url = `postgres://${target.username || 'postgres'}@127.0.0.1:${port}/${database}`
  for (let i = 0; i < 100; i++) {
    const client = postgres(url, { max: 1, connect_timeout: 1, onnotice: () => {}, prepare: false })
    try {
      await client`select 1`
      break
    } catch {
      await sleep(50)
    } finally {
      await client.end({ timeout: 0 })
    }
  }
  return {
    url,
    stop: async () => {
      proc.kill('SIGTERM')
      await sleep(200)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
