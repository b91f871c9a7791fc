import t from 'tap'
import { eachDatabase, json } from '../helpers/app.js'
import { decodeHtml, signedInBrowser } from '../helpers/dashboard.js'
import { organiser, person, sign } from '../helpers/fixtures.js'

const textFields = { title: 'Stop the repression', summary: 'Solidarity with the strikers', body: 'We **stand** with them.\n\nRelease the detained.', demandsText: 'Release the detained\nRespect the right to strike' }

eachDatabase(t, 'an organiser creates an appeal with its original and a translation, opens, closes and reopens it', async (t, { app }) => {
  const who = await organiser(app)
  const b = await signedInBrowser(app, who)
  t.match((await b.get('/admin')).body, /No appeals yet/)

  const bad = await b.post('/admin/appeals/new', { slug: 'Not A Slug', originalLanguage: 'en', title: '', goal: '0', donationUrl: 'not a link', requireConfirmation: 'on' })
  t.equal(bad.statusCode, 400)
  t.match(bad.body, /Use lower-case letters, digits and hyphens only/, 'each field says what is wrong')
  t.match(bad.body, /This field is required/)
  t.match(bad.body, /Enter a number of at least 1/)
  t.match(bad.body, /Enter a full web address starting with https:\/\//)
  t.match(bad.body, /value="Not A Slug"/, 'what was typed is kept')
  t.equal((await app.services.appeals.listManaged(who as never)).length, 0, 'nothing was created')

  const created = await b.post('/admin/appeals/new', { slug: 'stop-repression', originalLanguage: 'en', ...textFields, goal: '5000', requireConfirmation: 'on', allowOrganisations: 'on', showPublicList: 'on', collectCity: 'on', closesAt: '2027-03-01T12:00' })
  t.equal(created.statusCode, 303)
  t.equal(created.headers.location, '/admin/appeals/stop-repression?notice=created')
  const appeal = await app.services.appeals.getManaged({ ...who, role: 'organiser', cap: null, twoFactor: false } as never, 'stop-repression')
  t.match(appeal, { status: 'draft', goal: 5000, requireConfirmation: true, collectRole: false, closesAt: new Date('2027-03-01T12:00:00Z') })
  t.same((await app.services.appeals.texts(appeal)).en?.demands, ['Release the detained', 'Respect the right to strike'], 'the demands, one a line, numbered in order')

  const editor = await b.get(created.headers.location as string)
  t.match(editor.body, /The appeal was created as a draft/)
  t.match(editor.body, /Español[\s\S]*?Missing/, 'which languages are missing')
  t.match(editor.body, /href="\/admin\/appeals\/stop-repression\/texts\/es">Add a translation/)

  const translation = await b.get('/admin/appeals/stop-repression/texts/es')
  t.match(translation.body, /class="side-by-side"/, 'the original beside the translation')
  t.match(translation.body, /<strong>stand<\/strong>/, 'the original rendered from Markdown')
  const preview = await b.post('/admin/appeals/stop-repression/texts/es', { action: 'preview', title: 'Alto a la represión', body: 'Nos **solidarizamos**.\n\n<script>alert(1)</script>', demandsText: 'Liberen a los detenidos' })
  t.equal(preview.statusCode, 200)
  t.match(preview.body, /Preview of the text[\s\S]*<strong>solidarizamos<\/strong>/, 'a preview of the Markdown')
  t.notMatch(preview.body, /<script>alert/, 'with raw HTML left out')
  t.equal((await app.services.appeals.texts(appeal)).es, undefined, 'a preview saves nothing')
  const saved = await b.post('/admin/appeals/stop-repression/texts/es', { action: 'save', title: 'Alto a la represión', summary: 'Solidaridad', body: 'Nos **solidarizamos**.', demandsText: 'Liberen a los detenidos\nRespeten la huelga' })
  t.equal(saved.statusCode, 303)
  t.match((await app.services.appeals.texts(appeal)).es, { title: 'Alto a la represión', demands: ['Liberen a los detenidos', 'Respeten la huelga'] })

  for (const [status, notice, expected] of [['open', 'opened', 'open'], ['closed', 'closed', 'closed'], ['open', 'opened', 'open']] as const) {
    const response = await b.post('/admin/appeals/stop-repression/status', { status })
    t.equal(response.headers.location, `/admin/appeals/stop-repression?notice=${notice}`)
    t.equal((await app.services.appeals.getPublic('stop-repression')).status, expected)
  }
  const list = await b.get('/admin')
  t.match(list.body, /Stop the repression/)
  t.match(list.body, /status-open/)
})

eachDatabase(t, 'the list shows confirmed, waiting and hidden counts; settings and texts change without losing signatures', async (t, { app }) => {
  const who = await organiser(app)
  const b = await signedInBrowser(app, who)
  await b.post('/admin/appeals/new', { slug: 'counted', originalLanguage: 'en', ...textFields })
  await b.post('/admin/appeals/counted/status', { status: 'open' })
  await b.post('/admin/appeals/counted/settings', { slug: 'counted', retentionMonths: '12', allowOrganisations: 'on', showPublicList: 'on' })
  for (let i = 0; i < 3; i++) await sign(app, 'counted', person({ email: `c${i}@example.org` }))
  await b.post('/admin/appeals/counted/settings', { slug: 'counted', retentionMonths: '12', requireConfirmation: 'on' })
  await sign(app, 'counted', person({ email: 'waiting@example.org' }))
  const [first] = (await app.services.signatures.search(await app.services.appeals.getPublic('counted'), { limit: 10 })).items.filter((s) => s.email === 'c0@example.org')
  await b.post(`/admin/appeals/counted/signatures/${first!.id}/hide`)

  const list = await b.get('/admin')
  t.match(list.body, /<td class="number" data-label="[^"]*">2<\/td><td class="number" data-label="[^"]*">1<\/td><td class="number" data-label="[^"]*">1<\/td>/, 'counted 2, waiting 1, hidden 1')

  const refused = await b.post('/admin/appeals/counted/settings', { slug: 'counted', retentionMonths: '0' })
  t.equal(refused.statusCode, 400)
  t.match(refused.body, /Enter a number of at least 1/)
  const backwards = await b.post('/admin/appeals/counted/settings', { slug: 'counted', retentionMonths: '12', opensAt: '2027-01-02T00:00', closesAt: '2027-01-01T00:00' })
  t.equal(backwards.statusCode, 400)
  t.match(backwards.body, /The closing time must be after the opening time/)
  await b.post('/admin/appeals/counted/texts/en', { action: 'save', title: 'A new title', body: 'Changed.' })
  t.equal(json(await app.inject({ url: '/api/appeals/counted/stats' })).signatures, 2, 'changing the texts keeps every signature')
}, { STATS_TTL_MS: '0' })

eachDatabase(t, 'events are added with coordinates, edited and removed, and show on the public map', async (t, { app }) => {
  const who = await organiser(app)
  const b = await signedInBrowser(app, who)
  await b.post('/admin/appeals/new', { slug: 'with-events', originalLanguage: 'en', ...textFields })
  await b.post('/admin/appeals/with-events/status', { status: 'open' })
  const page = await b.get('/admin/appeals/with-events/events')
  t.match(page.body, /data-map-picker/, 'a map to pick the place on, for browsers with JavaScript')
  const half = await b.post('/admin/appeals/with-events/events', { title: 'Rally', startsAt: '2026-12-05T18:00', country: 'GB', latitude: '51.5' })
  t.equal(half.statusCode, 400)
  t.match(half.body, /This field is required/, 'a latitude needs its longitude')
  const added = await b.post('/admin/appeals/with-events/events', { title: 'Rally at the embassy', startsAt: '2026-12-05T18:00', city: 'London', country: 'GB', latitude: '51.5072', longitude: '-0.1276', attendance: '200' })
  t.equal(added.statusCode, 303)
  const [event] = json(await app.inject({ url: '/api/appeals/with-events/events' })).items
  t.match(event, { title: 'Rally at the embassy', latitude: 51.5072, longitude: -0.1276, attendance: 200, startsAt: '2026-12-05T18:00:00.000Z' })
  const publicPage = await app.inject({ url: '/appeals/with-events' })
  t.match(publicPage.body, /Rally at the embassy/, 'the public page lists it (and its map data carries it)')
  await b.post(`/admin/appeals/with-events/events/${event.id}`, { title: 'Rally at the embassy', startsAt: '2026-12-06T18:00', country: 'GB', latitude: '51.5', longitude: '-0.12' })
  t.equal(json(await app.inject({ url: '/api/appeals/with-events/events' })).items[0].startsAt, '2026-12-06T18:00:00.000Z')
  await b.post(`/admin/appeals/with-events/events/${event.id}/remove`)
  t.same(json(await app.inject({ url: '/api/appeals/with-events/events' })).items, [])
})

eachDatabase(t, 'admins manage the team and accounts; tokens are made and revoked; a person is erased on request', async (t, { app }) => {
  const admin = await organiser(app, 'admin')
  const b = await signedInBrowser(app, admin)
  await b.post('/admin/appeals/new', { slug: 'team-work', originalLanguage: 'en', ...textFields })
  // Accounts are made by invitation (the person chooses their own password: test/organisers/accounts.test.ts).
  const invited = await b.post('/admin/organisers', { email: 'new.organiser@example.org', role: 'organiser' })
  t.equal(invited.statusCode, 303, 'an admin invites a new organiser by mail')
  await app.services.organisers.create({ email: 'rosa@example.org', name: 'Rosa', password: 'long enough password', role: 'organiser' })
  const unknown = await b.post('/admin/appeals/team-work/team', { email: 'nobody@example.org', role: 'moderator' })
  t.equal(unknown.statusCode, 303, 'an address without an account is invited to make one')
  t.match(unknown.headers.location, /notice=invitationSent/)
  const added = await b.post('/admin/appeals/team-work/team', { email: 'rosa@example.org', role: 'organiser' })
  t.equal(added.statusCode, 303)
  t.match(added.headers.location, /notice=memberAdded/, 'an organiser with an account is added at once')
  const rosa = await signedInBrowser(app, { email: 'rosa@example.org' } as never, 'long enough password')
  t.match((await rosa.get('/admin')).body, /Stop the repression/, 'the new organiser sees the appeal')
  const [member] = (await app.services.appeals.members(await app.services.appeals.getManaged({ ...admin, role: 'admin', cap: null, twoFactor: false } as never, 'team-work'))).filter((m) => m.email === 'rosa@example.org')
  await b.post('/admin/appeals/team-work/team/remove', { organiserId: member!.id })
  t.notMatch((await rosa.get('/admin')).body, /Stop the repression/, 'and no longer once removed')

  const created = await b.post('/admin/tokens', { name: 'export script' })
  t.equal(created.statusCode, 201)
  const token = /id="new-token" type="text" readonly value="(sol_[^"]+)"/.exec(created.body)?.[1]
  t.ok(token, 'the token is shown once')
  t.equal((await app.inject({ url: '/api/admin/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 200, 'and works')
  t.notMatch((await b.get('/admin/tokens')).body, new RegExp(token!), 'it is not shown again')
  const named = (await app.services.organisers.listApiTokens(admin.id)).find((x) => x.name === 'export script')
  t.ok(named, 'the token is listed by its name')
  await b.post(`/admin/tokens/${named!.id}/revoke`)
  t.equal((await app.inject({ url: '/api/admin/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 401, 'revoked')

  await b.post('/admin/appeals/team-work/status', { status: 'open' })
  await app.inject({ method: 'PATCH', url: '/api/admin/appeals/team-work', headers: admin.auth, payload: { requireConfirmation: false } })
  await sign(app, 'team-work', person({ email: 'forget.me@example.org' }))
  const erased = await b.post('/admin/erasure', { email: 'Forget.Me@example.org' })
  t.equal(erased.statusCode, 200)
  t.match(erased.body, /1 appeal had a signature with this address/)
  t.match(erased.body, /\/team-work/)
  const embed = await b.get('/admin/appeals/team-work/embed?widgetLang=es&accent=0a6e4f&theme=dark')
  t.match(decodeHtml(embed.body), /data-appeal="team-work" data-widget="map" data-lang="es" data-accent="0a6e4f" data-theme="dark"/, 'the snippets, as chosen')
  t.match(embed.body, /<iframe src="http:\/\/localhost:80\/embed\/team-work\/counter\?[^"]*" title="[^"]+" height="520" class="widget-preview"/, 'with a live preview of each widget')
})
