import type { FastifyInstance } from 'fastify'
import { signatures } from '../../src/db/schema.js'

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

/** An appeal created through the API by `owner`, opened unless asked otherwise. */
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

export async function signatureRows (app: FastifyInstance) {
  return app.db.select().from(signatures)
}
