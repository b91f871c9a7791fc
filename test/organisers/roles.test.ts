import t from 'tap'
import { appealActions, appealRoles, type AppealRole } from '../../src/organisers/permissions.js'
import { build, json } from '../helpers/app.js'
import { signedInBrowser, type Browser } from '../helpers/dashboard.js'
import { appeal, idOf, organiser, person, sign, type Organiser } from '../helpers/fixtures.js'

// The role table: every admin API route of an appeal and every dashboard form, tried by each role
// (and by someone not on the team). Allowed: a 2xx (API) or any answer but 403/404 (dashboard, whose
// forms may send the reader back with their errors); refused: 403; not on the team: 404, exactly like
// an appeal that does not exist. A route added without a line here fails the first test.
const app = await build(t, { RATE_LIMIT_SIGNIN_MAX: '1000', RATE_LIMIT_GLOBAL_MAX: '100000', RATE_LIMIT_SIGN_MAX: '100000' })

type Who = AppealRole | 'outsider'
const everyone: AppealRole[] = [...appealRoles]
const ownerOnly: AppealRole[] = ['owner']
const editors: AppealRole[] = ['owner', 'organiser']
const moderators: AppealRole[] = ['owner', 'organiser', 'moderator']

const owner = await organiser(app)
const slug = await appeal(app, owner, { requireConfirmation: false })
const people: Record<Who, Organiser> = {
  owner, organiser: await organiser(app), moderator: await organiser(app), viewer: await organiser(app), outsider: await organiser(app)
}
for (const role of ['organiser', 'moderator', 'viewer'] as const) {
  const added = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/members`, headers: owner.auth, payload: { email: people[role].email, role } })
  if (added.statusCode !== 200) throw new Error(added.body)
}
let counter = 0
const reopen = async (): Promise<void> => { await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/open`, headers: owner.auth }) }
// The table closes the appeal (the close route) on its way: signing needs it open again.
const newSignature = async (): Promise<number> => {
  await reopen()
  const email = `signer-${counter++}@example.org`
  await sign(app, slug, person({ email, public: counter % 2 === 0 }))
  return idOf(app, email)
}
const newEvent = async (): Promise<string> => json(await app.inject({
  method: 'POST', url: `/api/admin/appeals/${slug}/events`, headers: owner.auth, payload: { title: 'Picket', startsAt: '2027-01-01T12:00:00Z', country: 'GB' }
})).id
const spare = await organiser(app)

