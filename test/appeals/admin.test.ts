import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { appealMembers, appeals, appealTexts, events, signatures } from '../../src/db/schema.js'
import { eachDatabase, json } from '../helpers/app.js'
import { appeal, organiser, person, sign, signatureRows, type Organiser } from '../helpers/fixtures.js'

const original = { title: 'Hands off Venezuela', summary: 'Stand with Venezuelan workers', body: 'We **stand** with them.', demands: ['Stop the sanctions', 'Respect the vote'] }
const spanish = { title: 'Manos fuera de Venezuela', summary: 'Con los trabajadores venezolanos', body: 'Estamos **con** ellos.', demands: ['Fin de las sanciones'] }
const notFound = { error: { code: 'APPEAL_NOT_FOUND', message: 'There is no appeal at this address.', fields: {} } }

async function appealRow (app: FastifyInstance, slug: string) {
  const [row] = await app.db.select().from(appeals).where(eq(appeals.slug, slug))
  return row
}

async function memberIds (app: FastifyInstance, slug: string): Promise<string[]> {
  const row = await appealRow(app, slug)
  if (row === undefined) return []
  const rows = await app.db.select().from(appealMembers).where(eq(appealMembers.appealId, row.id))
  return rows.map((r) => r.organiserId).sort()
}

const admin = (app: FastifyInstance, who: Organiser | null, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, payload?: Record<string, unknown>) =>
  app.inject({ method, url: `/api/admin${path}`, headers: who === null ? {} : who.auth, ...(payload !== undefined && { payload }) })

eachDatabase(t, 'an organiser creates a draft appeal and becomes its member', async (t, { app }) => {
  const owner = await organiser(app)
  const response = await admin(app, owner, 'POST', '/appeals', { slug: 'stop-the-blockade', originalLanguage: 'en', text: original, goal: 10000 })
  t.equal(response.statusCode, 201)
  t.match(json(response), { slug: 'stop-the-blockade', status: 'draft', originalLanguage: 'en', goal: 10000, languages: ['en'], texts: { en: original } })
  t.same(await memberIds(app, 'stop-the-blockade'), [owner.id], 'the creator manages the appeal')
  const members = json(await admin(app, owner, 'GET', '/appeals/stop-the-blockade/members'))
  t.same(members.items.map((m: { email: string }) => m.email), [owner.email])
  t.same(json(await admin(app, owner, 'GET', '/appeals')).items.map((a: { slug: string }) => a.slug), ['stop-the-blockade'])
  t.equal((await app.inject({ method: 'GET', url: '/api/appeals/stop-the-blockade' })).statusCode, 404, 'a draft is not public')

  const minimal = await admin(app, owner, 'POST', '/appeals', { slug: 'only-a-title', originalLanguage: 'es', text: { title: 'Solo un título' } })
  t.equal(minimal.statusCode, 201)
  t.same(json(minimal).texts, { es: { title: 'Solo un título', summary: '', body: '', demands: [] } })
})

eachDatabase(t, 'a bad slug is refused with a message for the slug and nothing is created', async (t, { app }) => {
  const owner = await organiser(app)
  for (const slug of ['Hands Off', 'hands_off', '-hands-off', 'hands--off', 'hands-off-', 'ñandú']) {
    const response = await admin(app, owner, 'POST', '/appeals', { slug, originalLanguage: 'en', text: original })
    t.equal(response.statusCode, 400, `"${slug}" is refused`)
    t.equal(json(response).error.code, 'VALIDATION_FAILED')
    t.equal(json(response).error.fields.slug, 'Use lower-case letters, digits and hyphens only.')
  }
  const tooShort = await admin(app, owner, 'POST', '/appeals', { slug: 'a', originalLanguage: 'en', text: original })
  t.equal(tooShort.statusCode, 400)
  t.ok(json(tooShort).error.fields.slug)
  const badLanguage = await admin(app, owner, 'POST', '/appeals', { slug: 'fine-slug', originalLanguage: 'xx', text: original })
  t.equal(badLanguage.statusCode, 400)
  t.equal(json(badLanguage).error.fields.originalLanguage, 'Choose one of the site\'s languages.')
  t.equal((await app.db.select().from(appeals)).length, 0)
  t.equal((await app.db.select().from(appealTexts)).length, 0)

  const existing = await appeal(app, owner)
  const rename = await admin(app, owner, 'PATCH', `/appeals/${existing}`, { slug: 'Not A Slug' })
  t.equal(rename.statusCode, 400)
  t.ok(json(rename).error.fields.slug)
  t.ok(await appealRow(app, existing), 'the appeal keeps its address')
})

