import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { signatures } from '../../src/db/schema.js'
import { keyedHash } from '../../src/secrets/keys.js'
import { reveal } from '../../src/signatures/personal-fields.js'
import { normaliseEmail } from '../../src/signatures/email.js'

let counter = 0
const unique = (): string => `${Date.now().toString(36)}${(counter++).toString(36)}`

export interface Organiser { id: string, email: string, token: string, auth: { authorization: string } }

/** An organiser (or admin) account with an API token. */
export async function organiser (app: FastifyInstance, role: 'admin' | 'organiser' = 'organiser', password = 'correct horse battery'): Promise<Organiser> {
  const email = `${role}-${unique()}@example.org`
  const created = await app.services.organisers.create({ email, name: `Test ${role}`, password, role })
  const { token } = await app.services.organisers.createApiToken(created.id, 'tests')
  return { id: created.id, email, token, auth: { authorization: `Bearer ${token}` } }
}

/** An appeal created through the API by `owner`, opened unless asked otherwise; without email confirmation unless asked. */
export async function appeal (app: FastifyInstance, owner: Organiser, settings: Record<string, unknown> = {}, open = true): Promise<string> {
  const slug = `appeal-${unique()}`
  const response = await app.inject({
    method: 'POST',
    url: '/api/admin/appeals',
    headers: owner.auth,
    payload: {
      slug,
      originalLanguage: 'en',
      text: { title: 'Hands off Venezuela', summary: 'Stand with Venezuelan workers', body: 'We **stand** with them.', demands: ['Stop the sanctions', 'Respect the vote'] },
      requireConfirmation: false,
      ...settings
    }
  })
  if (response.statusCode !== 201) throw new Error(`appeal creation failed: ${response.statusCode} ${response.body}`)
  if (open) {
    const opened = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/open`, headers: owner.auth })
    if (opened.statusCode !== 200) throw new Error(`opening failed: ${opened.body}`)
  }
  return slug
}

export function person (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'individual', name: 'Ana Pérez', email: `ana-${unique()}@example.org`, country: 'VE', public: true, ...overrides }
}

export function organisation (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'organisation', name: 'Sam Contact', email: `union-${unique()}@example.org`, country: 'GB',
    organisation: 'Transport Workers Union', organisationType: 'trade_union', members: 120000, public: true, ...overrides
  }
}

export async function sign (app: FastifyInstance, slug: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/api/appeals/${slug}/signatures`, payload: body, headers })
}

/** Every signature, with its personal fields opened as its organisers see them. */
export async function signatureRows (app: FastifyInstance) {
  return (await app.db.select().from(signatures).orderBy(signatures.id)).map((row) => reveal(app.sealer, row))
}

/** The condition that finds a signature by its email (through the keyed hash; emails are sealed). */
export const byEmail = (app: FastifyInstance, email: string) => eq(signatures.emailHash, keyedHash(app.keys.emailHash, normaliseEmail(email)))

export async function idOf (app: FastifyInstance, email: string): Promise<number> {
  const row = (await signatureRows(app)).find((r) => r.email === email.toLowerCase())
  if (row === undefined) throw new Error(`no signature for ${email}`)
  return row.id
}

/**
 * An appeal with one signature of each kind a filter tells apart, on known dates: 'waiting' is pending
 * (CU, 2026-01-10), 'old' (VE, 2026-01-01, the only one who may be contacted), 'mid' (GB, 2026-02-01), 'union' an organisation (GB,
 * 2026-03-01), 'spam' hidden (VE, 2026-03-02); all @example.org.
 */
export async function filterableAppeal (app: FastifyInstance, owner: Organiser): Promise<string> {
  const slug = await appeal(app, owner, { requireConfirmation: true })
  const expect = async (response: Promise<{ statusCode: number, body: string }>, status: number): Promise<void> => {
    const { statusCode, body } = await response
    if (statusCode !== status) throw new Error(`expected ${status}, got ${statusCode}: ${body}`)
  }
  await expect(sign(app, slug, person({ name: 'Waiting', email: 'waiting@example.org', country: 'CU' })), 201)
  await expect(app.inject({ method: 'PATCH', url: `/api/admin/appeals/${slug}`, headers: owner.auth, payload: { requireConfirmation: false } }), 200)
  for (const body of [
    person({ name: 'Old VE', email: 'old@example.org', country: 'VE', contact: true }),
    person({ name: 'Mid GB', email: 'mid@example.org', country: 'GB' }),
    organisation({ name: 'Union GB', email: 'union@example.org', country: 'GB' }),
    person({ name: 'Spam', email: 'spam@example.org', country: 'VE' })
  ]) await expect(sign(app, slug, body), 201)
  await expect(app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/signatures/${await idOf(app, 'spam@example.org')}/hide`, headers: owner.auth }), 200)
  const dates: Record<string, string> = {
    'waiting@example.org': '2026-01-10T00:00:00Z',
    'old@example.org': '2026-01-01T00:00:00Z',
    'mid@example.org': '2026-02-01T00:00:00Z',
    'union@example.org': '2026-03-01T00:00:00Z',
    'spam@example.org': '2026-03-02T00:00:00Z'
  }
  for (const [email, at] of Object.entries(dates)) {
    await app.db.update(signatures).set({ createdAt: new Date(at) }).where(eq(signatures.id, await idOf(app, email)))
  }
  return slug
}
