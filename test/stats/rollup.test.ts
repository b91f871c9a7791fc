import { randomInt } from 'node:crypto'
import { and, eq, inArray, sql } from 'drizzle-orm'
import fc from 'fast-check'
import t from 'tap'
import type { Appeal } from '../../src/appeals/service.js'
import { selectRows } from '../../src/db/connection.js'
import { appeals, signatureCountChanges, signatureCounts, signatures } from '../../src/db/schema.js'
import type { SignatureInput } from '../../src/signatures/signature.js'
import { recountCounts } from '../../src/stats/recount.js'
import { appealCounts, foldAllCountChanges, foldCountChanges } from '../../src/stats/rollup.js'
import { eachDatabase } from '../helpers/app.js'
import { appeal, organiser } from '../helpers/fixtures.js'

// FUZZ_SEED replays a run. Each run works on two new appeals of its own, in the database the earlier
// runs left behind, so that it starts with counts already folded and changes not yet folded.
const seed = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31))
const RUNS = 15

const COUNTRIES = ['VE', 'AR', 'GB'] as const
const which = fc.nat({ max: 1 })
// Picks one of the appeal's signatures by its place in id order (modulo their number).
const nth = fc.nat({ max: 40 })

const operation = fc.oneof(
  fc.record({ op: fc.constant('sign' as const), appeal: which, email: fc.nat({ max: 7 }), confirmation: fc.boolean(), organisation: fc.boolean(), country: fc.constantFrom(...COUNTRIES), members: fc.integer({ min: 1, max: 5000 }) }),
  fc.record({ op: fc.constant('confirm' as const), appeal: which, nth }),
  fc.record({ op: fc.constant('hide' as const), appeal: which, nth, hidden: fc.boolean() }),
  fc.record({ op: fc.constant('bulkHide' as const), appeal: which }),
  fc.record({ op: fc.constant('undoBulkHide' as const), appeal: which }),
  fc.record({ op: fc.constant('erase' as const), appeal: which, nth }),
  fc.record({ op: fc.constant('delete' as const), appeal: which, nth }),
  fc.record({ op: fc.constant('deleteExpired' as const) }),
  fc.record({ op: fc.constant('move' as const), appeal: which, nth, country: fc.constantFrom(...COUNTRIES), members: fc.integer({ min: 1, max: 5000 }) }),
  fc.record({ op: fc.constant('import' as const), appeal: which, rows: fc.array(fc.record({ email: fc.option(fc.nat({ max: 7 })), country: fc.constantFrom(...COUNTRIES) }), { minLength: 1, maxLength: 6 }) }),
  fc.record({ op: fc.constant('fold' as const), batch: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('deleteAppeal' as const), appeal: which })
)

type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never

