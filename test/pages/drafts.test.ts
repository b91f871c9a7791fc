import t from 'tap'
import { build } from '../helpers/app.js'
import { browser, signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser } from '../helpers/fixtures.js'

const app = await build(t, { RATE_LIMIT_SIGNIN_MAX: '1000' })

t.test('a draft is previewed at its own address by its team, widgets too, marked, never cached nor indexed; 404 for everyone else', async (t) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, {}, false)
  const viewer = await organiser(app)
  await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/members`, headers: owner.auth, payload: { email: viewer.email, role: 'viewer' } })
  const outsider = await organiser(app)
  const team = [await signedInBrowser(app, owner), await signedInBrowser(app, viewer)]
  const others = [browser(app), await signedInBrowser(app, outsider)]
  const addresses = [`/appeals/${slug}`, `/embed/${slug}/map`, `/embed/${slug}/counter`, `/embed/${slug}/sign`]
  for (const b of team) {
    for (const address of addresses) {
      const page = await b.get(address)
      t.equal(page.statusCode, 200, `the team sees ${address}`)
      t.match(page.body, /class="preview-banner"/, 'marked as a preview')
      t.match(page.body, /Hands off Venezuela/)
      t.match(page.body, /<meta name="robots" content="noindex, nofollow">/)
      t.equal(page.headers['x-robots-tag'], 'noindex, nofollow')
      t.equal(page.headers['cache-control'], 'private, no-store', 'never cached, the widgets\' 30 seconds included')
    }
  }
  for (const b of others) {
    for (const address of addresses) {
      const page = await b.get(address)
      t.equal(page.statusCode, 404, `${address} is 404 for anyone else`)
      t.notMatch(page.body, /Hands off Venezuela/)
    }
  }
  t.equal((await app.inject({ url: `/api/appeals/${slug}`, headers: { cookie: `solidaria_session=${team[0]!.cookies.get('solidaria_session')}` } })).statusCode, 404, 'the public API keeps drafts to itself')
  await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/open`, headers: owner.auth })
  const open = await browser(app).get(`/appeals/${slug}`)
  t.equal(open.statusCode, 200, 'once open, everyone sees it')
  t.notMatch(open.body, /preview-banner/, 'and it is no preview')
})