interface ApiCase { method: string, path: string, allowed: AppealRole[], lenient?: boolean, request: () => Promise<{ url: string, payload?: unknown }> }
const base = `/api/admin/appeals/${slug}`
const api: ApiCase[] = [
  { method: 'GET', path: '/api/admin/appeals/{slug}', allowed: everyone, request: async () => ({ url: base }) },
  { method: 'PATCH', path: '/api/admin/appeals/{slug}', allowed: editors, request: async () => ({ url: base, payload: { goal: 1000 } }) },
  { method: 'POST', path: '/api/admin/appeals/{slug}/open', allowed: editors, request: async () => ({ url: `${base}/open` }) },
  { method: 'POST', path: '/api/admin/appeals/{slug}/close', allowed: editors, request: async () => ({ url: `${base}/close` }) },
  { method: 'PUT', path: '/api/admin/appeals/{slug}/texts/{language}', allowed: editors, request: async () => ({ url: `${base}/texts/es`, payload: { title: 'Manos fuera' } }) },
  { method: 'DELETE', path: '/api/admin/appeals/{slug}/texts/{language}', allowed: editors, request: async () => ({ url: `${base}/texts/fr` }) },
  { method: 'GET', path: '/api/admin/appeals/{slug}/members', allowed: editors, request: async () => ({ url: `${base}/members` }) },
  { method: 'POST', path: '/api/admin/appeals/{slug}/members', allowed: ownerOnly, request: async () => ({ url: `${base}/members`, payload: { email: spare.email, role: 'viewer' } }) },
  { method: 'PATCH', path: '/api/admin/appeals/{slug}/members/{organiserId}', allowed: ownerOnly, request: async () => ({ url: `${base}/members/${spare.id}`, payload: { role: 'viewer' } }) },
  { method: 'DELETE', path: '/api/admin/appeals/{slug}/members/{organiserId}', allowed: ownerOnly, request: async () => ({ url: `${base}/members/${spare.id}` }) },
  { method: 'POST', path: '/api/admin/appeals/{slug}/invitations', allowed: ownerOnly, request: async () => ({ url: `${base}/invitations`, payload: { email: `invitee-${counter++}@example.org`, role: 'viewer' } }) },
  { method: 'GET', path: '/api/admin/appeals/{slug}/audit', allowed: ownerOnly, request: async () => ({ url: `${base}/audit` }) },
  { method: 'GET', path: '/api/admin/appeals/{slug}/signatures', allowed: moderators, request: async () => ({ url: `${base}/signatures` }) },
  ...['hide', 'unhide', 'notable', 'not-notable'].map((action) => ({
    method: 'POST', path: `/api/admin/appeals/{slug}/signatures/{id}/${action}`, allowed: moderators, request: async () => ({ url: `${base}/signatures/${await newSignature()}/${action}` })
  })),
  { method: 'DELETE', path: '/api/admin/appeals/{slug}/signatures/{id}', allowed: editors, request: async () => ({ url: `${base}/signatures/${await newSignature()}` }) },
  { method: 'POST', path: '/api/admin/appeals/{slug}/signatures/bulk-hide', allowed: moderators, request: async () => ({ url: `${base}/signatures/bulk-hide`, payload: { emailDomain: 'spam.example', dryRun: true } }) },
  {
    method: 'POST', path: '/api/admin/appeals/{slug}/signatures/bulk-hide/{batch}/undo', allowed: moderators,
    request: async () => ({ url: `${base}/signatures/bulk-hide/00000000-0000-4000-8000-000000000000/undo` })
  },
  { method: 'GET', path: '/api/admin/appeals/{slug}/export.csv', allowed: editors, request: async () => ({ url: `${base}/export.csv` }) },
  { method: 'GET', path: '/api/admin/appeals/{slug}/export.ndjson', allowed: editors, request: async () => ({ url: `${base}/export.ndjson` }) },
  { method: 'POST', path: '/api/admin/appeals/{slug}/events', allowed: editors, request: async () => ({ url: `${base}/events`, payload: { title: 'Rally', startsAt: '2027-02-01T12:00:00Z', country: 'VE' } }) },
  { method: 'PATCH', path: '/api/admin/appeals/{slug}/events/{id}', allowed: editors, request: async () => ({ url: `${base}/events/${await newEvent()}`, payload: { title: 'Rally again' } }) },
  { method: 'DELETE', path: '/api/admin/appeals/{slug}/events/{id}', allowed: editors, request: async () => ({ url: `${base}/events/${await newEvent()}` }) },
  { method: 'GET', path: '/api/admin/appeals/{slug}/embed', allowed: everyone, request: async () => ({ url: `${base}/embed` }) }
]

// The routes of the fund, the updates to signers, the organisers' texts, webhooks and supporters' events
// (merged after this table was written) that take no body are tried generically: each is called on an item
// that does not exist, so that an allowed role passes the permission check and meets the item's own 404
// (or the fund's absence), a refused one gets 403 and an outsider the appeal's 404. Those that take a body
// get a valid one (the body is validated before the check); one without a body here fails the first test.
const MISSING_ID = '00000000-0000-4000-8000-000000000000'
const { paths: documentedPaths } = json(await app.inject('/docs/json')) as { paths: Record<string, Record<string, { requestBody?: unknown }>> }
const tabled = new Set(api.map((c) => `${c.method} ${c.path}`))
const untabled = Object.entries(documentedPaths).filter(([path]) => path.startsWith('/api/admin/appeals/{slug}'))
  .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, body: op.requestBody !== undefined })))
  .filter((c) => !tabled.has(`${c.method} ${c.path}`))
