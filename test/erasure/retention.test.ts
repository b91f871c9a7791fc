import { eq, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { appeals, scheduledJobs } from '../../src/db/schema.js'
import { applyRetention } from '../../src/erasure/retention.js'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, organisation, organiser, person, sign, signatureRows, type Organiser } from '../helpers/fixtures.js'

const stats = async (app: FastifyInstance, slug: string) => {
  const { updatedAt: _at, ...counts } = json(await app.inject({ url: `/api/appeals/${slug}/stats` }))
  return counts
}

async function signedAppeal (app: FastifyInstance, owner: Organiser, settings: Record<string, unknown> = {}): Promise<string> {
  const slug = await appeal(app, owner, settings)
  await sign(app, slug, person({ email: `a-${slug}@example.org`, name: 'Shown Signer', city: 'Quito', country: 'EC', public: true, contact: true }))
  await sign(app, slug, person({ email: `b-${slug}@example.org`, name: 'Private Signer', city: 'Lima', country: 'PE', public: false }))
  await sign(app, slug, organisation({ email: `c-${slug}@example.org`, country: 'GB', members: 5000 }))
  return slug
}

// A second more than the months: closedAt comes from the database's clock in microseconds and
// applyRetention's `now` from a JavaScript Date in milliseconds, so "exactly 12 months ago" could
// still lie a few microseconds in the future when the two are read within the same millisecond.
const closedMonthsAgo = async (app: FastifyInstance, slug: string, months: number): Promise<void> => {
  await app.db.update(appeals).set({ status: 'closed', closedAt: sql`now() - make_interval(months => ${months}) - interval '1 second'` }).where(eq(appeals.slug, slug))
}

eachDatabase(t, 'after the retention period, personal data goes and the counts and the map stay', async (t, { app }) => {
  const owner = await organiser(app)
  const expired = await signedAppeal(app, owner)
  const recent = await signedAppeal(app, owner)
  const open = await signedAppeal(app, owner)
  const pastClosingDate = await signedAppeal(app, owner, { retentionMonths: 3 })
  await closedMonthsAgo(app, expired, 13)
  await closedMonthsAgo(app, recent, 11)
  await app.db.update(appeals).set({ closesAt: sql`now() - interval '4 months'` }).where(eq(appeals.slug, pastClosingDate))
  const before = await stats(app, expired)

  const run = await applyRetention(app.db)
  t.same(run, { appeals: 2, anonymised: 6, deletedPending: 0 }, 'the appeal closed 13 months ago, and the one past its closing date and its 3 months')
  const bySlug = new Map((await app.db.select({ id: appeals.id, slug: appeals.slug }).from(appeals)).map((a) => [a.id, a.slug]))
  const rows = await signatureRows(app)
  for (const row of rows.filter((r) => [expired, pastClosingDate].includes(bySlug.get(r.appealId)!))) {
    t.match(row, {
      status: 'confirmed', name: null, email: null, emailHash: null, emailDomainHash: null, city: null, organisation: null, role: null,
      ipHash: null, locale: null, embedOrigin: null, eventId: null, notable: false, public: false, contact: false
    }, `${row.kind} ${row.id}: personal fields gone`)
    t.ok(row.anonymisedAt instanceof Date && row.createdAt instanceof Date && row.confirmedAt instanceof Date, 'the times remain')
    t.ok(row.country !== '' && row.kind !== undefined, 'country and kind remain')
  }
  t.ok(rows.some((r) => bySlug.get(r.appealId) === expired && r.kind === 'organisation' && r.members === 5000), 'members remain')
  for (const slug of [recent, open]) {
    t.equal(rows.filter((r) => bySlug.get(r.appealId) === slug && r.email !== null).length, 3, `${slug === open ? 'an open appeal' : 'an appeal closed 11 months ago'} keeps its data`)
  }
  t.same(await stats(app, expired), before, 'the counts, members and map are exactly as before')
  t.same(json(await app.inject({ url: `/api/appeals/${expired}/signatures` })).items, [], 'no name is shown any more')

  t.same(await applyRetention(app.db), { appeals: 2, anonymised: 0, deletedPending: 0 }, 'a second run has nothing left to do')
})

eachDatabase(t, 'signatures never confirmed on an appeal past retention are deleted', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  await sign(app, slug, person({ email: 'pending@example.org' }))
  await closedMonthsAgo(app, slug, 12)
  t.match(await applyRetention(app.db), { appeals: 1, deletedPending: 1 })
  t.same(await signatureRows(app), [])
})

eachDatabase(t, 'closing records when, reopening stops the clock, and organisers set the period', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const closed = json(await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/close`, headers: owner.auth }))
  t.ok(Date.parse(closed.closedAt) > Date.now() - 60_000, 'closing records the time')
  t.equal(closed.retentionMonths, 12, 'twelve months by default')
  const reopened = json(await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/open`, headers: owner.auth }))
  t.equal(reopened.closedAt, null, 'reopening clears it')
  const changed = await app.inject({ method: 'PATCH', url: `/api/admin/appeals/${slug}`, headers: owner.auth, payload: { retentionMonths: 6 } })
  t.equal(json(changed).retentionMonths, 6)
  const refused = await app.inject({ method: 'PATCH', url: `/api/admin/appeals/${slug}`, headers: owner.auth, payload: { retentionMonths: 0 } })
  t.equal(refused.statusCode, 400)
  t.ok(json(refused).error.fields.retentionMonths)
})

eachDatabase(t, 'the daily job runs once a day, whichever instance asks', async (t, { app }) => {
  let runs = 0
  const job = { name: 'test-job', everyMs: 86_400_000, run: async () => { runs++; return { ok: true } } }
  t.equal(await app.scheduler.runIfDue(job), true, 'the first asker runs it')
  t.equal(await app.scheduler.runIfDue(job), false, 'the next finds it done for the day')
  t.equal(runs, 1)
  const [row] = await app.db.select().from(scheduledJobs).where(eq(scheduledJobs.name, 'test-job'))
  t.equal(row?.lastResult, '{"ok":true}')
  t.ok(row!.nextRunAt.getTime() > Date.now() + 86_000_000)
  t.equal(await app.scheduler.runIfDue(job, new Date(Date.now() + 86_400_001)), true, 'a day later it runs again')
})
