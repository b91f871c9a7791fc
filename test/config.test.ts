import { readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t, { type Test } from 'tap'
import { ConfigError, loadConfig, paths, siteUrl } from '../src/config.js'
import { resolveSecret } from '../src/secrets/keys.js'

/** The error loadConfig throws for `env`, or a failure when it throws none. */
function configError (t: Test, env: Record<string, string | undefined>): ConfigError | undefined {
  try {
    loadConfig(env)
  } catch (err) {
    t.type(err, ConfigError, 'a ConfigError')
    return err as ConfigError
  }
  t.fail(`loadConfig accepted ${JSON.stringify(env)}`)
  return undefined
}

t.test('the defaults give an embedded instance', async (t) => {
  const config = loadConfig({})
  t.equal(config.DATABASE_URL, undefined, 'no database server')
  t.equal(config.REDIS_URL, undefined, 'no Redis')
  t.equal(config.SECRET_KEY, undefined, 'no secret needed up front')
  t.equal(config.DATA_DIR, './data')
  t.equal(paths.dataDir(config), resolve('./data'), 'the data folder is resolved from the working directory')
  t.equal(config.HOST, '127.0.0.1', 'listens locally by default')
  t.equal(config.PORT, 3000)
  t.equal(config.TRUST_PROXY, false)
  t.equal(config.LOG_LEVEL, 'info')
  t.equal(config.PASSWORD_HASH_COST, 15, 'passwords are hashed at full cost (tests lower it)')
  t.ok(config.RATE_LIMIT_SIGN_MAX >= 1 && config.RATE_LIMIT_GLOBAL_MAX >= config.RATE_LIMIT_SIGN_MAX)
  t.same(loadConfig({ PORT: '', DATA_DIR: '' }), config, 'an empty variable counts as unset')
})

t.test('every dependency and every client has a deadline by default, well under a client\'s patience', async (t) => {
  const config = loadConfig({})
  t.match(config, {
    DATABASE_CONNECT_TIMEOUT_MS: 2000,
    DATABASE_STATEMENT_TIMEOUT_MS: 5000,
    REQUEST_HANDLER_TIMEOUT_MS: 10_000,
    HEADERS_TIMEOUT_MS: 10_000,
    REQUEST_TIMEOUT_MS: 30_000,
    KEEP_ALIVE_TIMEOUT_MS: 5000,
    MAX_CONNECTIONS: 2000,
    SHUTDOWN_DRAIN_MS: 10_000,
    MAX_EVENT_LOOP_DELAY_MS: 1000
  })
  t.ok(config.DATABASE_STATEMENT_TIMEOUT_MS < config.REQUEST_HANDLER_TIMEOUT_MS, 'a statement ends before its request is given up')
  t.ok(config.KEEP_ALIVE_TIMEOUT_MS < config.SHUTDOWN_DRAIN_MS, 'idle keep-alive connections end within the drain')
  const error = configError(t, { HEADERS_TIMEOUT_MS: '40000', REQUEST_TIMEOUT_MS: '30000' })
  t.match(error?.message, /HEADERS_TIMEOUT_MS/, 'a headers deadline longer than the whole request\'s is refused')
})

t.test('values are read and coerced from strings', async (t) => {
  const config = loadConfig({
    PORT: '8080', DATABASE_URL: 'postgresql://db.example.org/solidaria', REDIS_URL: 'rediss://cache:6380', TRUST_PROXY: 'true',
    RATE_LIMIT_SKIP_ON_STORE_ERROR: 'false', STATS_TTL_MS: '0', DATA_DIR: 'memory://'
  })
  t.match(config, {
    PORT: 8080, DATABASE_URL: 'postgresql://db.example.org/solidaria', REDIS_URL: 'rediss://cache:6380', TRUST_PROXY: true,
    RATE_LIMIT_SKIP_ON_STORE_ERROR: false, STATS_TTL_MS: 0
  })
  t.equal(paths.dataDir(config), 'memory://')
  t.equal(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY, 2, 'a number of proxies')
  t.equal(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).TRUST_PROXY, '10.0.0.0/8', 'or addresses')
})

