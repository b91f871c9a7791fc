import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import t from 'tap'
import { runCommand } from '../../src/cli/commands.js'
import { ConfigSchema, loadConfig, projectRoot } from '../../src/config.js'
import { openDatabase, type Database, type DatabaseHandle } from '../../src/db/connection.js'
import { apiTokens, appeals, appealTexts, events, organisers, signatures } from '../../src/db/schema.js'
import { createAppealsService } from '../../src/appeals/service.js'
import { createOrganisersService } from '../../src/organisers/service.js'
import { normaliseText } from '../../src/http/normalise-input.js'
import { deriveKeys } from '../../src/secrets/keys.js'
import { createSignaturesService } from '../../src/signatures/service.js'
import { createSealer, parseDataKey } from '../../src/secrets/sealing.js'
import { openPersonal } from '../../src/signatures/personal-fields.js'
import { databases, TEST_DATA_KEY, testDatabase, type TestContext } from '../helpers/app.js'
import { programArguments } from '../helpers/programs.js'

interface Target { env: Record<string, string>, db: Database, handle: DatabaseHandle }

/** The database the commands write to: an empty PGlite, or a fresh database on the test server. */
async function target (t: TestContext, database: (typeof databases)[number]): Promise<Target> {
  const { handle, url } = await testDatabase(t, database)
  const env = { DATA_DIR: t.testdir(), DATA_KEY: TEST_DATA_KEY, ...(url !== undefined && { DATABASE_URL: url, SECRET_KEY: 'cli-test-secret-key-that-is-long-enough-0123456789' }) }
  return { env, db: handle.db, handle }
}

async function inspect<T> (where: Target, fn: (db: Database) => Promise<T>): Promise<T> {
  return await fn(where.db)
}

interface Run { code: number | null, stdout: string, stderr: string }

/** Runs a command as `npm run cli` does, in this process (the process itself is tested once, below). */
async function cli (where: Target, args: string[], input = ''): Promise<Run> {
  const run: Run = { code: null, stdout: '', stderr: '' }
  const io = { readLine: async () => input.split('\n')[0] ?? '', out: (line: string) => { run.stdout += `${line}\n` }, err: (line: string) => { run.stderr += `${line}\n` } }
  run.code = await runCommand(args, where.handle, loadConfig({ LOG_LEVEL: 'silent', ...where.env }), io)
  return run
}

