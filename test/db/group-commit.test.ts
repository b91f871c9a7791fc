import t from 'tap'
import { createGroupCommit } from '../../src/db/group-commit.js'

const ok = <R>(values: R[]): Array<PromiseSettledResult<R>> => values.map((value) => ({ status: 'fulfilled', value }))

/** A write that records each group and finishes when told to. */
function recorder () {
  const groups: string[][] = []
  const finish: Array<() => void> = []
  const write = async (items: string[]): Promise<Array<PromiseSettledResult<string>>> => {
    groups.push(items)
    await new Promise<void>((resolve) => finish.push(resolve))
    return ok(items.map((item) => item.toUpperCase()))
  }
  return { groups, finish, write }
}

t.test('writes arriving within the window share one group, and each caller gets its own outcome', async (t) => {
  const { groups, finish, write } = recorder()
  const commit = createGroupCommit({ windowMs: 20, maxGroup: 10, maxInFlight: 1, write })
  const answers = [commit.submit('a'), commit.submit('b'), commit.submit('c')]
  t.same(groups, [], 'nothing is written before the window ends')
  await new Promise((resolve) => setTimeout(resolve, 40))
  t.same(groups, [['a', 'b', 'c']])
  let settled = false
  void Promise.all(answers).then(() => { settled = true })
  await new Promise((resolve) => setImmediate(resolve))
  t.notOk(settled, 'nobody is answered before the group\'s write has finished')
  finish.shift()!()
  t.same(await Promise.all(answers), ['A', 'B', 'C'])
})

t.test('a lone write waits for the window, and no longer', async (t) => {
  const times: number[] = []
  const write = async (items: string[]): Promise<Array<PromiseSettledResult<string>>> => { times.push(performance.now()); return ok(items) }
  const commit = createGroupCommit({ windowMs: 30, maxGroup: 10, maxInFlight: 1, write })
  const start = performance.now()
  t.equal(await commit.submit('alone'), 'alone')
  const waited = times[0]! - start
  t.ok(waited >= 29 && waited < 250, `written after the window (${waited.toFixed(1)} ms)`)

  const now = createGroupCommit({ windowMs: 0, maxGroup: 10, maxInFlight: 1, write })
  const at = performance.now()
  await now.submit('at once')
  t.ok(times[1]! - at < 5, 'a window of 0 writes at once')
})

t.test('a full group is written at once, and writes that find every slot busy gather into the next group', async (t) => {
  const { groups, finish, write } = recorder()
  const commit = createGroupCommit({ windowMs: 10_000, maxGroup: 3, maxInFlight: 1, write })
  const first = ['1', '2', '3'].map((item) => commit.submit(item))
  t.same(groups, [['1', '2', '3']], 'full: written without waiting for the window')
  const later = ['4', '5', '6', '7', '8'].map((item) => commit.submit(item))
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(groups.length, 1, 'the only slot is busy: the others wait')
  finish.shift()!()
  await Promise.all(first)
  await new Promise((resolve) => setImmediate(resolve))
  t.same(groups, [['1', '2', '3'], ['4', '5', '6']], 'the slot freed: the next full group goes at once')
  finish.shift()!()
  await new Promise((resolve) => setTimeout(resolve, 10))
  t.same(groups.at(-1), ['7', '8'], 'and the rest, who waited long enough, without a new window')
  finish.shift()!()
  t.same(await Promise.all(later), ['4', '5', '6', '7', '8'])
})

t.test('two writes with the same key never share a group', async (t) => {
  const groups: string[][] = []
  const commit = createGroupCommit({
    windowMs: 5, maxGroup: 10, maxInFlight: 2, key: (item: string) => item.split(':')[0]!,
    write: async (items: string[]) => { groups.push(items); return ok(items) }
  })
  t.same(await Promise.all(['ana:1', 'ben:1', 'ana:2', 'cai:1', 'ana:3'].map((item) => commit.submit(item))), ['ana:1', 'ben:1', 'ana:2', 'cai:1', 'ana:3'])
  for (const group of groups) {
    const keys = group.map((item) => item.split(':')[0])
    t.equal(new Set(keys).size, keys.length, `no key twice in ${group.join(' ')}`)
  }
  t.same(groups.flat().sort(), ['ana:1', 'ana:2', 'ana:3', 'ben:1', 'cai:1'], 'every write was written once')
})

t.test('a failed group fails each of its writes; an item refused alone fails only its own caller', async (t) => {
  const down = new Error('the database is down')
  let fail = true
  const commit = createGroupCommit({
    windowMs: 5, maxGroup: 10, maxInFlight: 1,
    write: async (items: string[]): Promise<Array<PromiseSettledResult<string>>> => {
      if (fail) throw down
      return items.map((item) => item === 'bad' ? { status: 'rejected', reason: new Error('refused') } : { status: 'fulfilled', value: item })
    }
  })
  const failed = await Promise.allSettled([commit.submit('a'), commit.submit('b')])
  t.same(failed.map((r) => r.status === 'rejected' && r.reason), [down, down])
  fail = false
  const mixed = await Promise.allSettled([commit.submit('a'), commit.submit('bad'), commit.submit('c')])
  t.same(mixed.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'])
  t.same(await commit.submit('after'), 'after', 'and the next group goes on as usual')
})

t.test('a write waits while a group being written holds its key, and the others go past it', async (t) => {
  const groups: string[][] = []
  const finish: Array<() => void> = []
  const commit = createGroupCommit({
    windowMs: 0, maxGroup: 10, maxInFlight: 2, key: (item: string) => item.split(':')[0]!,
    write: async (items: string[]) => { groups.push(items); await new Promise<void>((resolve) => finish.push(resolve)); return ok(items) }
  })
  const first = commit.submit('ana:1')
  const again = commit.submit('ana:2')
  const other = commit.submit('ben:1')
  await new Promise((resolve) => setImmediate(resolve))
  t.same(groups, [['ana:1'], ['ben:1']], 'a second slot is free, but not for the same signer while the first is written')
  finish.shift()!()
  t.equal(await first, 'ana:1')
  await new Promise((resolve) => setImmediate(resolve))
  t.same(groups.at(-1), ['ana:2'], 'once it is written, the second goes')
  finish.shift()!()
  finish.shift()!()
  t.same(await Promise.all([again, other]), ['ana:2', 'ben:1'])
})

t.test('a write that throws at once fails its group, not the others', async (t) => {
  let calls = 0
  const commit = createGroupCommit({
    windowMs: 0, maxGroup: 10, maxInFlight: 1,
    write: (items: string[]) => { if (calls++ === 0) throw new Error('refused at once'); return Promise.resolve(ok(items)) }
  })
  await t.rejects(commit.submit('a'), /refused at once/)
  t.equal(await commit.submit('b'), 'b', 'the next group is written')
})
