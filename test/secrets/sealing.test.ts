import { randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { reencrypt } from '../../src/cli/keys.js'
import { loadConfig } from '../../src/config.js'
import { mailOutbox, signatures } from '../../src/db/schema.js'
import { sealLegacySignatures } from '../../src/signatures/backfill.js'
import { createSealer, parseDataKey, resolveDataKeys } from '../../src/secrets/sealing.js'
import { build, eachDatabase, TEST_DATA_KEY } from '../helpers/app.js'
import { appeal, organiser, person, sign, signatureRows } from '../helpers/fixtures.js'

const key = () => randomBytes(32)

t.test('a sealed value opens only with its key, and not at all once altered', async (t) => {
  const sealer = createSealer(key())
  const sealed = sealer.seal('ana@example.org')
  t.not(sealed, sealer.seal('ana@example.org'), 'the same text seals differently each time (random IV)')
  t.notMatch(sealed, /ana|example/)
  t.match(sealed, new RegExp(`^${sealer.keyId}\\.[A-Za-z0-9_-]+$`), 'names its key by id, never the key')
  t.equal(sealer.open(sealed), 'ana@example.org')
  t.ok(sealer.isCurrent(sealed))

  const body = Buffer.from(sealed.split('.')[1]!, 'base64url')
  body[14] = body[14]! ^ 1
  t.throws(() => sealer.open(`${sealer.keyId}.${body.toString('base64url')}`), 'a changed byte fails authentication')
  t.throws(() => createSealer(key()).open(sealed), /neither DATA_KEY nor in DATA_KEY_PREVIOUS/, 'another key cannot open it, and says why')
})

t.test('every sealed value has an IV of its own, across refills of the block IVs are taken from', async (t) => {
  const sealer = createSealer(key())
  const ivs = new Set<string>()
  const count = 256 * 3 + 7
  let opened = 0
  for (let i = 0; i < count; i++) {
    const sealed = sealer.seal(`signer${i}@example.org`)
    ivs.add(Buffer.from(sealed.slice(sealed.indexOf('.') + 1), 'base64url').subarray(0, 12).toString('hex'))
    if (sealer.open(sealed) === `signer${i}@example.org`) opened++
  }
  t.equal(opened, count, 'each opens to its own value')
  t.equal(ivs.size, count, 'no IV used twice')
})

t.test('a previous key opens what it sealed, while new values use the current one', async (t) => {
  const oldKey = key()
  const before = createSealer(oldKey).seal('kept@example.org')
  const rotated = createSealer(key(), [oldKey])
  t.equal(rotated.open(before), 'kept@example.org')
  t.notOk(rotated.isCurrent(before))
  t.ok(rotated.isCurrent(rotated.seal('x')))
})

t.test('DATA_KEY is 32 bytes in base64 or hex, and a bad one is named', async (t) => {
  const raw = key()
  t.same(parseDataKey(raw.toString('base64'), 'DATA_KEY'), raw)
  t.same(parseDataKey(raw.toString('hex'), 'DATA_KEY'), raw)
  for (const bad of ['too-short', 'x'.repeat(44), randomBytes(16).toString('base64'), randomBytes(33).toString('hex')]) {
    t.throws(() => parseDataKey(bad, 'DATA_KEY'), /DATA_KEY must be 32 random bytes in base64 or hex/)
  }
  t.throws(() => loadConfig({ DATA_KEY: 'short' }), /DATA_KEY/)
  t.throws(() => resolveDataKeys(loadConfig({ DATA_DIR: 'memory://', DATA_KEY: 'x'.repeat(44) })), /DATA_KEY must be/)
  t.throws(() => resolveDataKeys(loadConfig({ DATA_DIR: 'memory://', DATA_KEY: TEST_DATA_KEY, DATA_KEY_PREVIOUS: `${key().toString('base64')},nonsense` })), /DATA_KEY_PREVIOUS/)
})

t.test('the embedded default makes its key once, readable only by its owner; a server database needs DATA_KEY', async (t) => {
  const dataDir = t.testdir()
  const first = resolveDataKeys(loadConfig({ DATA_DIR: dataDir }))
  t.equal(first.origin, 'generated')
  const file = join(dataDir, 'data.key')
  t.equal(statSync(file).mode & 0o777, 0o600)
  t.same(parseDataKey(readFileSync(file, 'utf8'), 'data.key'), first.current)
  const again = resolveDataKeys(loadConfig({ DATA_DIR: dataDir }))
  t.same([again.origin, again.current], ['data-dir', first.current], 'the next start reads the same key')
  t.throws(() => resolveDataKeys(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://db.example.org/solidaria', SECRET_KEY: 'x'.repeat(40) })),
    /DATA_KEY must be set when DATABASE_URL is/)
  t.equal(resolveDataKeys(loadConfig({ DATA_DIR: 'memory://' })).origin, 'memory')
})

eachDatabase(t, 'rotating the key: re-encryption moves every sealed value under the new key', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  for (let i = 0; i < 5; i++) await sign(app, slug, person({ email: `rotate-${i}@example.org`, name: `Private ${i}`, public: false }))
  const oldSealer = app.sealer
  const before = await signatureRows(app)

  const newKey = key()
  const rotated = createSealer(newKey, [parseDataKey(TEST_DATA_KEY, 'DATA_KEY')])
  t.same(await reencrypt(app.db, rotated), { signatures: 5, mails: 5, legacy: 0, contributions: 0, receipts: 0 })
  const rows = await app.db.select().from(signatures)
  t.ok(rows.every((r) => r.sealed !== null && rotated.isCurrent(r.sealed)), 'every signature is under the new key')
  const mails = await app.db.select().from(mailOutbox)
  t.ok(mails.every((m) => m.sealed !== null && rotated.isCurrent(m.sealed)), 'and every queued mail\'s secret')
  const withNewKeyOnly = createSealer(newKey)
  t.same(rows.map((r) => JSON.parse(withNewKeyOnly.open(r.sealed!)).e).sort(), before.map((r) => r.email).sort(), 'the new key alone opens them all')
  t.throws(() => oldSealer.open(rows[0]!.sealed!), 'the old key opens nothing any more')
  t.same(await reencrypt(app.db, rotated), { signatures: 0, mails: 0, legacy: 0, contributions: 0, receipts: 0 }, 'a second run has nothing to do')
})

eachDatabase(t, 'addresses stored in clear before sealing existed are sealed when the server starts', async (t, { app, databaseUrl }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  await sign(app, slug, person({ email: 'modern@example.org' }))
  const [row] = await app.db.select().from(signatures)
  await app.db.execute(sql`insert into signatures (appeal_id, kind, status, name, email, email_hash, country, city, public, contact, consent_version, source)
    values (${row!.appealId}, 'individual', 'confirmed', 'Old Private', 'old@example.org', 'old-hash', 'VE', 'Maracay', false, true, '2026-01', 'web'),
           (${row!.appealId}, 'individual', 'confirmed', 'Old Public', 'shown@example.org', 'shown-hash', 'VE', 'Valencia', true, false, '2026-01', 'web')`)
  if (databaseUrl !== undefined) {
    await (await build(t, { DATABASE_URL: databaseUrl })).upkeep
  } else {
    // One embedded database belongs to one app: here the step a start runs is run by hand.
    t.equal(await sealLegacySignatures(app.db, app.sealer), 2)
  }
  t.same(await reencrypt(app.db, app.sealer), { signatures: 0, mails: 0, legacy: 0, contributions: 0, receipts: 0 }, 'nothing is left for re-encryption')
  const raw = await app.db.select().from(signatures).orderBy(signatures.id)
  t.ok(raw.every((r) => r.legacyEmail === null && r.sealed !== null), 'no address is left in clear')
  t.match(raw[1], { name: null, city: null }, 'a private signer\'s name and city are sealed too')
  t.match(raw[2], { name: 'Old Public', city: 'Valencia' }, 'a public signer\'s stay shown')
  t.match((await signatureRows(app)).map((r) => [r.email, r.name, r.city]), [
    ['modern@example.org', 'Ana Pérez', null], ['old@example.org', 'Old Private', 'Maracay'], ['shown@example.org', 'Old Public', 'Valencia']
  ], 'and organisers see them as before')
})