t.test('bad values are refused, naming each setting', async (t) => {
  for (const [name, value] of [
    ['PORT', 'abc'], ['PORT', '70000'], ['DATABASE_URL', 'mysql://x'], ['STATS_TTL_MS', '-1'], ['REDIS_URL', 'localhost:6379'],
    ['LOG_LEVEL', 'loud'], ['SECRET_KEY', 'too-short'], ['RATE_LIMIT_SIGN_MAX', '0'], ['RATE_LIMIT_SKIP_ON_STORE_ERROR', 'yes'],
    ['PUBLIC_URL', 'example.org']
  ] as const) {
    const error = configError(t, { [name]: value })
    t.match(error?.message, new RegExp(`\\b${name}\\b`), `${name}=${value} is named`)
  }
  const error = configError(t, { PORT: 'abc', DATABASE_URL: 'mysql://x', STATS_TTL_MS: '-1' })
  for (const name of ['PORT', 'DATABASE_URL', 'STATS_TTL_MS']) t.match(error?.message, new RegExp(`\\b${name}\\b`), `all at once: ${name} is named`)
  t.notMatch(error?.message, /\bHOST\b|\bDATA_DIR\b/, 'good settings are not named')
  t.match(configError(t, { LOG_LEVEL: 'loud' })?.message, /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent$/,
    'a setting that takes one of a few words lists them, once')
  t.match(configError(t, { TRUST_PROXY: '0' })?.message, /TRUST_PROXY: must be boolean, or must be >= 1, or must be string$/, 'a union that is not a list of words says what each alternative wants')
})

t.test('SECRET_KEY is required when DATABASE_URL is set', async (t) => {
  const config = loadConfig({ DATABASE_URL: 'postgres://db.example.org/solidaria' })
  t.throws(() => resolveSecret(config), /SECRET_KEY/, 'several instances must share one key, so there is no generated default')
  const secret = 'a-secret-key-of-at-least-thirty-two-characters'
  t.same(resolveSecret(loadConfig({ DATABASE_URL: 'postgres://db.example.org/solidaria', SECRET_KEY: secret })), { secret, origin: 'environment' })
})

t.test('the embedded instance generates its secret once, readable only by its owner', async (t) => {
  const dir = t.testdir()
  const dataDir = join(dir, 'nested', 'data')
  const config = loadConfig({ DATA_DIR: dataDir })
  const first = resolveSecret(config)
  t.equal(first.origin, 'generated')
  t.ok(first.secret.length >= 32, 'a long secret')
  const file = join(dataDir, 'secret.key')
  t.equal(statSync(file).mode & 0o777, 0o600, 'secret.key has mode 0600')
  t.equal(readFileSync(file, 'utf8').trim(), first.secret)
  const second = resolveSecret(loadConfig({ DATA_DIR: dataDir }))
  t.same(second, { secret: first.secret, origin: 'data-dir' }, 'the next start reuses it')
  t.equal(statSync(file).mode & 0o777, 0o600, 'and leaves it private')
  const other = resolveSecret(loadConfig({ DATA_DIR: join(dir, 'other') }))
  t.not(other.secret, first.secret, 'another instance gets another secret')
  t.equal(resolveSecret(loadConfig({ DATA_DIR: 'memory://' })).origin, 'memory', 'a throw-away database keeps its secret in memory')
})

t.test('mail that leaves the machine needs the address its links lead to', async (t) => {
  t.match(configError(t, { SMTP_URL: 'smtp://mail.example.org:587' })?.message, /PUBLIC_URL: must be set when SMTP_URL is/)
  t.match(configError(t, { SMTP_URL: 'http://mail.example.org' })?.message, /SMTP_URL/, 'an SMTP address is smtp:// or smtps://')
  const config = loadConfig({ SMTP_URL: 'smtps://user:secret@mail.example.org:465', PUBLIC_URL: 'https://solidaria.example.org/' })
  t.equal(config.SMTP_URL, 'smtps://user:secret@mail.example.org:465')
  t.equal(siteUrl(config), 'https://solidaria.example.org', 'links start with PUBLIC_URL, without its trailing slash')
  t.equal(siteUrl(loadConfig({ HOST: '0.0.0.0', PORT: '8080' })), 'http://localhost:8080', 'without it, where the server listens')
  t.same([loadConfig({}).CONFIRMATION_TTL_DAYS, loadConfig({}).MAIL_MAX_PER_DAY, loadConfig({}).BACKGROUND_JOBS], [14, 3, true], 'the defaults the issue asks for')
})