eachDatabase(t, 'a slug belongs to one appeal only', async (t, { app }) => {
  const owner = await organiser(app)
  const other = await organiser(app)
  const taken = await appeal(app, owner)
  const again = await admin(app, other, 'POST', '/appeals', { slug: taken, originalLanguage: 'es', text: { title: 'Otro llamamiento' } })
  t.equal(again.statusCode, 409)
  t.same(json(again), { error: { code: 'SLUG_TAKEN', message: 'Another appeal already uses this address.', fields: {} } })
  t.equal((await app.db.select().from(appeals)).length, 1)
  t.same(json(await app.inject({ method: 'GET', url: `/api/appeals/${taken}` })).texts, { en: original }, 'the first appeal is untouched')
  t.same(await memberIds(app, taken), [owner.id], 'the refused creator did not become a member')

  const second = await appeal(app, owner)
  const rename = await admin(app, owner, 'PATCH', `/appeals/${second}`, { slug: taken })
  t.equal(rename.statusCode, 409)
  t.equal(json(rename).error.code, 'SLUG_TAKEN')
  t.ok(await appealRow(app, second), 'the renamed appeal keeps its own address')
  const ownSlug = await admin(app, owner, 'PATCH', `/appeals/${second}`, { slug: second, goal: 5 })
  t.equal(ownSlug.statusCode, 200, 'keeping its own slug is not a conflict')
})

eachDatabase(t, 'an organiser changes the goal and the dates', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const opensAt = '2030-03-01T09:00:00.000Z'
  const closesAt = '2030-05-01T18:00:00.000Z'
  const changed = await admin(app, owner, 'PATCH', `/appeals/${slug}`, { goal: 50000, opensAt, closesAt })
  t.equal(changed.statusCode, 200)
  t.match(json(changed), { slug, goal: 50000, opensAt, closesAt })
  t.match(json(await admin(app, owner, 'GET', `/appeals/${slug}`)), { goal: 50000, opensAt, closesAt })
  t.match(json(await app.inject({ method: 'GET', url: `/api/appeals/${slug}` })), { goal: 50000, opensAt, closesAt })

  const backwards = await admin(app, owner, 'PATCH', `/appeals/${slug}`, { goal: 1, opensAt: '2030-06-01T00:00:00Z', closesAt: '2030-01-01T00:00:00Z' })
  t.equal(backwards.statusCode, 400)
  t.equal(json(backwards).error.code, 'VALIDATION_FAILED')
  t.same(json(backwards).error.fields, { closesAt: 'The closing time must be after the opening time.' })
  const beforeStoredOpening = await admin(app, owner, 'PATCH', `/appeals/${slug}`, { closesAt: '2030-02-01T00:00:00Z' })
  t.equal(beforeStoredOpening.statusCode, 400, 'checked against the opening time already stored')
  t.ok(json(beforeStoredOpening).error.fields.closesAt)
  const row = await appealRow(app, slug)
  t.equal(row?.goal, 50000, 'a refused change writes nothing')
  t.equal(row?.opensAt?.toISOString(), opensAt)
  t.equal(row?.closesAt?.toISOString(), closesAt)

  const badDate = await admin(app, owner, 'PATCH', `/appeals/${slug}`, { opensAt: 'next tuesday' })
  t.equal(badDate.statusCode, 400)
  t.same(json(badDate).error.fields, { opensAt: 'Enter a date and time.' })
  const zeroGoal = await admin(app, owner, 'PATCH', `/appeals/${slug}`, { goal: 0 })
  t.equal(zeroGoal.statusCode, 400, 'a goal of 0 is refused, not taken to mean "no goal"')
  t.same(json(zeroGoal).error?.fields, { goal: 'Enter a number of at least 1.' })
  t.equal((await appealRow(app, slug))?.goal, 50000, 'the goal is kept')

  const cleared = await admin(app, owner, 'PATCH', `/appeals/${slug}`, { goal: null, opensAt: null, closesAt: null })
  t.equal(cleared.statusCode, 200)
  t.match(json(cleared), { goal: null, opensAt: null, closesAt: null })

  const createdBackwards = await admin(app, owner, 'POST', '/appeals', { slug: 'backwards', originalLanguage: 'en', text: original, opensAt: '2030-06-01T00:00:00Z', closesAt: '2030-06-01T00:00:00Z' })
  t.equal(createdBackwards.statusCode, 400)
  t.ok(json(createdBackwards).error.fields.closesAt)
  t.notOk(await appealRow(app, 'backwards'))
})

