import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { appeal, organiser, type Organiser } from './fixtures.js'

/** A file as a browser uploads it: its bytes as they are (a legacy encoding, a workbook) and its type. */
export interface UploadedFile { name: string, field: string, content: string | Buffer, type?: string }

/** A browser's view of the dashboard: its cookies, and the form token the pages hand out. */
export interface Browser {
  get: (url: string, headers?: Record<string, string>) => Promise<LightMyRequestResponse>
  /** Posts a form (url-encoded) with the page's CSRF token, unless `_csrf` is given (or null: none). */
  post: (url: string, fields?: Record<string, string | null>, headers?: Record<string, string>) => Promise<LightMyRequestResponse>
  /** Posts a multipart form with a file, as a browser does for an upload. */
  upload: (url: string, fields: Record<string, string>, file: UploadedFile) => Promise<LightMyRequestResponse>
  cookies: Map<string, string>
  csrf: () => Promise<string>
}

export const PASSWORD = 'correct horse battery'

/** HTML text as a browser reads it (the templates escape =, quotes and the like as entities). */
export const decodeHtml = (html: string): string => html.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
  .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** The value of the hidden _csrf field of a page. */
export const csrfOf = (body: string): string | undefined => /name="_csrf" value="([^"]+)"/.exec(body)?.[1]

export function browser (app: FastifyInstance): Browser {
  const cookies = new Map<string, string>()
  let token: string | undefined
  const keep = (response: LightMyRequestResponse): LightMyRequestResponse => {
    for (const cookie of response.cookies as Array<{ name: string, value: string, expires?: Date, maxAge?: number }>) {
      if (cookie.value === '' || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now()) || cookie.maxAge === 0) cookies.delete(cookie.name)
      else cookies.set(cookie.name, cookie.value)
    }
    const found = csrfOf(response.body)
    if (found !== undefined) token = found
    return response
  }
  const cookieHeader = (): Record<string, string> => cookies.size === 0 ? {} : { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
  const b: Browser = {
    cookies,
    get: async (url, headers = {}) => keep(await app.inject({ url, headers: { ...cookieHeader(), ...headers } })),
    async csrf () {
      if (token === undefined) await b.get('/admin/sign-in')
      return token ?? ''
    },
    async post (url, fields = {}, headers = {}) {
      const body = new URLSearchParams()
      const withToken = '_csrf' in fields ? fields : { _csrf: await b.csrf(), ...fields }
      for (const [k, v] of Object.entries(withToken)) if (v !== null) body.append(k, v)
      return keep(await app.inject({ method: 'POST', url, payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...cookieHeader(), ...headers } }))
    },
    async upload (url, fields, file) {
      const boundary = '----solidaria' + Math.random().toString(16).slice(2)
      const parts = Object.entries({ _csrf: await b.csrf(), ...fields }).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      // The file's bytes as they are: a sheet may be in a legacy encoding, or a workbook.
      const payload = Buffer.concat([
        Buffer.from(parts.join('') + `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'text/csv'}\r\n\r\n`),
        Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content), Buffer.from(`\r\n--${boundary}--\r\n`)
      ])
      return keep(await app.inject({ method: 'POST', url, payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...cookieHeader() } }))
    }
  }
  return b
}

/** A browser signed in to the dashboard as `who`. */
export async function signedInBrowser (app: FastifyInstance, who: Organiser, password = PASSWORD): Promise<Browser> {
  const b = browser(app)
  const response = await b.post('/admin/sign-in', { email: who.email, password })
  if (response.statusCode !== 303) throw new Error(`sign-in failed: ${response.statusCode} ${response.body.slice(0, 500)}`)
  return b
}

/** An open appeal, its owner signed in, and another organiser on its team as a viewer (who may read it, not change it). */
export async function appealWithViewer (app: FastifyInstance): Promise<{ owner: Organiser, viewer: Organiser, slug: string, b: Browser }> {
  const owner = await organiser(app)
  const viewer = await organiser(app)
  const slug = await appeal(app, owner)
  const added = await app.inject({ method: 'POST', url: `/api/admin/appeals/${slug}/members`, headers: owner.auth, payload: { email: viewer.email, role: 'viewer' } })
  if (added.statusCode !== 200) throw new Error(`adding the viewer failed: ${added.body}`)
  return { owner, viewer, slug, b: await signedInBrowser(app, owner) }
}