/** The real command-line tool, as a process of its own. */
function cliProcess (env: Record<string, string>, args: string[], input = ''): Promise<Run> {
  const childEnv: Record<string, string | undefined> = { ...process.env }
  for (const key of Object.keys(ConfigSchema.properties)) delete childEnv[key]
  Object.assign(childEnv, { LOG_LEVEL: 'silent' }, env)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...programArguments('src/cli/index.ts'), ...args], { cwd: projectRoot, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

type Table = typeof organisers | typeof apiTokens | typeof appeals | typeof appealTexts | typeof events | typeof signatures
const count = async (db: Database, table: Table): Promise<number> => {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(table)
  return row?.n ?? 0
}

for (const database of databases) {
  t.test(`organiser and token commands [${database.name}]`, async (t) => {
    const where = await target(t, database)
    const password = 'correct horse battery staple'

    const short = await cli(where, ['organiser', 'create', '--email', 'a@example.org', '--name', 'A', '--admin'], 'short\n')
    t.not(short.code, 0, 'a too-short password fails')
    t.match(short.stderr, /password must have at least 10 characters/, 'and says why')
    t.equal(await inspect(where, (db) => count(db, organisers)), 0, 'nothing was created')

    const noEmail = await cli(where, ['organiser', 'create', '--name', 'A'], `${password}\n`)
    t.not(noEmail.code, 0, 'a missing --email fails')
    t.match(noEmail.stderr, /--email is required/)
    t.match(noEmail.stderr + noEmail.stdout, /Usage: npm run cli -- <command>/, 'with the usage')
    t.equal(await inspect(where, (db) => count(db, organisers)), 0)

    const unknown = await cli(where, ['frobnicate'])
    t.not(unknown.code, 0, 'an unknown command fails')
    t.match(unknown.stderr, /unknown command "frobnicate"/)

    const created = await cli(where, ['organiser', 'create', '--email', 'A@Example.org', '--name', 'A', '--admin'], `${password}\n`)
    t.equal(created.code, 0, `organiser create succeeds${created.code === 0 ? '' : `: ${created.stderr}`}`)
    t.match(created.stdout, /Created admin a@example\.org/)
    t.notMatch(created.stdout + created.stderr, password, 'the password is not echoed')
    await inspect(where, async (db) => {
      const rows = await db.select().from(organisers)
      t.equal(rows.length, 1)
      t.match(rows[0], { email: 'a@example.org', name: 'A', role: 'admin' })
      t.notMatch(rows[0]?.passwordHash, password, 'only a hash is stored')
      const session = await createOrganisersService(db, { sessionTtlHours: 1, passwordHashCost: 10 }).signIn('a@example.org', password)
      t.ok(session.token, 'the password from standard input signs in')
    })

    // Typed with a tab, a trailing space and a decomposed accent: the site's sign-in form receives it
    // cleaned (trimmed, NFC, tabs as spaces), so the CLI must hash it cleaned too.
    const typed = ' caf\u0065\u0301\tau lait, s\u0131l vous pla\u00eet '
    const b = await cli(where, ['organiser', 'create', '--email', 'b@example.org', '--name', 'B'], `${typed}\n`)
    t.equal(b.code, 0, `organiser create succeeds${b.code === 0 ? '' : `: ${b.stderr}`}`)
    await inspect(where, async (db) => {
      const session = await createOrganisersService(db, { sessionTtlHours: 1, passwordHashCost: 10 }).signIn('b@example.org', normaliseText(typed, false))
      t.ok(session.token, 'the password as the sign-in form sends it signs in')
    })

    const again = await cli(where, ['organiser', 'create', '--email', 'a@example.org', '--name', 'A again'], `${password}\n`)
    t.not(again.code, 0, 'the same email cannot be used twice')
    t.match(again.stderr, /already exists/)

    const token = await cli(where, ['token', 'create', '--email', 'a@example.org', '--name', 'ci'])
    t.equal(token.code, 0, `token create succeeds${token.code === 0 ? '' : `: ${token.stderr}`}`)
    const printed = token.stdout.trim()
    t.match(printed, /^sol_[A-Za-z0-9_-]{32,}$/, 'prints the token, and only the token')
    await inspect(where, async (db) => {
      const rows = await db.select().from(apiTokens)
      t.equal(rows.length, 1)
      t.equal(rows[0]?.name, 'ci')
      t.not(rows[0]?.tokenHash, printed, 'the token is stored hashed')
      const who = await createOrganisersService(db, { sessionTtlHours: 1, passwordHashCost: 10 }).fromApiToken(printed)
      t.match(who, { email: 'a@example.org', role: 'admin', via: 'token' }, 'the printed token authenticates')
    })

    const nobody = await cli(where, ['token', 'create', '--email', 'nobody@example.org', '--name', 'ci'])
    t.not(nobody.code, 0, 'a token for an unknown organiser fails')
    t.match(nobody.stderr, /There is no organiser with that email address/)
    t.equal(await inspect(where, (db) => count(db, apiTokens)), 1)
  })

  t.test(`demo loads the demo campaign, once [${database.name}]`, async (t) => {
    const where = await target(t, database)
    const first = await cli(where, ['demo'])
    t.equal(first.code, 0, `demo succeeds${first.code === 0 ? '' : `: ${first.stderr}`}`)
    t.match(first.stdout, /hands-off-venezuela: loaded/)

    const snapshot = async (db: Database) => ({
      appeals: await count(db, appeals), texts: await count(db, appealTexts), signatures: await count(db, signatures), events: await count(db, events)
    })

    const before = await inspect(where, async (db) => {
      const [hov] = await db.select().from(appeals).where(eq(appeals.slug, 'hands-off-venezuela'))
      t.ok(hov, 'hands-off-venezuela exists')
      if (hov === undefined) return snapshot(db)
      t.equal(hov.status, 'open')

      const byKind = await db.select({ kind: signatures.kind, n: sql<number>`count(*)::int` }).from(signatures)
        .where(eq(signatures.appealId, hov.id)).groupBy(signatures.kind)
      const kinds = Object.fromEntries(byKind.map((r) => [r.kind, r.n]))
      t.same(kinds, { individual: 1480, organisation: 12 }, '1,480 individuals and 12 organisations')
      const [countries] = await db.select({ n: sql<number>`count(distinct ${signatures.country})::int` }).from(signatures).where(eq(signatures.appealId, hov.id))
      t.equal(countries?.n, 65, 'from 65 countries')
      const [members] = await db.select({ n: sql<number>`coalesce(sum(${signatures.members}), 0)::bigint` }).from(signatures)
        .where(and(eq(signatures.appealId, hov.id), eq(signatures.kind, 'organisation')))
      t.ok(Number(members?.n) > 5_000_000, `the organisations represent more than 5,000,000 members (${String(members?.n)})`)
      const [counted] = await db.select({ n: sql<number>`count(*)::int` }).from(signatures)
        .where(and(eq(signatures.appealId, hov.id), eq(signatures.status, 'confirmed')))
      t.equal(counted?.n, 1492, 'all of them confirmed, so they count')

      const [ev] = await db.select({ n: sql<number>`count(*)::int`, countries: sql<number>`count(distinct ${events.country})::int` })
        .from(events).where(eq(events.appealId, hov.id))
      t.same(ev, { n: 30, countries: 20 }, '30 events in 20 countries')

      const others = await db.select().from(appeals).where(sql`${appeals.slug} <> 'hands-off-venezuela'`)
      t.equal(others.length, 3, 'three more appeals (the last with a fund)')
      t.ok([hov, ...others].every((a) => a.requireConfirmation), 'every demo appeal asks its signers to confirm by email, as new appeals do')
      const texts = await db.select().from(appealTexts)
      const languagesOf = (id: string) => texts.filter((x) => x.appealId === id).map((x) => x.language).sort()
      const spanishOnly = others.filter((a) => languagesOf(a.id).join() === 'es')
      t.equal(spanishOnly.length, 1, 'one of them has only a Spanish text')
      t.equal(spanishOnly[0]?.originalLanguage, 'es')
      const withDemands = others.filter((a) => texts.some((x) => x.appealId === a.id && Array.isArray(x.demands) && x.demands.length >= 2))
      t.ok(withDemands.length >= 1, 'one of them has numbered demands')
      for (const a of others) {
        const [n] = await db.select({ n: sql<number>`count(*)::int` }).from(signatures).where(eq(signatures.appealId, a.id))
        t.ok((n?.n ?? 0) > 0, `${a.slug} has signatures`)
      }
      const sealer = createSealer(parseDataKey(TEST_DATA_KEY, 'DATA_KEY'))
      const emails = (await db.select().from(signatures)).map((row) => openPersonal(sealer, row).email)
      t.ok(emails.length > 1500 && emails.every((email) => email?.endsWith('@example.org')), 'every generated address is at example.org')
      return snapshot(db)
    })

    const second = await cli(where, ['demo'])
    t.equal(second.code, 0, `a second demo succeeds${second.code === 0 ? '' : `: ${second.stderr}`}`)
    t.match(second.stdout, /already there/)
    const after = await inspect(where, snapshot)
    t.same(after, before, 'running demo twice duplicates nothing')
  })
}

for (const database of databases) {
  t.test(`retention and key re-encryption commands [${database.name}]`, async (t) => {
    const where = await target(t, database)
    const oldSealer = createSealer(parseDataKey(TEST_DATA_KEY, 'DATA_KEY'))
    const closedLongAgo = await inspect(where, async (db) => {
      const appealsService = createAppealsService(db)
      const signing = createSignaturesService(db, { keys: deriveKeys('cli-test-secret'), sealer: oldSealer, consentVersion: '2026-11' })
      const made = []
      for (const slug of ['closed-long-ago', 'still-open']) {
        const appeal = await appealsService.setStatus(await appealsService.create(null, { slug, originalLanguage: 'en', text: { title: slug, summary: '', body: '', demands: [] }, requireConfirmation: false }), 'open')
        for (let i = 0; i < 3; i++) await signing.sign(appeal, { kind: 'individual', name: `Signer ${i}`, email: `${slug}-${i}@example.org`, country: 'VE' }, { ip: '192.0.2.1', source: 'import' })
        made.push(appeal)
      }
      await db.update(appeals).set({ status: 'closed', closedAt: sql`now() - interval '13 months'` }).where(eq(appeals.slug, 'closed-long-ago'))
      return made[0]!
    })

    const newKey = randomBytes(32).toString('base64')
    const rotated = await cli({ ...where, env: { ...where.env, DATA_KEY: newKey, DATA_KEY_PREVIOUS: TEST_DATA_KEY } }, ['keys', 'reencrypt'])
    t.equal(rotated.code, 0, `keys reencrypt succeeds${rotated.code === 0 ? '' : `: ${rotated.stderr}`}`)
    t.match(rotated.stdout, /Sealed again under the current DATA_KEY: 6 signatures, 0 queued mails, 0 contributions and 0 receipts\./)
    await inspect(where, async (db) => {
      const newSealer = createSealer(parseDataKey(newKey, 'DATA_KEY'))
      const emails = (await db.select().from(signatures)).map((row) => openPersonal(newSealer, row).email).sort()
      t.equal(emails.length, 6, 'the new key alone opens every signature')
      t.ok(emails.every((e) => e?.endsWith('@example.org')))
    })

    const retention = await cli({ ...where, env: { ...where.env, DATA_KEY: newKey } }, ['retention', 'run'])
    t.equal(retention.code, 0, `retention run succeeds${retention.code === 0 ? '' : `: ${retention.stderr}`}`)
    t.match(retention.stdout, /Appeals past their retention period: 1; signatures emptied of personal data: 3; never-confirmed signatures deleted: 0; contributions emptied of personal data \(amounts kept\): 0\./)
    await inspect(where, async (db) => {
      const rows = await db.select().from(signatures)
      t.equal(rows.filter((r) => r.appealId === closedLongAgo.id && r.sealed === null && r.anonymisedAt !== null && r.status === 'confirmed').length, 3,
        'the closed appeal\'s signatures keep counting, emptied')
      t.equal(rows.filter((r) => r.appealId !== closedLongAgo.id && r.sealed !== null).length, 3, 'the open appeal\'s are untouched')
    })
  })
}

t.test('the tool runs as a process of its own on the embedded database in DATA_DIR', async (t) => {
  const env = { DATA_DIR: t.testdir(), DATA_KEY: TEST_DATA_KEY, PASSWORD_HASH_COST: '10' }
  const help = await cliProcess(env, ['--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /Usage: npm run cli -- <command>/)
  const none = await cliProcess(env, [])
  t.equal(none.code, 1, 'no command is a failure')
  t.match(none.stdout, /organiser create --email EMAIL/, 'that prints the usage')
  const created = await cliProcess(env, ['organiser', 'create', '--email', 'a@example.org', '--name', 'A'], 'correct horse battery staple\n')
  t.equal(created.code, 0, `organiser create succeeds${created.code === 0 ? '' : `: ${created.stderr}`}`)
  t.match(created.stdout, /Created organiser a@example\.org/)
  const badConfig = await cliProcess({ ...env, PORT: 'eighty' }, ['demo'])
  t.equal(badConfig.code, 1, 'a bad setting fails')
  t.match(badConfig.stderr, /PORT/, 'naming the setting')
  const handle = await openDatabase({ dataDir: env.DATA_DIR })
  t.teardown(() => handle.close())
  t.equal(await count(handle.db, organisers), 1, 'the account is in the data folder, for the server to find')
})