eachDatabase(t, 'an appeal is opened, closed and reopened', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner, {}, false)
  const publicSlugs = async () => json(await app.inject({ method: 'GET', url: '/api/appeals' })).items.map((a: { slug: string }) => a.slug)

  const opened = await admin(app, owner, 'POST', `/appeals/${slug}/open`)
  t.equal(opened.statusCode, 200)
  t.equal(json(opened).status, 'open')
  t.same(await publicSlugs(), [slug])
  t.equal((await sign(app, slug, person())).statusCode, 201)

  const closed = await admin(app, owner, 'POST', `/appeals/${slug}/close`)
  t.equal(closed.statusCode, 200)
  t.equal(json(closed).status, 'closed')
  t.same(await publicSlugs(), [])
  t.equal(json(await app.inject({ method: 'GET', url: `/api/appeals/${slug}` })).status, 'closed')
  t.equal(json(await sign(app, slug, person())).error.code, 'APPEAL_CLOSED')

  const reopened = await admin(app, owner, 'POST', `/appeals/${slug}/open`)
  t.equal(reopened.statusCode, 200)
  t.equal(json(reopened).status, 'open')
  t.equal((await appealRow(app, slug))?.status, 'open')
  t.equal((await sign(app, slug, person())).statusCode, 201)
  t.equal((await signatureRows(app)).length, 2)
})

eachDatabase(t, 'translations are added, replaced and removed, but never the original', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const put = await admin(app, owner, 'PUT', `/appeals/${slug}/texts/es`, spanish)
  t.equal(put.statusCode, 200)
  t.same(json(put).languages, ['en', 'es'])
  const shown = json(await app.inject({ method: 'GET', url: `/api/appeals/${slug}` }))
  t.same(shown.languages, ['en', 'es'])
  t.same(shown.texts, { en: original, es: spanish })

  const replaced = await admin(app, owner, 'PUT', `/appeals/${slug}/texts/es`, { title: 'Fuera las manos de Venezuela' })
  t.equal(replaced.statusCode, 200)
  t.same(json(replaced).texts.es, { title: 'Fuera las manos de Venezuela', summary: '', body: '', demands: [] })
  t.equal((await app.db.select().from(appealTexts)).length, 2, 'replacing does not add a row')

  const badLanguage = await admin(app, owner, 'PUT', `/appeals/${slug}/texts/xx`, spanish)
  t.equal(badLanguage.statusCode, 400)
  t.equal(json(badLanguage).error.fields.language, 'Choose one of the site\'s languages.')
  const noTitle = await admin(app, owner, 'PUT', `/appeals/${slug}/texts/fr`, { summary: 'Sans titre' })
  t.equal(noTitle.statusCode, 400)
  t.equal(json(noTitle).error.fields.title, 'This field is required.')

  const removed = await admin(app, owner, 'DELETE', `/appeals/${slug}/texts/es`)
  t.equal(removed.statusCode, 200)
  t.same(json(removed).languages, ['en'])
  t.same(json(await app.inject({ method: 'GET', url: `/api/appeals/${slug}` })).languages, ['en'])

  const originalGone = await admin(app, owner, 'DELETE', `/appeals/${slug}/texts/en`)
  t.equal(originalGone.statusCode, 409)
  t.same(json(originalGone), { error: { code: 'ORIGINAL_TEXT_REQUIRED', message: 'The text in the appeal\'s original language cannot be removed.', fields: {} } })
  t.same(json(await app.inject({ method: 'GET', url: `/api/appeals/${slug}` })).texts, { en: original }, 'the original is still there')

  const newOriginal = await admin(app, owner, 'PUT', `/appeals/${slug}/texts/en`, { ...original, title: 'Hands off Venezuela!' })
  t.equal(newOriginal.statusCode, 200, 'the original text may be edited')
  t.equal(json(newOriginal).texts.en.title, 'Hands off Venezuela!')
})

