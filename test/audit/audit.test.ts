import { sql } from 'drizzle-orm'
import t from 'tap'
import { auditLog } from '../../src/db/schema.js'
import { build, json } from '../helpers/app.js'
import { signedInBrowser } from '../helpers/dashboard.js'
import { appeal, idOf, organiser, person, sign } from '../helpers/fixtures.js'

const app = await build(t, { RATE_LIMIT_SIGNIN_MAX: '1000' })

const entries = async () => (await app.db.select().from(auditLog).orderBy(auditLog.id))
const latest = async (action: string) => (await entries()).filter((e) => e.action === action).at(-1)

t.test('each listed action leaves an entry: who, when, the address\'s keyed hash, and no signer\'s data', async (t) => {
  const admin = await organiser(app, 'admin')
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const signerEmail = 'maria.private@example.org'
  await sign(app, slug, person({ name: 'María Privada', email: signerEmail, public: false, country: 'PE' }))
  await sign(app, slug, person({ email: 'second@spam.example', country: 'PE' }))
  const id = await idOf(app, signerEmail)
  const headers = { ...owner.auth }

  await app.inject({ url: `/api/admin/appeals/${slug}/export.csv?country=PE`, headers })
  const exported = await latest('signatures.export')
  t.same(exported?.details, { format: 'csv', rows: 2, complete: true, filters: { country: 'PE' }, tokenId: exported?.details.tokenId }, 'an export, with its filters and row count')
  t.equal(exported?.actorId, owner.id)
  t.equal(exported?.via, 'token')
  t.match(exported?.ipHash, /^[A-Za-z0-9_-]{43}$/, 'the address as a keyed hash')
  t.ok(exported?.at instanceof Date)

  await app.inject({ url: `/api/admin/appeals/${slug}/signatures?q=${encodeURIComponent(signerEmail)}`, headers })
  t.same((await latest('signatures.view'))?.details.filters, { search: 'email' }, 'a view of sealed fields, the email searched for left out')
  await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/signatures/bulk-hide`, headers, payload: { emailDomain: 'spam.example' } })
  t.match((await latest('signatures.bulkHide'))?.details, { count: 1, byEmailDomain: true }, 'a bulk hide, without the domain')
  await app.inject({ method: 'DELETE', url: `/api/admin/appeals/${slug}/signatures/${id}`, headers })
  t.match((await latest('signatures.erase'))?.details, { signatureId: id }, 'an erasure')
  await sign(app, slug, person({ email: 'third@example.org' }))
  await app.inject({ method: 'POST', url: '/api/admin/erasures', headers, payload: { email: 'third@example.org' } })
  t.match((await latest('signatures.eraseByEmail'))?.details, { erased: 1 }, 'an erasure by email')

  const moderator = await organiser(app)
  await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/members`, headers, payload: { email: moderator.email, role: 'moderator' } })
  t.match((await latest('member.role'))?.details, { organiserId: moderator.id, from: null, to: 'moderator' }, 'a role change')
  await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/invitations`, headers, payload: { email: 'volunteer@example.org', role: 'viewer' } })
  t.match((await latest('invitation.create'))?.details, { role: 'viewer', status: 'invited' }, 'an invitation')
  await app.inject({ method: 'POST', url: '/api/admin/tokens', headers, payload: { name: 'sheet', role: 'viewer' } })
  t.match((await latest('token.create'))?.details, { role: 'viewer' }, 'a token')

  await app.inject({ method: 'POST', url: '/api/admin/session', payload: { email: owner.email, password: 'wrong password here' } })
  const failed = await latest('signin.failure')
  t.equal(failed?.actorId, owner.id, 'a failed sign-in, against the account it named')
  await app.inject({ method: 'POST', url: '/api/admin/session', payload: { email: 'nobody@example.org', password: 'wrong password here' } })
  t.equal((await latest('signin.failure'))?.actorId, null, 'an unknown address is recorded without it')
  t.equal((await latest('signin.failure'))?.actorEmail, null)
  await signedInBrowser(app, owner)
  t.equal((await latest('signin.success'))?.actorId, owner.id, 'a sign-in')

  const dump = JSON.stringify(await entries())
  for (const secret of [signerEmail, 'María Privada', 'third@example.org', 'spam.example', '127.0.0.1']) t.notOk(dump.includes(secret), `no "${secret}" in the trail`)

  const ownTrail = json(await app.inject({ url: `/api/admin/appeals/${slug}/audit`, headers: owner.auth }))
  t.ok(ownTrail.items.length >= 7 && ownTrail.items.every((e: { appeal: string }) => e.appeal === slug), 'the owner reads the appeal\'s trail')
  t.equal((await app.inject({ url: `/api/admin/appeals/${slug}/audit`, headers: moderator.auth })).statusCode, 403, 'a moderator does not')
  t.equal((await app.inject({ url: '/api/admin/audit', headers: owner.auth })).statusCode, 403, 'nor the whole trail, which is the admins\'')
  const all = json(await app.inject({ url: '/api/admin/audit?limit=500', headers: admin.auth }))
  t.ok(all.items.some((e: { action: string }) => e.action === 'signin.failure'), 'admins read all of it')
  const page = await (await signedInBrowser(app, admin)).get('/admin/audit')
  t.match(page.body, /Exported signatures/, 'in the dashboard too')
})

t.test('entries past AUDIT_RETENTION_DAYS are deleted by the daily job', async (t) => {
  const short = await build(t, { AUDIT_RETENTION_DAYS: '30' })
  await short.services.audit.record({ id: null, email: null, via: null, ipHash: null }, 'signin.failure')
  await short.services.audit.record({ id: null, email: null, via: null, ipHash: null }, 'signin.failure')
  await short.db.execute(sql`update audit_log set at = now() - interval '31 days' where id = (select min(id) from audit_log)`)
  t.equal(await short.services.audit.deleteExpired(), 1)
  t.equal((await short.db.select().from(auditLog)).length, 1)
})
