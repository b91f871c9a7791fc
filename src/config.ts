import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import Ajv from 'ajv'
import { Type, type Static } from 'typebox'

// Every setting Solidaria reads, validated once. The defaults give a working embedded instance.
export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  TRUST_PROXY: Type.Union([Type.Boolean(), Type.Integer({ minimum: 1 }), Type.String()], { default: false }),
  DATA_DIR: Type.String({ default: './data' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  // Connections of the mail worker and the update queueing, besides the pool above (0: they share it).
  DATABASE_BACKGROUND_POOL_SIZE: Type.Integer({ minimum: 0, maximum: 50, default: 3 }),
  // Read replicas (comma-separated postgres:// URLs) for public reads and exports; writes stay on DATABASE_URL.
  DATABASE_READ_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://[^,]+(,\\s*postgres(ql)?://[^,]+)*$' })),
  // A replica further behind the primary than this is skipped until it catches up.
  DATABASE_READ_MAX_LAG_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 5000 }),
  // How often each replica's reachability and lag are checked.
  DATABASE_READ_CHECK_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 1000 }),
  // Named prepared statements; off behind a pooler in transaction mode (PgBouncer), which cannot keep them.
  DATABASE_PREPARED_STATEMENTS: Type.Boolean({ default: true }),
  // Deadlines well under a client's patience, so that a database that is down is a quick 503, not a hang.
  DATABASE_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 2000 }),
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 5000 }),
  // The whole of a request's handling (waiting for a pooled connection included): past it, 503.
  REQUEST_HANDLER_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  // Slow-drip clients: all the headers, and the whole request, must arrive within these.
  HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 5000 }),
  MAX_CONNECTIONS: Type.Integer({ minimum: 1, default: 2000 }),
  // How long SIGTERM waits for requests in flight (and keeps answering 503 on open connections) before closing.
  SHUTDOWN_DRAIN_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 10_000 }),
  // Event-loop delay past which an instance answers 503 rather than queue more work (0: off).
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1000 }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  SECRET_KEY: Type.Optional(Type.String({ minLength: 32 })),
  // 32 random bytes in base64 (or 64 hex digits): the key that seals emails and private names at rest.
  DATA_KEY: Type.Optional(Type.String({ minLength: 43, maxLength: 64 })),
  // Keys sealed data may still be under while it is re-encrypted (`cli keys reencrypt`), comma-separated.
  DATA_KEY_PREVIOUS: Type.Optional(Type.String({ maxLength: 2000 })),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ minLength: 3, maxLength: 300, default: 'Solidaria <solidaria@localhost>' }),
  CONFIRMATION_TTL_DAYS: Type.Integer({ minimum: 1, maximum: 90, default: 14 }),
  MAIL_MAX_PER_DAY: Type.Integer({ minimum: 1, maximum: 100, default: 3 }),
  // Whether this instance sends queued mail and runs the scheduled jobs (any number of instances may).
  BACKGROUND_JOBS: Type.Boolean({ default: true }),
  MAIL_POLL_MS: Type.Integer({ minimum: 50, maximum: 600_000, default: 1000 }),
  // Webhook endpoints must be https:// on public addresses; tests and a local receiver may allow http and private ones.
  WEBHOOKS_ALLOW_PRIVATE: Type.Boolean({ default: false }),
  // SMTP connections the worker keeps open, and mails it has in flight at once (spread over them).
  MAIL_SMTP_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 50, default: 5 }),
  MAIL_IN_FLIGHT: Type.Integer({ minimum: 1, maximum: 500, default: 40 }),
  // While the instance answers requests, the share of time updates (queueing them, sending their mail) may
  // take; the rest is left to the people signing. 1: updates go at full speed. Confirmation mail always does.
  MAIL_UPDATE_SHARE: Type.Number({ minimum: 0.05, maximum: 1, default: 0.2 }),
  // How long a claimed mail is its worker's: longer than one batch can take (the SMTP timeouts in
  // mail/transport.ts add up to two minutes). An update's mail still unrecorded past it is given up.
  MAIL_LEASE_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 300 }),
  // log2 of scrypt's N for organisers' passwords; raising it re-hashes nobody, old hashes keep their cost.
  PASSWORD_HASH_COST: Type.Integer({ minimum: 10, maximum: 20, default: 15 }),
  SESSION_TTL_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 12 }),
  // Everyone who can see signers' contact data (admins, appeal owners and organisers) must sign in with a second factor.
  REQUIRE_TWO_FACTOR: Type.Boolean({ default: false }),
  INVITATION_TTL_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 72 }),
  PASSWORD_RESET_TTL_MINUTES: Type.Integer({ minimum: 5, maximum: 1440, default: 60 }),
  // How long the audit trail is kept (see audit/).
  AUDIT_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 365 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 262144 }),
  // The largest receipt (photo or PDF) a contribution report or a spending may carry.
  FUND_RECEIPT_MAX_BYTES: Type.Integer({ minimum: 10_240, maximum: 52_428_800, default: 5_242_880 }),
  // Group commit (db/group-commit.ts): signatures arriving within this many milliseconds of each other are
  // written by one statement, at most SIGNING_GROUP_MAX of them; 0 writes each at once (groups then form
  // only while the database is busy with earlier ones). On the 2-core bench machine (50 clients, 100,000
  // signatures), 2 ms signed 1.51-1.53x a bare single-row insert server where 1 ms did 1.40-1.45x, 3 ms
  // 1.33x and 0 ms 1.31x; a signer alone waits the window more for their answer.
  SIGNING_GROUP_WINDOW_MS: Type.Integer({ minimum: 0, maximum: 50, default: 2 }),
  SIGNING_GROUP_MAX: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  STATS_TTL_MS: Type.Integer({ minimum: 0, maximum: 60000, default: 1000 }),
  // How long an instance keeps an appeal's public settings before reading them again: another instance's change shows within it.
  APPEAL_CACHE_MS: Type.Integer({ minimum: 0, maximum: 60000, default: 2000 }),
  EXPORT_WORKERS: Type.Integer({ minimum: 0, maximum: 32, default: 2 }),
  CONSENT_VERSION: Type.String({ minLength: 1, maxLength: 40, default: '2026-11' }),
  RATE_LIMIT_GLOBAL_MAX: Type.Integer({ minimum: 1, default: 600 }),
  RATE_LIMIT_GLOBAL_WINDOW: Type.String({ default: '1 minute' }),
  RATE_LIMIT_SIGN_MAX: Type.Integer({ minimum: 1, default: 30 }),
  RATE_LIMIT_SIGN_WINDOW: Type.String({ default: '10 minutes' }),
  RATE_LIMIT_SIGNIN_MAX: Type.Integer({ minimum: 1, default: 10 }),
  RATE_LIMIT_SIGNIN_WINDOW: Type.String({ default: '15 minutes' }),
  RATE_LIMIT_SKIP_ON_STORE_ERROR: Type.Boolean({ default: true }),
  RATE_LIMIT_REDIS_PREFIX: Type.String({ default: 'solidaria-rl:' }),
  // Off by default: map tiles from a third party would tell it who reads the appeal.
  MAP_TILE_URL: Type.Optional(Type.String({ pattern: '^https://[^/]+/.*\\{z\\}.*\\{x\\}.*\\{y\\}' })),
  MAP_TILE_ATTRIBUTION: Type.String({ maxLength: 300, default: '' })
})

