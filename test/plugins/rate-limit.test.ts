import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import t from 'tap'
import { build, eachDatabase, freshPostgresDatabase, json, redisUrl, type TestContext, postgresUrl } from '../helpers/app.js'
import { appeal, organiser, person, signatureRows, type Organiser } from '../helpers/fixtures.js'
import { projectRoot } from '../../src/config.js'

const french = JSON.parse(readFileSync(join(projectRoot, 'locales', 'fr', 'errors.json'), 'utf8')) as { code: Record<string, string> }

/** A key prefix no other run (or test) uses; its keys are removed when the test ends, and nothing else. */
function redisPrefix (t: TestContext): string {
  const prefix = `solidaria-test-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}:`
  t.teardown(async () => {
    if (redisUrl === undefined) return
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    await redis.connect()
    try {
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
        cursor = next
        if (keys.length > 0) await redis.del(...keys)
      } while (cursor !== '0')
    } finally {
      await redis.quit()
    }
  })
  return prefix
}

/** An open appeal with the given slug, created through the API. */
async function appealWithSlug (app: FastifyInstance, owner: Organiser, slug: string): Promise<void> {
  const created = await app.inject({
    method: 'POST',
    url: '/api/admin/appeals',
    headers: owner.auth,
    payload: { slug, originalLanguage: 'en', text: { title: 'Solidarity', summary: 'Stand with them', body: 'Text', demands: [] } }
  })
  if (created.statusCode !== 201) throw new Error(`appeal creation failed: ${created.body}`)
  const opened = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/open`, headers: owner.auth })
  if (opened.statusCode !== 200) throw new Error(`opening failed: ${opened.body}`)
}

eachDatabase(t, 'signing is limited per address and appeal', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const other = await appeal(app, owner)
  const from = { remoteAddress: '198.51.100.7' }
  const signFrom = async (target: string, remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/api/appeals/${target}/signatures`, payload: person(), headers, remoteAddress })

  for (let i = 1; i <= 3; i++) t.equal((await signFrom(slug, from.remoteAddress)).statusCode, 201, `signature ${i} of 3 is taken`)
  t.equal((await signatureRows(app)).length, 3)

  const refused = await signFrom(slug, from.remoteAddress, { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' })
  t.equal(refused.statusCode, 429, 'the fourth signature from the same address on the same appeal is refused')
  const { error } = json(refused)
  t.equal(error.code, 'RATE_LIMITED')
  t.same(error.fields, {})
  const retryAfter = refused.headers['retry-after']
  t.ok(retryAfter !== undefined, 'a Retry-After header tells the client when to come back')
  const seconds = Number(retryAfter)
  t.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 600, `Retry-After is a number of seconds within the window (got ${String(retryAfter)})`)
  t.equal(error.message, french.code.RATE_LIMITED!.replace('{{seconds}}', String(seconds)), 'the message is in French and names the same wait')
  t.equal((await signatureRows(app)).length, 3, 'a refused signature writes nothing')

  const spoofed = await signFrom(slug, from.remoteAddress, { 'x-forwarded-for': '192.0.2.200' })
  t.equal(spoofed.statusCode, 429, 'a forged X-Forwarded-For does not reset the allowance when no proxy is trusted')

  t.equal((await signFrom(other, from.remoteAddress)).statusCode, 201, 'the same address may still sign another appeal')
  t.equal((await signFrom(slug, '203.0.113.50')).statusCode, 201, 'another address may still sign the first appeal')
  t.equal((await signatureRows(app)).length, 5)
}, { RATE_LIMIT_SIGN_MAX: '3' })

t.test('the global limit applies per address to every request', async (t) => {
  const app = await build(t, { RATE_LIMIT_GLOBAL_MAX: '5' })
  for (let i = 1; i <= 5; i++) {
    t.equal((await app.inject({ method: 'GET', url: '/api/appeals', remoteAddress: '198.51.100.8' })).statusCode, 200, `request ${i} of 5 is answered`)
  }
  const refused = await app.inject({ method: 'GET', url: '/api/appeals', remoteAddress: '198.51.100.8' })
  t.equal(refused.statusCode, 429, 'the sixth is refused')
  t.equal(json(refused).error.code, 'RATE_LIMITED')
  t.ok(refused.headers['retry-after'] !== undefined, 'with a Retry-After header')
  const unknown = await app.inject({ method: 'GET', url: '/no-such-page', remoteAddress: '198.51.100.8' })
  t.equal(unknown.statusCode, 429, 'unknown addresses count too, so probing is limited as well')
  t.equal((await app.inject({ method: 'GET', url: '/api/appeals', remoteAddress: '198.51.100.9' })).statusCode, 200, 'another address is not affected')
})