eachDatabase(t, 'changing texts and settings never loses signatures', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  for (let i = 0; i < 3; i++) t.equal((await sign(app, slug, person())).statusCode, 201)
  const before = (await signatureRows(app)).map((s) => s.id).sort()

  t.equal((await admin(app, owner, 'PUT', `/appeals/${slug}/texts/es`, spanish)).statusCode, 200)
  t.equal((await admin(app, owner, 'PUT', `/appeals/${slug}/texts/en`, { ...original, body: 'Rewritten.' })).statusCode, 200)
  t.equal((await admin(app, owner, 'DELETE', `/appeals/${slug}/texts/es`)).statusCode, 200)
  t.equal((await admin(app, owner, 'PATCH', `/appeals/${slug}`, { goal: 100, allowOrganisations: false })).statusCode, 200)
  t.equal((await admin(app, owner, 'POST', `/appeals/${slug}/close`)).statusCode, 200)
  t.equal((await admin(app, owner, 'POST', `/appeals/${slug}/open`)).statusCode, 200)
  const renamed = `${slug}-renamed`
  t.equal((await admin(app, owner, 'PATCH', `/appeals/${slug}`, { slug: renamed })).statusCode, 200)

  const rows = await signatureRows(app)
  t.same(rows.map((s) => s.id).sort(), before, 'every signature is still there')
  const row = await appealRow(app, renamed)
  t.ok(rows.every((s) => s.appealId === row?.id && s.status === 'confirmed'))
  const listed = await admin(app, owner, 'GET', `/appeals/${renamed}/signatures`)
  t.equal(listed.statusCode, 200)
  t.equal(json(listed).items.length, 3)
  t.equal((await app.inject({ method: 'GET', url: `/api/appeals/${slug}` })).statusCode, 404, 'the old address is gone')
})

eachDatabase(t, 'another organiser can neither see nor touch an appeal they do not manage', async (t, { app }) => {
  const a = await organiser(app)
  const b = await organiser(app)
  const slug = await appeal(app, a)
  const ownOfB = await appeal(app, b)
  t.equal((await admin(app, a, 'PUT', `/appeals/${slug}/texts/es`, spanish)).statusCode, 200)
  t.equal((await sign(app, slug, person())).statusCode, 201)
  const [signature] = await signatureRows(app)
  const event = await admin(app, a, 'POST', `/appeals/${slug}/events`, { title: 'Rally in Caracas', startsAt: '2030-05-01T12:00:00Z', country: 'VE' })
  t.equal(event.statusCode, 201)
  const eventId = json(event).id as string

  const attempts: Array<[method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, payload?: Record<string, unknown>]> = [
    ['GET', ''],
    ['PATCH', '', { goal: 1 }],
    ['POST', '/open'],
    ['POST', '/close'],
    ['PUT', '/texts/fr', { title: 'Bas les pattes' }],
    ['DELETE', '/texts/es'],
    ['GET', '/members'],
    ['POST', '/events', { title: 'Fake event', startsAt: '2030-05-01T12:00:00Z', country: 'GB' }],
    ['PATCH', `/events/${eventId}`, { title: 'Changed' }],
    ['DELETE', `/events/${eventId}`],
    ['GET', '/signatures'],
    ['POST', `/signatures/${signature?.id}/hide`],
    ['DELETE', `/signatures/${signature?.id}`],
    ['GET', '/export.csv'],
    ['GET', '/export.ndjson']
  ]
  for (const [method, path, payload] of attempts) {
    const response = await admin(app, b, method, `/appeals/${slug}${path}`, payload)
    t.equal(response.statusCode, 404, `${method} ${path || '/'} answers 404`)
    t.same(json(response), notFound, `${method} ${path || '/'} answers like a missing appeal`)
    const missing = await admin(app, b, method, `/appeals/no-such-appeal${path}`, payload)
    t.equal(response.body, missing.body, `${method} ${path || '/'} does not reveal that the appeal exists`)
  }

  const list = json(await admin(app, b, 'GET', '/appeals')).items.map((x: { slug: string }) => x.slug)
  t.same(list, [ownOfB], 'B lists only their own appeal')

  const row = await appealRow(app, slug)
  t.match(row, { status: 'open', goal: null })
  const texts = await app.db.select().from(appealTexts).where(eq(appealTexts.appealId, row!.id))
  t.same(texts.map((x) => x.language).sort(), ['en', 'es'], 'texts untouched')
  const eventRows = await app.db.select().from(events).where(eq(events.appealId, row!.id))
  t.same(eventRows.map((e) => e.title), ['Rally in Caracas'], 'events untouched')
  const [after] = await app.db.select().from(signatures).where(eq(signatures.appealId, row!.id))
  t.match(after, { status: 'confirmed', hiddenAt: null, name: 'Ana Pérez' }, 'the signature is untouched')
})

