import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import t from 'tap'
import { confirmationTokens, mailOutbox, mailQuota, signatures } from '../../src/db/schema.js'
import { keyedHash } from '../../src/secrets/keys.js'
import { eachDatabase } from '../helpers/app.js'
import { appeal, organiser, person } from '../helpers/fixtures.js'

// Group commit (db/group-commit.ts, signatures/signing.ts): signers who arrive together are written by one
// statement in one transaction, and each is answered as if they had signed alone. Rows written by one
// transaction share its id (xmin), which is how these tests see the groups.

const context = { source: 'api', ip: '192.0.2.9', language: 'es' } as const
const transactionsOf = async (app: Parameters<Parameters<typeof eachDatabase>[2]>[1]['app'], appealId: string): Promise<number> => {
  const [row] = await app.db.select({ n: sql<number>`count(distinct xmin::text)::int` }).from(signatures).where(eq(signatures.appealId, appealId))
  return row!.n
}

eachDatabase(t, 'signers who arrive together share one statement, and each is answered as alone', async (t, { app }) => {
  const owner = await organiser(app)
  const target = await app.services.appeals.getPublic(await appeal(app, owner))
  const burst = Array.from({ length: 25 }, (_, i) => person({ email: `burst-${i}@example.org`, country: i % 2 === 0 ? 'VE' : 'AR' }))
  // The same address twice in one burst: the second changes nothing and is answered the same.
  const results = await Promise.all([...burst, burst[0]!].map((input) => app.services.signatures.sign(target, input as never, context)))
  t.same(new Set(results.map((r) => r.status)), new Set(['confirmed']))
  t.equal(results.filter((r) => r.confirmedId !== undefined).length, 25, 'one new signature per address: the duplicate has no id')
  t.equal(new Set(results.map((r) => r.confirmedId).filter((id) => id !== undefined)).size, 25, 'and each id is its own')
  const rows = await app.db.select({ id: signatures.id, country: signatures.country }).from(signatures).where(eq(signatures.appealId, target.id))
  t.equal(rows.length, 25)
  t.same(rows.filter((r) => r.country === 'AR').length, 12, 'each row as its signer gave it')
  t.ok(await transactionsOf(app, target.id) <= 2, `25 signers in at most two transactions (${await transactionsOf(app, target.id)})`)
}, { SIGNING_GROUP_WINDOW_MS: '20' })

eachDatabase(t, 'with confirmation, one statement writes a group\'s signatures, links, mails and daily counts', async (t, { app }) => {
  const owner = await organiser(app)
  const target = await app.services.appeals.getPublic(await appeal(app, owner, { requireConfirmation: true }))
  const hash = (email: string): string => keyedHash(app.keys.emailHash, email)
  // Before the burst: one signer still unconfirmed, one confirmed, one at the day's cap of mails.
  for (const email of ['waiting@example.org', 'confirmed@example.org', 'capped@example.org']) {
    await app.services.signatures.sign(target, person({ email }) as never, context)
  }
  await app.db.update(signatures).set({ status: 'confirmed', confirmedAt: new Date() }).where(eq(signatures.emailHash, hash('confirmed@example.org')))
  await app.db.update(mailQuota).set({ mails: app.config.MAIL_MAX_PER_DAY }).where(eq(mailQuota.emailHash, hash('capped@example.org')))
  const before = { mails: (await app.db.select().from(mailOutbox)).length, tokens: (await app.db.select().from(confirmationTokens)).length }
  t.same(before, { mails: 3, tokens: 3 })

  const fresh = Array.from({ length: 20 }, (_, i) => `new-${i}@example.org`)
  const results = await Promise.all([...fresh, 'waiting@example.org', 'confirmed@example.org', 'capped@example.org']
    .map((email) => app.services.signatures.sign(target, person({ email }) as never, context)))
  t.same(results, results.map(() => ({ status: 'pending' })), 'every signer gets the same answer, whatever the address did before')

  const mails = await app.db.select({ kind: mailOutbox.kind, signatureId: mailOutbox.signatureId, language: mailOutbox.language }).from(mailOutbox)
  t.equal(mails.length - before.mails, 22, 'a mail for each but the capped address')
  t.same(mails.filter((m) => m.kind === 'already_signed').length, 1, 'the confirmed signer is told they signed already')
  t.ok(mails.every((m) => m.language === 'es'), 'each in the signer\'s language')
  const tokens = await app.db.select({ signatureId: confirmationTokens.signatureId }).from(confirmationTokens)
  t.equal(tokens.length - before.tokens, 21, 'a new link for the 20 new signers and the one still waiting')
  const quota = await app.db.select({ mails: mailQuota.mails }).from(mailQuota).where(and(eq(mailQuota.appealId, target.id), eq(mailQuota.emailHash, hash('waiting@example.org'))))
  t.same(quota, [{ mails: 2 }], 'the daily count of each address went up by its one mail')
  const newRows = await app.db.select({ xmin: sql<string>`xmin::text` }).from(signatures)
    .where(and(eq(signatures.appealId, target.id), sql`${signatures.emailHash} in (${sql.join(fresh.map((e) => sql`${hash(e)}`), sql`, `)})`))
  t.equal(newRows.length, 20)
  t.ok(new Set(newRows.map((r) => r.xmin)).size <= 2, `the 20 new signatures in at most two transactions (${new Set(newRows.map((r) => r.xmin)).size})`)
  const linked = new Set(tokens.map((tk) => tk.signatureId))
  const ids = await app.db.select({ id: signatures.id }).from(signatures).where(eq(signatures.appealId, target.id))
  t.ok(ids.length === 23 && ids.every((r) => linked.has(r.id)), 'every signature of the appeal has a link')
}, { SIGNING_GROUP_WINDOW_MS: '20' })

eachDatabase(t, 'a signature PostgreSQL refuses fails only its own signer, not the group it arrived with', async (t, { app }) => {
  const owner = await organiser(app)
  const target = await app.services.appeals.getPublic(await appeal(app, owner))
  // An appeal deleted while its signer was signing: the insert breaks the foreign key.
  const gone = { ...target, id: randomUUID() }
  const outcomes = await Promise.allSettled([
    ...Array.from({ length: 5 }, (_, i) => app.services.signatures.sign(target, person({ email: `fine-${i}@example.org` }) as never, context)),
    app.services.signatures.sign(gone, person({ email: 'lost@example.org' }) as never, context)
  ])
  t.same(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected'])
  t.equal((await app.db.select().from(signatures).where(eq(signatures.appealId, target.id))).length, 5, 'the others were written')
  t.equal((await app.db.select().from(signatures)).length, 5, 'and nothing of the refused one')
}, { SIGNING_GROUP_WINDOW_MS: '20' })