eachDatabase(t, 'live counts stay readable by many watchers behind one address', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  for (let i = 1; i <= 8; i++) {
    const response = await app.inject({ method: 'GET', url: `/api/appeals/${slug}/stats`, remoteAddress: '198.51.100.20' })
    t.equal(response.statusCode, 200, `stats read ${i} of 8 is answered past the global limit of 5`)
  }
  const other = await app.inject({ method: 'GET', url: '/api/appeals', remoteAddress: '198.51.100.20' })
  t.equal(other.statusCode, 200, 'and they do not use up the allowance for the rest')
}, { RATE_LIMIT_GLOBAL_MAX: '5' })

/** Two app instances on one database; `shared` extra settings go to both. */
async function twoInstances (
  t: TestContext, env: Record<string, string>
): Promise<{ a: FastifyInstance, b: FastifyInstance, slug: string, sameDatabase: boolean }> {
  const slug = `shared-${randomBytes(4).toString('hex')}`
  if (postgresUrl !== undefined) {
    const databaseUrl = await freshPostgresDatabase(t, postgresUrl)
    const a = await build(t, { ...env, DATABASE_URL: databaseUrl })
    const b = await build(t, { ...env, DATABASE_URL: databaseUrl })
    await appealWithSlug(a, await organiser(a), slug)
    return { a, b, slug, sameDatabase: true }
  }
  // Without a server each instance has its own embedded database, holding the same appeal.
  const a = await build(t, env)
  const b = await build(t, env)
  await appealWithSlug(a, await organiser(a), slug)
  await appealWithSlug(b, await organiser(b), slug)
  return { a, b, slug, sameDatabase: false }
}

t.test('two instances sharing one Redis share the signing limit', {
  skip: redisUrl === undefined || postgresUrl === undefined
    ? `needs TEST_REDIS_URL and TEST_DATABASE_URL (missing: ${[redisUrl === undefined && 'TEST_REDIS_URL', postgresUrl === undefined && 'TEST_DATABASE_URL'].filter(Boolean).join(', ')})`
    : false
}, async (t) => {
  const prefix = redisPrefix(t)
  const { a, b, slug } = await twoInstances(t, { REDIS_URL: redisUrl!, RATE_LIMIT_REDIS_PREFIX: prefix, RATE_LIMIT_SIGN_MAX: '4' })
  const remoteAddress = '198.51.100.21'
  const codes: number[] = []
  for (let i = 0; i < 5; i++) {
    const app = i % 2 === 0 ? a : b
    codes.push((await app.inject({ method: 'POST', url: `/api/appeals/${slug}/signatures`, payload: person(), remoteAddress })).statusCode)
  }
  t.same(codes, [201, 201, 201, 201, 429], 'alternating between instances, the fifth signature overall is refused')
  t.equal((await signatureRows(a)).length, 4, 'the refused one wrote nothing')
  const sixth = await b.inject({ method: 'POST', url: `/api/appeals/${slug}/signatures`, payload: person(), remoteAddress })
  t.equal(sixth.statusCode, 429, 'the other instance refuses too')
  t.equal(json(sixth).error.code, 'RATE_LIMITED')

  const redis = new Redis(redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  t.teardown(() => redis.quit())
  const keys = await redis.keys(`${prefix}*`)
  t.ok(keys.length > 0, 'the counters live under the configured prefix')
})

t.test('two instances without Redis each count on their own', async (t) => {
  const { a, b, slug, sameDatabase } = await twoInstances(t, { RATE_LIMIT_SIGN_MAX: '4' })
  t.comment(sameDatabase ? 'both instances on one PostgreSQL database' : 'each instance on its own embedded database (TEST_DATABASE_URL not set)')
  const remoteAddress = '198.51.100.22'
  const codes: number[] = []
  for (let i = 0; i < 10; i++) {
    const app = i % 2 === 0 ? a : b
    codes.push((await app.inject({ method: 'POST', url: `/api/appeals/${slug}/signatures`, payload: person(), remoteAddress })).statusCode)
  }
  t.same(codes, [201, 201, 201, 201, 201, 201, 201, 201, 429, 429], 'each instance allows 4, so 8 get through in all')
  const rows = sameDatabase ? (await signatureRows(a)).length : (await signatureRows(a)).length + (await signatureRows(b)).length
  t.equal(rows, 8)
})

eachDatabase(t, 'stats of slugs the cache does not know are limited per address, the real appeal\'s are not', async (t, { app }) => {
  const slug = await appeal(app, await organiser(app))
  t.equal((await app.inject({ url: `/api/appeals/${slug}/stats`, remoteAddress: '198.51.100.30' })).statusCode, 200, 'one look-up puts the appeal in the cache')
  const statuses = []
  for (let i = 0; i < 6; i++) statuses.push((await app.inject({ url: `/api/appeals/random-${i}/stats`, remoteAddress: '198.51.100.30' })).statusCode)
  t.same(statuses, [404, 404, 404, 404, 429, 429], 'a flood of random slugs is refused after the limit')
  for (let i = 1; i <= 3; i++) {
    t.equal((await app.inject({ url: `/api/appeals/${slug}/stats`, remoteAddress: '198.51.100.30' })).statusCode, 200, `the real appeal's stats, read ${i}`)
  }
}, { RATE_LIMIT_GLOBAL_MAX: '5' })