eachDatabase(t, 'an admin sees and manages every appeal', async (t, { app }) => {
  const a = await organiser(app)
  const root = await organiser(app, 'admin')
  const open = await appeal(app, a)
  const draft = await appeal(app, a, {}, false)
  t.equal((await sign(app, open, person())).statusCode, 201)

  const list = json(await admin(app, root, 'GET', '/appeals')).items.map((x: { slug: string }) => x.slug)
  t.same(list.sort(), [open, draft].sort())
  t.equal((await admin(app, root, 'GET', `/appeals/${draft}`)).statusCode, 200)
  t.equal(json(await admin(app, root, 'PATCH', `/appeals/${open}`, { goal: 777 })).goal, 777)
  t.equal(json(await admin(app, root, 'POST', `/appeals/${draft}/open`)).status, 'open')
  t.equal(json(await admin(app, root, 'POST', `/appeals/${open}/close`)).status, 'closed')
  t.same(json(await admin(app, root, 'PUT', `/appeals/${open}/texts/es`, spanish)).languages, ['en', 'es'])
  t.equal(json(await admin(app, root, 'GET', `/appeals/${open}/signatures`)).items.length, 1)
  const csv = await admin(app, root, 'GET', `/appeals/${open}/export.csv`)
  t.equal(csv.statusCode, 200)
  t.match(csv.body, /Ana Pérez/)
  t.equal((await admin(app, root, 'POST', `/appeals/${open}/events`, { title: 'Picket', startsAt: '2030-05-01T12:00:00Z', country: 'GB' })).statusCode, 201)
  t.same(await memberIds(app, open), [a.id], 'managing does not make the admin a member')
})

