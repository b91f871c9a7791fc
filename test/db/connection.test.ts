import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { openDatabase, selectRaw } from '../../src/db/connection.js'
import { databases, testDatabase } from '../helpers/app.js'
import { projectRoot } from '../../src/config.js'
import { scriptArguments } from '../helpers/programs.js'

t.test('the embedded database is opened by one process at a time', async (t) => {
  t.setTimeout(120_000)
  const dataDir = t.testdir()
  // Another process (standing in for a running server) opens the database and keeps it.
  const holder = spawn(process.execPath, scriptArguments('src/db/connection.ts', `
    await module.openDatabase({ dataDir: ${JSON.stringify(dataDir)} })
    console.log('open')
    setInterval(() => {}, 1000)`), { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] })
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

for (const database of databases) {
  t.test(`a raw read gives each column's text in the SELECT's order, nulls as nulls [${database.name}]`, async (t) => {
    const { handle } = await testDatabase(t, database)
    const rows = await selectRaw(handle.db, sql`select ${'Ωmega, "quoted"'}::text as b, null::text as a, ${7}::int as c from generate_series(1, 2)`)
    const text = (value: Uint8Array | string | null): string | null => value === null ? null : typeof value === 'string' ? value : Buffer.from(value).toString()
    t.same(rows.map((row) => row.map(text)), [['Ωmega, "quoted"', null, '7'], ['Ωmega, "quoted"', null, '7']])
    t.same(await selectRaw(handle.db, sql`select 1 where false`), [], 'no rows, none given')
  })
}