const generic: ApiCase[] = untabled.filter((c) => !c.body).map((c) => ({
  method: c.method,
  path: c.path,
  allowed: editors,
  lenient: true,
  request: async () => ({ url: c.path.replace('{slug}', slug).replace('{language}', 'es').replace(/\{[a-zA-Z]+\}/g, /\/fund\/contributions\//.test(c.path) ? '999999999' : MISSING_ID) })
}))
// Those that take a body, each with one that passes validation (on an item that may not exist).
const bodies: Record<string, unknown> = {
  'POST /api/admin/appeals/{slug}/webhooks': { url: 'https://hooks.example.org/solidaria', events: ['signature.confirmed'], includePersonal: false },
  'PUT /api/admin/appeals/{slug}/fund': {
    enabled: true, goalCurrency: 'EUR', goalAmount: 300000, rates: { USD: 0.9 }, ratesDate: '2026-05-03',
    texts: { en: { purpose: 'Hospital bills.', ways: [{ key: 'cash', title: 'Cash at an event', text: 'At any event.' }] } }
  },
  'POST /api/admin/appeals/{slug}/fund/contributions': { amount: 1500, currency: 'EUR', date: '2026-06-11', country: 'AR', name: 'Comisión interna' },
  'POST /api/admin/appeals/{slug}/fund/contributions/{id}/reject': { reason: 'No transfer arrived.' },
  'POST /api/admin/appeals/{slug}/fund/spending': { amount: 100, currency: 'EUR', date: '2026-06-12', purpose: 'Medicines' },
  'POST /api/admin/appeals/{slug}/updates': { texts: { en: { subject: 'News', body: 'The hearing is on Friday.' } } },
  'PUT /api/admin/appeals/{slug}/updates/{id}': { texts: { en: { subject: 'News', body: 'The hearing moved.' } } },
  'POST /api/admin/appeals/{slug}/updates/{id}/send': {},
  'PUT /api/admin/appeals/{slug}/messages/{language}': { thanksNext: 'We hand the signatures over on Friday.', confirmNote: 'Thank you.' }
}
const urlOf = (path: string): string => path.replace('{slug}', slug).replace('{language}', 'es')
  .replace(/\{[a-zA-Z]+\}/g, /\/fund\/contributions\//.test(path) ? '999999999' : MISSING_ID)
for (const c of untabled.filter((c) => c.body && bodies[`${c.method} ${c.path}`] !== undefined)) {
  generic.push({ method: c.method, path: c.path, allowed: editors, lenient: true, request: async () => ({ url: urlOf(c.path), payload: bodies[`${c.method} ${c.path}`] }) })
}
const notYetTabled = untabled.filter((c) => c.body && bodies[`${c.method} ${c.path}`] === undefined).map((c) => `${c.method} ${c.path}`)

t.test('the table names every admin route of an appeal in the OpenAPI document', async (t) => {
  const documented = Object.entries(documentedPaths).filter(([path]) => path.startsWith('/api/admin/appeals/{slug}'))
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
  t.same(documented.sort(), [...api, ...generic].map((c) => `${c.method} ${c.path}`).concat(notYetTabled).sort())
  t.same(notYetTabled, [], 'every route that takes a body has one here')
  t.ok(Object.keys(appealActions).length >= 10, 'and the permission table has its actions')
})

t.test('every role against every admin API route of an appeal, sessions and tokens alike', async (t) => {
  for (const c of [...api, ...generic]) {
    for (const who of [...appealRoles, 'outsider'] as const) {
      const { url, payload } = await c.request()
      const response = await app.inject({ method: c.method as 'GET', url, headers: people[who].auth, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) })
      const expected = who === 'outsider' ? 404 : c.allowed.includes(who) ? 'ok' : 403
      if (expected === 'ok' && c.lenient === true) {
        const code = response.statusCode >= 400 ? String(json(response).error?.code) : ''
        t.ok(response.statusCode < 500 && response.statusCode !== 403 && code !== 'APPEAL_NOT_FOUND', `${who}: ${c.method} ${c.path} passes the permission check (${response.statusCode} ${code})`)
      } else if (expected === 'ok') t.ok(response.statusCode >= 200 && response.statusCode < 300, `${who}: ${c.method} ${c.path} is allowed (${response.statusCode} ${response.body.slice(0, 120)})`)
      else t.equal(response.statusCode, expected, `${who}: ${c.method} ${c.path} answers ${expected}`)
      if (expected === 404) t.equal(json(response).error.code, 'APPEAL_NOT_FOUND', 'as for an appeal that does not exist')
    }
  }
})

t.test('a moderator\'s and a viewer\'s answers hold no email and no private field; searching by email is refused', async (t) => {
  const privateId = await newSignature()
  await reopen()
  const { email, publicName } = { email: `private-${counter}@example.org`, publicName: 'Shown Signer' }
  await sign(app, slug, person({ name: 'Hidden Name', email, public: false, city: 'Caracas' }))
  await sign(app, slug, person({ name: publicName, email: `shown-${counter}@example.org`, public: true }))
  const list = await app.inject({ url: `${base}/signatures?limit=500`, headers: people.moderator.auth })
  t.equal(list.statusCode, 200)
  t.notMatch(list.body, /@example\.org/, 'no email in the moderator\'s list')
  t.notMatch(list.body, /Hidden Name|Caracas/, 'no private field')
  t.match(list.body, publicName, 'shown names are there')
  t.match(list.body, /"country":"VE"/, 'and countries')
  const hidden = await app.inject({ method: 'POST', url: `${base}/signatures/${privateId}/hide`, headers: people.moderator.auth })
  t.notMatch(hidden.body, /@/, 'nor in the answer to hiding one')
  t.equal((await app.inject({ url: `${base}/signatures?q=${encodeURIComponent(email)}`, headers: people.moderator.auth })).statusCode, 403, 'a search by email would tell who signed')
  for (const who of ['moderator', 'viewer'] as const) {
    const answers = await Promise.all([base, `${base}/embed`].map(async (url) => (await app.inject({ url, headers: people[who].auth })).body))
    for (const body of answers) t.notMatch(body, /signer-\d+@example\.org|Hidden Name/, `${who}: no signer's data`)
  }
  const organiserList = await app.inject({ url: `${base}/signatures?limit=500`, headers: people.organiser.auth })
  t.match(organiserList.body, email, 'an organiser sees the emails')
})

t.test('a token carries its owner\'s role, or a narrower one, never a wider one', async (t) => {
  const narrow = json(await app.inject({ method: 'POST', url: '/api/admin/tokens', headers: people.organiser.auth, payload: { name: 'moderation bot', role: 'moderator' } }))
  t.equal(narrow.role, 'moderator')
  const auth = { authorization: `Bearer ${narrow.token}` }
  t.equal((await app.inject({ url: `${base}/signatures`, headers: auth })).statusCode, 200)
  t.notMatch((await app.inject({ url: `${base}/signatures`, headers: auth })).body, /@example\.org/, 'the narrow token sees no email')
  t.equal((await app.inject({ url: `${base}/export.csv`, headers: auth })).statusCode, 403, 'nor exports')
  const wider = json(await app.inject({ method: 'POST', url: '/api/admin/tokens', headers: people.viewer.auth, payload: { name: 'try', role: 'owner' } }))
  t.equal((await app.inject({ url: `${base}/signatures`, headers: { authorization: `Bearer ${wider.token}` } })).statusCode, 403, 'a viewer\'s "owner" token is still a viewer')
  const fromNarrow = json(await app.inject({ method: 'POST', url: '/api/admin/tokens', headers: auth, payload: { name: 'child' } }))
  t.equal(fromNarrow.role, 'moderator', 'a token made with a narrow token is as narrow')
  const admin = await organiser(app, 'admin')
  const adminViewer = json(await app.inject({ method: 'POST', url: '/api/admin/tokens', headers: admin.auth, payload: { name: 'watch', role: 'viewer' } }))
  const adminAuth = { authorization: `Bearer ${adminViewer.token}` }
  t.equal((await app.inject({ url: `${base}/signatures`, headers: adminAuth })).statusCode, 403, 'an admin\'s viewer token is a viewer')
  t.equal((await app.inject({ url: '/api/admin/organisers', headers: adminAuth })).statusCode, 403, 'and no admin')
  t.equal((await app.inject({ url: '/api/admin/organisers', headers: admin.auth })).statusCode, 200)
})

t.test('instance-wide routes: admins only where documented; an erasure by email reaches only appeals the role may erase on', async (t) => {
  for (const [method, url, payload] of [['GET', '/api/admin/organisers'], ['POST', '/api/admin/invitations', { email: 'n@example.org' }], ['GET', '/api/admin/audit'],
    ['POST', '/api/admin/organisers', { email: 'm@example.org', name: 'M', password: 'a long enough password' }]] as const) {
    const response = await app.inject({ method, url, headers: people.owner.auth, ...(payload !== undefined && { payload }) })
    t.equal(response.statusCode, 403, `a non-admin: ${method} ${url}`)
  }
  const email = `erase-me-${counter++}@example.org`
  await reopen()
  await sign(app, slug, person({ email }))
  const byModerator = json(await app.inject({ method: 'POST', url: '/api/admin/erasures', headers: people.moderator.auth, payload: { email } }))
  t.same(byModerator, { erased: 0, appeals: [], contributions: 0 }, 'a moderator erases nothing')
  const byOrganiser = json(await app.inject({ method: 'POST', url: '/api/admin/erasures', headers: people.organiser.auth, payload: { email } }))
  t.same(byOrganiser, { erased: 1, appeals: [slug], contributions: 0 })
})

t.test('every dashboard form and page of an appeal, by each role', async (t) => {
  const browsers = Object.fromEntries(await Promise.all((['owner', 'organiser', 'moderator', 'viewer', 'outsider'] as const).map(async (who) => [who, await signedInBrowser(app, people[who])]))) as Record<Who, Browser>
  const d = `/admin/appeals/${slug}`
  const forms: Array<{ method: 'GET' | 'POST', path: () => Promise<string>, allowed: AppealRole[], fields?: Record<string, string> }> = [
    { method: 'GET', path: async () => d, allowed: everyone },
    { method: 'POST', path: async () => `${d}/settings`, allowed: editors, fields: { goal: '500' } },
    { method: 'POST', path: async () => `${d}/status`, allowed: editors, fields: { status: 'open' } },
    { method: 'GET', path: async () => `${d}/texts/es`, allowed: editors },
    { method: 'POST', path: async () => `${d}/texts/es`, allowed: editors, fields: { title: 'Manos fuera' } },
    { method: 'POST', path: async () => `${d}/texts/it/remove`, allowed: editors },
    { method: 'GET', path: async () => `${d}/signatures`, allowed: moderators },
    ...['hide', 'unhide', 'notable', 'not-notable'].map((action) => ({ method: 'POST' as const, path: async () => `${d}/signatures/${await newSignature()}/${action}`, allowed: moderators })),
    { method: 'GET', path: async () => `${d}/signatures/${await newSignature()}/erase`, allowed: editors },
    { method: 'POST', path: async () => `${d}/signatures/${await newSignature()}/erase`, allowed: editors },
    { method: 'GET', path: async () => `${d}/signatures/bulk-hide?emailDomain=spam.example`, allowed: moderators },
    { method: 'POST', path: async () => `${d}/signatures/bulk-hide`, allowed: moderators, fields: { emailDomain: 'spam.example' } },
    { method: 'POST', path: async () => `${d}/signatures/bulk-hide/undo`, allowed: moderators, fields: { batch: '00000000-0000-4000-8000-000000000000' } },
    { method: 'GET', path: async () => `${d}/import`, allowed: editors },
    { method: 'GET', path: async () => `${d}/events`, allowed: everyone },
    { method: 'POST', path: async () => `${d}/events`, allowed: editors, fields: { title: 'March', startsAt: '2027-03-01T12:00', country: 'VE' } },
    { method: 'GET', path: async () => `${d}/events/${await newEvent()}`, allowed: editors },
    { method: 'POST', path: async () => `${d}/events/${await newEvent()}`, allowed: editors, fields: { title: 'March', startsAt: '2027-03-01T12:00', country: 'VE' } },
    { method: 'POST', path: async () => `${d}/events/${await newEvent()}/remove`, allowed: editors },
    { method: 'GET', path: async () => `${d}/team`, allowed: editors },
    { method: 'POST', path: async () => `${d}/team`, allowed: ownerOnly, fields: { email: `dash-${counter++}@example.org`, role: 'viewer' } },
    { method: 'POST', path: async () => `${d}/team/role`, allowed: ownerOnly, fields: { organiserId: people.viewer.id, role: 'viewer' } },
    { method: 'POST', path: async () => `${d}/team/remove`, allowed: ownerOnly, fields: { organiserId: spare.id } },
    { method: 'GET', path: async () => `${d}/embed`, allowed: everyone },
    { method: 'GET', path: async () => `${d}/audit`, allowed: ownerOnly }
  ]
  for (const form of forms) {
    for (const who of [...appealRoles, 'outsider'] as const) {
      const path = await form.path()
      const response = form.method === 'GET' ? await browsers[who].get(path) : await browsers[who].post(path, form.fields ?? {})
      const expected = who === 'outsider' ? 404 : form.allowed.includes(who) ? 'ok' : 403
      if (expected === 'ok') t.ok(![403, 404].includes(response.statusCode), `${who}: ${form.method} ${path.replace(slug, ':slug')} is allowed (${response.statusCode})`)
      else t.equal(response.statusCode, expected, `${who}: ${form.method} ${path.replace(slug, ':slug')} answers ${expected}`)
    }
  }
  const moderatorPage = await browsers.moderator.get(`${d}/signatures`)
  t.notMatch(moderatorPage.body, /@example\.org/, 'the moderator\'s page shows no email')
  t.notMatch(moderatorPage.body, /export\.csv/, 'and no export link')
  t.match((await browsers.organiser.get(`${d}/signatures`)).body, /export\.csv/)
})
