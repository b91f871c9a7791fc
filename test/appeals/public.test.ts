import t from 'tap'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, organiser } from '../helpers/fixtures.js'

const spanish = { title: 'Manos fuera de Venezuela', summary: 'Con los trabajadores venezolanos', body: 'Estamos **con** ellos.', demands: ['Fin de las sanciones'] }

eachDatabase(t, 'the public list shows open appeals only, with the texts in every language they have', async (t, { app }) => {
  const owner = await organiser(app)
  const open = await appeal(app, owner)
  const englishOnly = await appeal(app, owner)
  const draft = await appeal(app, owner, {}, false)
  const closed = await appeal(app, owner)
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/appeals/${closed}/close`, headers: owner.auth })).statusCode, 200)
  t.equal((await app.inject({ method: 'PUT', url: `/api/admin/appeals/${open}/texts/es`, headers: owner.auth, payload: spanish })).statusCode, 200)

  const response = await app.inject({ method: 'GET', url: '/api/appeals' })
  t.equal(response.statusCode, 200)
  const { items } = json(response)
  t.same(items.map((a: { slug: string }) => a.slug).sort(), [open, englishOnly].sort(), 'neither the draft nor the closed appeal is listed')
  t.notOk(items.some((a: { slug: string }) => a.slug === draft || a.slug === closed))
  const listed = items.find((a: { slug: string }) => a.slug === open)
  t.match(listed, { status: 'open', originalLanguage: 'en' })
  t.same(listed.languages, ['en', 'es'])
  t.same(listed.texts.en, { title: 'Hands off Venezuela', summary: 'Stand with Venezuelan workers', body: 'We **stand** with them.', demands: ['Stop the sanctions', 'Respect the vote'] })
  t.same(listed.texts.es, spanish)
  const other = items.find((a: { slug: string }) => a.slug === englishOnly)
  t.same(other.languages, ['en'])
  t.same(Object.keys(other.texts), ['en'])
})

eachDatabase(t, 'an open or closed appeal can be read; a draft or unknown one does not exist', async (t, { app }) => {
  const owner = await organiser(app)
  const open = await appeal(app, owner, { goal: 1000 })
  const closed = await appeal(app, owner)
  await app.inject({ method: 'POST', url: `/api/admin/appeals/${closed}/close`, headers: owner.auth })
  const draft = await appeal(app, owner, {}, false)

  const openAnswer = await app.inject({ method: 'GET', url: `/api/appeals/${open}` })
  t.equal(openAnswer.statusCode, 200)
  t.match(json(openAnswer), { slug: open, status: 'open', goal: 1000, languages: ['en'], texts: { en: { title: 'Hands off Venezuela' } } })

  const closedAnswer = await app.inject({ method: 'GET', url: `/api/appeals/${closed}` })
  t.equal(closedAnswer.statusCode, 200)
  t.match(json(closedAnswer), { slug: closed, status: 'closed', texts: { en: { title: 'Hands off Venezuela' } } })

  for (const slug of [draft, 'no-such-appeal']) {
    const answer = await app.inject({ method: 'GET', url: `/api/appeals/${slug}` })
    t.equal(answer.statusCode, 404, `${slug} is not found`)
    t.same(json(answer), { error: { code: 'APPEAL_NOT_FOUND', message: 'There is no appeal at this address.', fields: {} } })
    t.notMatch(answer.body, /Hands off Venezuela/, 'nothing of the draft leaks')
  }
  const inSpanish = await app.inject({ method: 'GET', url: `/api/appeals/${draft}`, headers: { 'accept-language': 'es-ES,es;q=0.9' } })
  t.equal(inSpanish.statusCode, 404)
  t.equal(json(inSpanish).error.code, 'APPEAL_NOT_FOUND')
  t.equal(json(inSpanish).error.message, 'No hay ningún llamamiento en esta dirección.')
})

eachDatabase(t, 'an appeal past its closing time is closed to the public, though no one closed it', async (t, { app }) => {
  const owner = await organiser(app)
  const lapsed = await appeal(app, owner, { opensAt: '2020-01-01T00:00:00Z', closesAt: '2020-02-01T00:00:00Z' })
  const running = await appeal(app, owner, { closesAt: '2100-01-01T00:00:00Z' })

  t.match(json(await app.inject({ url: `/api/appeals/${lapsed}` })), { slug: lapsed, status: 'closed' })
  t.match(json(await app.inject({ url: `/api/appeals/${running}` })), { slug: running, status: 'open' })
  const listed = json(await app.inject({ url: '/api/appeals' })).items.map((a: { slug: string }) => a.slug)
  t.ok(listed.includes(running), 'an appeal still running is listed as open')
  t.notOk(listed.includes(lapsed), 'a lapsed one is not')
})

eachDatabase(t, 'any website may read public appeal data; admin data is not shared', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const origin = { origin: 'https://union.example.net' }
  for (const url of ['/api/appeals', `/api/appeals/${slug}`]) {
    const response = await app.inject({ method: 'GET', url, headers: origin })
    t.equal(response.statusCode, 200)
    t.equal(response.headers['access-control-allow-origin'], '*', `${url} allows any origin`)
  }
  const admin = await app.inject({ method: 'GET', url: '/api/admin/appeals', headers: { ...origin, ...owner.auth } })
  t.equal(admin.statusCode, 200)
  t.notOk(admin.headers['access-control-allow-origin'], 'the admin API is not opened to other origins')
})

eachDatabase(t, 'responses carry the security headers that apply to them', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (const url of ['/api/appeals', `/api/appeals/${slug}`, '/api/appeals/no-such-appeal']) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.headers['x-content-type-options'], 'nosniff', `${url}: nosniff`)
    t.equal(response.headers['referrer-policy'], 'strict-origin-when-cross-origin', `${url}: referrer policy`)
    t.ok(response.headers['strict-transport-security'], `${url}: HSTS`)
    t.notOk(response.headers['x-ratelimit-remaining'], `${url}: no rate-limit headers while under the limit`)
  }
  const page = await app.inject({ method: 'GET', url: '/docs/' })
  t.match(page.headers['content-type'], /text\/html/)
  t.match(String(page.headers['content-security-policy'] ?? ''), /default-src 'self'/, 'a page has a content security policy')
  t.equal(page.headers['x-frame-options'], 'SAMEORIGIN', 'a page may not be framed by other sites')
  t.equal(page.headers['x-content-type-options'], 'nosniff')
})