eachDatabase(t, 'only an appeal\'s owners (and admins) add and remove its team', async (t, { app }) => {
  const a = await organiser(app)
  const b = await organiser(app)
  const c = await organiser(app)
  const root = await organiser(app, 'admin')
  const slug = await appeal(app, a)
  const forbidden = { error: { code: 'FORBIDDEN', message: 'You are not allowed to do this.', fields: {} } }
  t.equal((await admin(app, root, 'POST', `/appeals/${slug}/members`, { email: c.email, role: 'organiser' })).statusCode, 200)

  const byOrganiser = await admin(app, c, 'POST', `/appeals/${slug}/members`, { email: b.email })
  t.equal(byOrganiser.statusCode, 403, 'an organiser of the appeal does not manage its team')
  t.same(json(byOrganiser), forbidden)
  const byOutsider = await admin(app, b, 'POST', `/appeals/${slug}/members`, { email: b.email })
  t.equal(byOutsider.statusCode, 404, 'someone off the team learns nothing')
  const removal = await admin(app, c, 'DELETE', `/appeals/${slug}/members/${a.id}`)
  t.equal(removal.statusCode, 403)
  t.same(json(removal), forbidden)
  t.same(await memberIds(app, slug), [a.id, c.id].sort(), 'nothing changed')
  t.equal((await admin(app, b, 'GET', `/appeals/${slug}`)).statusCode, 404)
  t.equal((await admin(app, root, 'DELETE', `/appeals/${slug}/members/${c.id}`)).statusCode, 200)

  const added = await admin(app, root, 'POST', `/appeals/${slug}/members`, { email: b.email.toUpperCase() })
  t.equal(added.statusCode, 200)
  t.same(json(added).items.map((m: { email: string }) => m.email).sort(), [a.email, b.email].sort())
  t.same(await memberIds(app, slug), [a.id, b.id].sort())
  t.equal((await admin(app, root, 'POST', `/appeals/${slug}/members`, { email: b.email })).statusCode, 200, 'adding twice is harmless')
  t.equal((await app.db.select().from(appealMembers)).length, 2, 'one row per member')

  t.equal((await admin(app, b, 'GET', `/appeals/${slug}`)).statusCode, 200, 'B now manages the appeal')
  t.equal(json(await admin(app, b, 'PATCH', `/appeals/${slug}`, { goal: 42 })).goal, 42)
  t.ok(json(await admin(app, b, 'GET', '/appeals')).items.some((x: { slug: string }) => x.slug === slug))

  const unknown = await admin(app, root, 'POST', `/appeals/${slug}/members`, { email: 'nobody@example.org' })
  t.equal(unknown.statusCode, 404)
  t.same(json(unknown), { error: { code: 'ORGANISER_NOT_FOUND', message: 'There is no organiser with that email address.', fields: {} } })

  const removed = await admin(app, root, 'DELETE', `/appeals/${slug}/members/${b.id}`)
  t.equal(removed.statusCode, 200)
  t.same(json(removed).items.map((m: { email: string }) => m.email), [a.email])
  t.same(await memberIds(app, slug), [a.id])
  t.equal((await admin(app, b, 'GET', `/appeals/${slug}`)).statusCode, 404, 'B no longer manages the appeal')
  t.equal((await admin(app, b, 'PATCH', `/appeals/${slug}`, { goal: 1 })).statusCode, 404)
  t.notOk(json(await admin(app, b, 'GET', '/appeals')).items.some((x: { slug: string }) => x.slug === slug))
  t.equal((await appealRow(app, slug))?.goal, 42)
})

eachDatabase(t, 'nobody manages appeals without signing in', async (t, { app }) => {
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  const unauthenticated = { error: { code: 'UNAUTHENTICATED', message: 'Please sign in first.', fields: {} } }
  const attempts: Array<[method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, payload?: Record<string, unknown>]> = [
    ['GET', '/appeals'],
    ['POST', '/appeals', { slug: 'sneaky', originalLanguage: 'en', text: { title: 'Sneaky' } }],
    ['GET', `/appeals/${slug}`],
    ['PATCH', `/appeals/${slug}`, { goal: 1 }],
    ['POST', `/appeals/${slug}/close`],
    ['PUT', `/appeals/${slug}/texts/es`, spanish],
    ['POST', `/appeals/${slug}/members`, { email: owner.email }],
    ['GET', `/appeals/${slug}/export.csv`]
  ]
  for (const [method, path, payload] of attempts) {
    const response = await admin(app, null, method, path, payload)
    t.equal(response.statusCode, 401, `${method} ${path}`)
    t.same(json(response), unauthenticated)
    const garbage = await app.inject({ method, url: `/api/admin${path}`, headers: { authorization: 'Bearer sol_not-a-real-token' }, ...(payload !== undefined && { payload }) })
    t.equal(garbage.statusCode, 401, `${method} ${path} with a made-up token`)
  }
  t.notOk(await appealRow(app, 'sneaky'))
  t.match(await appealRow(app, slug), { status: 'open', goal: null })
  const texts = await app.db.select().from(appealTexts).where(eq(appealTexts.language, 'es'))
  t.equal(texts.length, 0)
})

eachDatabase(t, 'two appeals renamed to one slug at once: one gets it, the other SLUG_TAKEN', async (t, { app }) => {
  const owner = await organiser(app)
  const { appeals: service } = app.services
  const [first, second] = await Promise.all([appeal(app, owner), appeal(app, owner)].map(async (slug) => service.getPublic(await slug)))
  if (first === undefined || second === undefined) throw new Error('no appeals')
  // Both look the slug up before either writes it, as two requests at once may.
  const outcomes = await Promise.allSettled([first, second].map((a) => service.update(a, { slug: 'wanted-by-both' })))
  t.same(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected'])
  const refused = outcomes.find((o) => o.status === 'rejected')
  t.match(refused?.reason, { statusCode: 409, code: 'SLUG_TAKEN' }, 'the unique violation is SLUG_TAKEN, not a 500')
})