export type Config = Static<typeof ConfigSchema>

// Ajv, which the app loads to check every request, also checks the settings: typebox's own compiler would
// load some 300 more modules into every process at start. An Ajv of its own, not http/validation.ts's,
// which would make config and http/ import each other.
const { default: AjvClass } = Ajv
const checker = new AjvClass({ allErrors: true, useDefaults: true, strict: false }).compile(ConfigSchema)

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Reads the environment (or a test's overrides) into a validated Config; throws ConfigError naming each bad setting. */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const value = env[key]
    if (value === undefined || value === '') continue
    raw[key] = coerce(value, schema as { type?: string, anyOf?: unknown[] })
  }
  // Ajv fills in the defaults in `raw` as it checks.
  const errors = checker(raw) ? [] : checker.errors ?? []
  if (errors.length > 0) {
    const lines = errors.filter((e) => !e.schemaPath.includes('/anyOf/')).map((e) => {
      const setting = e.instancePath.slice(1)
      if (e.keyword !== 'anyOf') return `${setting || '(config)'}: ${e.message}`
      // A union says what it takes, not that Ajv tried each alternative: its words (a union of literals),
      // else what each alternative wanted.
      const choices = (ConfigSchema.properties as Record<string, { anyOf?: Array<{ const?: unknown }> }>)[setting]?.anyOf ?? []
      const wanted = choices.every((choice) => choice.const !== undefined)
        ? [`must be one of ${choices.map((choice) => String(choice.const)).join(', ')}`]
        : errors.filter((sub) => sub.instancePath === e.instancePath && sub.schemaPath.includes('/anyOf/')).map((sub) => sub.message)
      return `${setting}: ${[...new Set(wanted)].join(', or ')}`
    })
    throw new ConfigError(`Invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`)
  }
  const config = raw as Config
  // Mail that leaves the machine links back to the site: it must name the address people reach it at.
  if (config.SMTP_URL !== undefined && config.PUBLIC_URL === undefined) {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: must be set when SMTP_URL is, since the links in mails lead to it (e.g. https://solidaria.example.org)')
  }
  // Node refuses a headers deadline longer than the whole request's.
  if (config.HEADERS_TIMEOUT_MS > config.REQUEST_TIMEOUT_MS) {
    throw new ConfigError('Invalid configuration:\n  HEADERS_TIMEOUT_MS: must not be longer than REQUEST_TIMEOUT_MS')
  }
  return config
}

function coerce (value: string, schema: { type?: string, anyOf?: unknown[] }): unknown {
  if (schema.type === 'integer') return /^-?\d+$/.test(value) ? Number(value) : value
  if (schema.type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value
  if (schema.anyOf !== undefined) {
    if (value === 'true') return true
    if (value === 'false') return false
    if (/^\d+$/.test(value)) return Number(value)
  }
  return value
}

/** The address people reach the site at, as links in mails give it: PUBLIC_URL, or where it listens. */
export function siteUrl (config: Config): string {
  if (config.PUBLIC_URL !== undefined) return config.PUBLIC_URL.replace(/\/+$/, '')
  const host = ['0.0.0.0', '::', ''].includes(config.HOST) ? 'localhost' : config.HOST
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`
}

/** The folder holding package.json, found from this file whether it runs from src/ or from dist/src/. */
export const projectRoot = findProjectRoot(import.meta.dirname)

function findProjectRoot (from: string): string {
  let dir = from
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`package.json not found above ${from}`)
    dir = parent
  }
  return dir
}

export const paths = {
  migrations: join(projectRoot, 'migrations'),
  locales: join(projectRoot, 'locales'),
  /** The browser code, built from web/ by Vite (`npm run build:web`). */
  webBuild: join(projectRoot, 'dist', 'web'),
  /** embed.js, built from web/embed/ by Vite, served at a fixed address. */
  embedBuild: join(projectRoot, 'dist', 'embed'),
  dataDir: (config: Config) => config.DATA_DIR === 'memory://' ? config.DATA_DIR : resolve(config.DATA_DIR)
}
