import t from 'tap'
import { isDatabaseUnavailable } from '../../src/db/unavailable.js'

t.test('a database failure is told from a query failure by its code, also when drizzle wraps it', async (t) => {
  const wrapped = (code: string) => Object.assign(new Error('Failed query'), { query: 'select 1', cause: Object.assign(new Error('driver'), { code }) })
  for (const code of ['ECONNREFUSED', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', '57P01', '57P03', '57014', '08006', '53300']) {
    t.ok(isDatabaseUnavailable(wrapped(code)), code)
  }
  for (const code of ['23505', '22P02', '42P01']) t.notOk(isDatabaseUnavailable(wrapped(code)), `${code} is the query's own problem`)
  t.notOk(isDatabaseUnavailable(Object.assign(new Error('upstream'), { code: 'ECONNRESET' })), 'a lost connection to something other than the database is not an outage of it')
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
  t.ok(isDatabaseUnavailable(refused, true), 'but it is when the caller knows it came from the database (a transaction\'s BEGIN names no query)')
  t.notOk(isDatabaseUnavailable(Object.assign(new Error('duplicate'), { code: '23505' }), true), 'and a query\'s own problem still is not')
  t.notOk(isDatabaseUnavailable(new Error('no code')))
  t.notOk(isDatabaseUnavailable(undefined))
})
