import t from 'tap'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { createOutage } from '../../src/errors/outage.js'
import { reportFailure } from '../../src/plugins/outages.js'

t.test('an outage is logged once when it begins and once when it ends, however many requests fail', async (t) => {
  const lines: string[] = []
  const log = { error: (_obj: unknown, msg: string) => { lines.push(`error ${msg}`) }, warn: (msg: string) => { lines.push(`warn ${msg}`) } } as unknown as FastifyBaseLogger
  const outage = createOutage(log, 'PostgreSQL', { graceMs: 0 })
  outage.recovered()
  t.same(lines, [], 'nothing to say while it is up')
  for (let i = 0; i < 100; i++) outage.failed(new Error('connect ECONNREFUSED'))
  t.equal(outage.down, true)
  outage.recovered()
  outage.recovered()
  t.equal(outage.down, false)
  t.equal(lines.length, 2, lines.join('\n'))
  t.match(lines[0], /^error PostgreSQL is unreachable/)
  t.match(lines[1], /^warn PostgreSQL is reachable again after \d+ ms/)
})

t.test('a success that began before the outage was noticed does not end it (a query still answering as the server went)', async (t) => {
  const lines: string[] = []
  const log = { error: (_obj: unknown, msg: string) => { lines.push(`error ${msg}`) }, warn: (msg: string) => { lines.push(`warn ${msg}`) } } as unknown as FastifyBaseLogger
  const outage = createOutage(log, 'PostgreSQL')
  const startedBefore = Date.now() - 1000
  outage.failed(new Error('connect ECONNREFUSED'))
  outage.recovered(startedBefore)
  t.equal(outage.down, true, 'still down')
  outage.failed(new Error('connect ECONNREFUSED'))
  outage.recovered(Date.now())
  t.equal(outage.down, false, 'a check begun after it ends it')
  t.equal(lines.length, 2, lines.join('\n'))
})

t.test('a connection made just after the outage was noticed does not end it (its handshake may have begun before)', async (t) => {
  const log = { error: () => {}, warn: () => {} } as unknown as FastifyBaseLogger
  const outage = createOutage(log, 'PostgreSQL', { graceMs: 60_000 })
  outage.failed(new Error('connect ECONNREFUSED'))
  outage.recovered()
  t.equal(outage.down, true, 'within the grace: still down')
  outage.recovered(Date.now())
  t.equal(outage.down, false, 'a check begun after the outage ends it at once')
})

t.test('work outside a request: the database down is the outage, told once; only database work counts a BEGIN that names no query', async (t) => {
  const lines: string[] = []
  const log = { error: (_obj: unknown, msg: string) => { lines.push(`error ${msg}`) }, warn: (msg: string) => { lines.push(`warn ${msg}`) } } as unknown as FastifyBaseLogger
  const app = { log, outages: { database: createOutage(log, 'PostgreSQL', { graceMs: 0 }) } } as unknown as FastifyInstance
  // What a transaction's BEGIN throws when PostgreSQL is gone: the socket's own error, no query named.
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
  const fold = reportFailure(app, 'folding failed', true)
  for (let i = 0; i < 5; i++) fold(refused)
  t.same(lines.map((l) => l.split(':')[0]), ['error PostgreSQL is unreachable'], 'database work: the outage, once')
  reportFailure(app, 'the mail worker failed')(refused)
  t.equal(lines.at(-1), 'error the mail worker failed', 'work that also speaks SMTP: its own failure, since the refusal may be the relay\'s')
  reportFailure(app, 'folding failed', true)(Object.assign(new Error('duplicate key'), { code: '23505' }))
  t.equal(lines.at(-1), 'error folding failed', 'a query\'s own problem is logged as such')
})
