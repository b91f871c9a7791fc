import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/db/connection.js'

const root = join(import.meta.dirname, '..', '..')

t.test('the embedded database is opened by one process at a time', async (t) => {
  t.setTimeout(120_000)
  const dataDir = t.testdir()
  // Another process (standing in for a running server) opens the database and keeps it.
  const holder = spawn(process.execPath, ['--import=tsx', '-e', `
    import('./src/db/connection.ts').then(async ({ openDatabase }) => {
      await openDatabase({ dataDir: ${JSON.stringify(dataDir)} })
      console.log('open')
      setInterval(() => {}, 1000)
    })`], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { holder.kill('SIGKILL') })
  const [line] = await once(holder.stdout, 'data') as [Buffer]
  t.equal(line.toString().trim(), 'open')

  await t.rejects(openDatabase({ dataDir }), { name: 'ConfigError' }, 'a second process is refused, as a configuration problem')
  await t.rejects(openDatabase({ dataDir }), { message: new RegExp(`in use by process ${holder.pid}`) }, 'naming the process that has it')

  holder.kill('SIGKILL')
  await once(holder, 'exit')
  const handle = await openDatabase({ dataDir })
  t.pass('a lock left by a process that died is taken over')
  await handle.close()
  t.notOk(existsSync(join(dataDir, 'solidaria.lock')), 'closing releases the lock')
})
