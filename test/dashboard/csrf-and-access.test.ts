import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { signatures } from '../../src/db/schema.js'
import { eachDatabase } from '../helpers/app.js'
import { signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'

/**
 * Every dashboard route with a form (POST), as the router knows them, so that a new form cannot be
 * forgotten here. The router prints a tree, a route under another by the part of its path that differs.
 */
function postRoutes (app: FastifyInstance): string[] {
  const routes: string[] = []
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false, method: 'POST' }).split('\n')) {
    const match = /^(.*?)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line)
    if (match === null) continue
    const depth = [...(match[1] ?? '')].length / 4
    stack.length = depth
    stack.push(match[2] ?? '')
    const path = stack.join('')
    if ((match[3] ?? '').includes('POST') && path.startsWith('/admin/')) routes.push(path)
  }
  return [...new Set(routes)].sort()
}

async function withData (app: FastifyInstance) {
  const owner = await organiser(app, 'admin')
  const slug = await appeal(app, owner)
  await sign(app, slug, person({ email: 'row@example.org' }))
  const [row] = await app.db.select().from(signatures)
  const event = await app.services.events.create(await app.services.appeals.getPublic(slug), { title: 'Rally', startsAt: '2026-12-01T17:00:00Z', country: 'GB' })
  const { id: tokenId } = await app.services.organisers.createApiToken(owner.id, 'script')
  const fill = (path: string): string => path.replace(':slug', slug).replace(':id', path.includes('/events/')
    ? event.id
    : path.includes('/tokens/')
      ? tokenId
      : /\/(updates|webhooks)\//.test(path) ? '00000000-0000-4000-8000-000000000000' : String(row!.id)).replace(':language', 'es')
  return { owner, slug, fill }
}

eachDatabase(t, 'every dashboard form refuses a post without its token, and changes nothing', async (t, { app }) => {
  const { owner, fill } = await withData(app)
  const routes = postRoutes(app)
  t.ok(routes.length >= 25 && routes.includes('/admin/appeals/:slug/texts/:language/remove'), `the router lists the dashboard's forms (${routes.length})`)
  const b = await signedInBrowser(app, owner)
  const before = JSON.stringify(await app.db.select().from(signatures))
  for (const route of routes) {
    const url = fill(route)
    for (const [why, token] of [['without a token', null], ['with a forged token', 'forged-token-value']] as const) {
      const response = await b.post(url, { _csrf: token, status: 'closed', email: 'someone@example.org', name: 'X', title: 'X' })
      t.equal(response.statusCode, 403, `POST ${route} ${why}`)
      t.match(response.body, /This form has expired or did not come from this site/, 'says why, as a page')
    }
  }
  const upload = await b.upload(fill('/admin/appeals/:slug/import'), { _csrf: 'forged-token-value', action: 'import', column0: 'name', column1: 'email', column2: 'country' }, { name: 'sheet.csv', field: 'file', content: 'name,email,country\nSneaky,sneaky@example.org,VE' })
  t.equal(upload.statusCode, 403, 'an upload (multipart) with a forged token too')
  t.equal(JSON.stringify(await app.db.select().from(signatures)), before, 'nothing was written')
  t.equal((await app.services.appeals.listManaged(owner as never)).every((a) => a.status === 'open'), true, 'no appeal was closed')
// More forms are limited like sign-in (passwords, codes, invitations, resets) than its ten attempts: this is about their tokens.
}, { RATE_LIMIT_SIGNIN_MAX: '1000' })

eachDatabase(t, 'an organiser cannot open another organiser\'s appeal pages, forms or exports', async (t, { app }) => {
  const { slug, fill } = await withData(app)
  const stranger = await organiser(app)
  const b = await signedInBrowser(app, stranger)
  const pages = ['', '/signatures', '/signatures/:id/erase', '/signatures/bulk-hide?ipHash=abcdefgh', '/import', '/events', '/events/:id', '/team', '/embed', '/texts/es']
  for (const page of pages) {
    const response = await b.get(fill(`/admin/appeals/:slug${page}`))
    t.equal(response.statusCode, 404, `GET ${page || '/'} answers as for no appeal at all`)
    t.notMatch(response.body, /row@example\.org|Hands off Venezuela/, 'and shows nothing of it')
  }
  for (const route of postRoutes(app).filter((r) => r.startsWith('/admin/appeals/:slug'))) {
    const response = await b.post(fill(route), { status: 'closed', email: 'someone@example.org', title: 'Taken over', batch: '00000000-0000-0000-0000-000000000000', organiserId: '00000000-0000-0000-0000-000000000000' })
    t.ok([403, 404].includes(response.statusCode), `POST ${route} is refused (${response.statusCode})`)
  }
  for (const format of ['csv', 'ndjson']) {
    const exported = await b.get(`/api/admin/appeals/${slug}/export.${format}`)
    t.equal(exported.statusCode, 404, `the ${format} export too`)
  }
  t.equal((await app.services.appeals.getPublic(slug)).status, 'open', 'the appeal is untouched')
  t.equal((await app.db.select().from(signatures))[0]?.hiddenAt, null)
  const own = await b.get('/admin')
  t.notMatch(own.body, new RegExp(slug), 'the list of appeals does not name it')
})

eachDatabase(t, 'admin pages are for admins', async (t, { app }) => {
  const { slug } = await withData(app)
  const member = await organiser(app)
  await app.services.appeals.addMember(await app.services.appeals.getPublic(slug), member.email)
  const b = await signedInBrowser(app, member)
  t.equal((await b.get('/admin/organisers')).statusCode, 403)
  t.equal((await b.post('/admin/organisers', { email: 'new@example.org', name: 'New', password: 'long enough password', role: 'admin' })).statusCode, 403)
  t.equal((await app.services.organisers.list()).some((o) => o.email === 'new@example.org'), false)
  t.equal((await b.get(`/admin/appeals/${slug}/team`)).statusCode, 200, 'a member sees the team')
  t.equal((await b.post(`/admin/appeals/${slug}/team`, { email: member.email })).statusCode, 403, 'but only admins change it')
})