eachDatabase(t, 'the counts equal a recount after any mix of signing, confirming, hiding, erasing, deleting, importing and folding', async (t, { app }) => {
  t.comment(`FUZZ_SEED=${seed}`)
  const { db } = app
  const owner = await organiser(app)
  const ip = '203.0.113.9'

  const signatureAt = async (appealId: string, place: number): Promise<number | undefined> => {
    const rows = await db.select({ id: signatures.id }).from(signatures).where(eq(signatures.appealId, appealId)).orderBy(signatures.id)
    return rows.length === 0 ? undefined : rows[place % rows.length]?.id
  }
  const input = (email: number, organisation: boolean, country: string, members: number): SignatureInput => organisation
    ? { kind: 'organisation', name: 'Contact', email: `org-${email}@example.org`, country, organisation: 'Union', organisationType: 'trade_union', members }
    : { kind: 'individual', name: 'Ana Pérez', email: `person-${email}@example.org`, country }

  async function apply (action: Operation, live: Array<Appeal | undefined>, batches: Map<string, string>): Promise<void> {
    const target = 'appeal' in action ? live[action.appeal] : undefined
    if ('appeal' in action && target === undefined) return
    const place = 'nth' in action ? await signatureAt(target!.id, action.nth) : undefined
    if ('nth' in action && place === undefined) return
    switch (action.op) {
      case 'sign':
        await app.services.signatures.sign({ ...target!, requireConfirmation: action.confirmation },
          input(action.email, action.organisation, action.country, action.members), { ip, source: 'api' })
        return
      case 'confirm':
        // The confirmation's own UPDATE (confirmation/service.ts), without the mail its token comes in.
        await db.update(signatures).set({ status: 'confirmed', confirmedAt: new Date() }).where(and(eq(signatures.id, place!), eq(signatures.status, 'pending')))
        return
      case 'hide':
        await app.services.signatures.setHidden(target!, place!, action.hidden)
        return
      case 'bulkHide': {
        const { batch } = await app.services.signatures.bulkHide(target!, { emailDomain: 'example.org' }, false)
        if (batch !== null) batches.set(target!.id, batch)
        return
      }
      case 'undoBulkHide': {
        const batch = batches.get(target!.id)
        if (batch !== undefined) await app.services.signatures.undoBulkHide(target!, batch)
        return
      }
      case 'erase':
        await app.services.erasure.eraseOne(target!, place!)
        return
      case 'delete':
        await db.delete(signatures).where(eq(signatures.id, place!))
        return
      case 'deleteExpired':
        await app.services.confirmation.deleteExpired(new Date(Date.now() + 365 * 86_400_000))
        return
      case 'move':
        // Neither the site nor the API moves a signature to another country or kind; the database allows it.
        await db.update(signatures).set({ country: action.country, kind: 'organisation', members: action.members }).where(eq(signatures.id, place!))
        return
      case 'import':
        await app.services.signatures.insertImported(target!, action.rows.map((row) => ({
          input: { ...input(row.email ?? 0, false, row.country, 0), email: row.email === null ? '' : `person-${row.email}@example.org` }
        })), { eventId: null })
        return
      case 'fold':
        await foldCountChanges(db, action.batch)
        return
      case 'deleteAppeal':
        await db.delete(appeals).where(eq(appeals.id, target!.id))
        live[action.appeal] = undefined
    }
  }

  /** Each appeal's counts as a plain count of its signatures finds them, by country and kind. */
  async function plainCounts (appealId: string) {
    const rows = await db.select({ country: signatures.country, kind: signatures.kind, signatures: sql<number>`count(*)::int`, members: sql<string>`coalesce(sum(${signatures.members}), 0)::text` })
      .from(signatures).where(and(eq(signatures.appealId, appealId), eq(signatures.status, 'confirmed'), sql`${signatures.hiddenAt} is null`))
      .groupBy(signatures.country, signatures.kind)
    return rows.map((row) => ({ ...row, members: Number(row.members) }))
  }
  const sorted = <T extends { country: string, kind: string }>(groups: T[]) => [...groups].sort((a, b) => `${a.country}${a.kind}`.localeCompare(`${b.country}${b.kind}`))

  let operations = 0
  let problem: string | undefined
  await fc.assert(fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 40 }), async (actions) => {
    const slugs = [await appeal(app, owner), await appeal(app, owner)]
    const live: Array<Appeal | undefined> = await Promise.all(slugs.map(async (slug) => app.services.appeals.getPublic(slug)))
    const ids = live.map((a) => a!.id)
    const batches = new Map<string, string>()
    for (const action of actions) {
      await apply(action, live, batches)
      operations++
    }
    for (const [i, id] of ids.entries()) {
      if (live[i] === undefined) {
        const left = await db.select({ n: sql<number>`count(*)::int` }).from(signatureCounts).where(eq(signatureCounts.appealId, id))
        const unfolded = await db.select({ n: sql<number>`count(*)::int` }).from(signatureCountChanges).where(eq(signatureCountChanges.appealId, id))
        if (left[0]?.n !== 0 || unfolded[0]?.n !== 0) problem = `a deleted appeal kept ${left[0]?.n} counts and ${unfolded[0]?.n} changes`
      } else {
        const [kept, counted] = [sorted(await appealCounts(db, id)), sorted(await plainCounts(id))]
        if (JSON.stringify(kept) !== JSON.stringify(counted)) problem = `counts ${JSON.stringify(kept)}, recounted ${JSON.stringify(counted)}`
      }
      if (problem !== undefined) return false
    }
    const differences = await recountCounts(db, { repair: false })
    if (differences.length > 0) problem = `the recount found ${JSON.stringify(differences)}`
    return problem === undefined
  }), { seed, numRuns: RUNS, endOnFailure: true }).catch((err: unknown) => { problem ??= String(err).slice(0, 3000) })
  t.equal(problem, undefined, `the counts of every appeal equal a recount, after each of ${RUNS} runs (FUZZ_SEED=${seed})`)
  t.ok(operations >= RUNS, `${operations} operations applied`)

  // Everything folded, the rollup alone holds the counts.
  await foldAllCountChanges(db)
  t.equal((await db.select({ n: sql<number>`count(*)::int` }).from(signatureCountChanges))[0]?.n, 0, 'a full fold leaves no change behind')
  const rollup = await selectRows<{ appeal_id: string, country: string, kind: string, signatures: string, members: string }>(db, sql`
    select appeal_id, country, kind, signatures::text, members::text from ${signatureCounts} where signatures <> 0 order by 1, 2, 3`)
  const recounted = await selectRows<{ appeal_id: string, country: string, kind: string, signatures: string, members: string }>(db, sql`
    select appeal_id, country, kind, count(*)::text as signatures, coalesce(sum(members), 0)::text as members from ${signatures}
    where status = 'confirmed' and hidden_at is null group by 1, 2, 3 order by 1, 2, 3`)
  t.same(rollup, recounted, 'signature_counts equals a plain count of every appeal')
  t.ok(recounted.length > 0, 'something was counted')
  const appealIds = [...new Set(rollup.map((row) => row.appeal_id))]
  t.equal((await db.select({ id: appeals.id }).from(appeals).where(inArray(appeals.id, appealIds))).length, appealIds.length, 'no counts of a deleted appeal')
})
