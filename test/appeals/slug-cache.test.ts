import { eq } from 'drizzle-orm'
import t from 'tap'
import { createAppealsService } from '../../src/appeals/service.js'
import { createSlugCache } from '../../src/appeals/slug-cache.js'
import { appeals } from '../../src/db/schema.js'
import { eachDatabase } from '../helpers/app.js'
import { appeal, organiser } from '../helpers/fixtures.js'

t.test('the slug cache keeps the most recently read appeals, and unknown slugs apart', async (t) => {
  let now = 0
  const cache = createSlugCache<string>({ ttlMs: 1000, maxKnown: 2, maxUnknown: 2, now: () => now })
  cache.set('a', 'A')
  cache.set('b', 'B')
  t.same(cache.get('a'), { found: true, value: 'A' }, 'a read makes "a" the most recent')
  cache.set('c', 'C')
  t.same(cache.get('b'), { found: false }, 'the least recently read appeal goes first')
  t.same(cache.get('a'), { found: true, value: 'A' })
  for (const slug of ['x', 'y', 'z']) cache.set(slug, undefined)
  t.same(cache.get('z'), { found: true, value: undefined }, 'an unknown slug is remembered as unknown')
  t.same(cache.get('x'), { found: false }, 'in a list of its own, as small as it is')
  t.same([cache.get('a'), cache.get('c')], [{ found: true, value: 'A' }, { found: true, value: 'C' }], 'unknown slugs never push out appeals')
  now = 1001
  t.same(cache.get('a'), { found: false }, 'an entry older than the TTL is looked up again')
})

eachDatabase(t, 'a flood of random slugs neither evicts a real appeal nor is cached wholesale', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  const service = createAppealsService(app.db, { now: () => 0 })
  const real = await service.getPublic(slug)
  for (let i = 0; i < 2500; i++) await service.getPublic(`random-${i}`).catch(() => undefined)
  // Gone from the database, the appeal can only come from the cache: it was kept through the flood.
  await app.db.delete(appeals).where(eq(appeals.id, real.id))
  t.equal((await service.getPublic(slug)).id, real.id, 'the real appeal is still cached')
  t.notOk(service.isCachedPublic('random-0'), 'the first random slugs were pushed out of their own small list')
})
