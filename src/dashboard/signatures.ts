import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf, signedIn } from '../organisers/auth.js'
import { auditFilters, bulkDetails } from '../signatures/audit-details.js'
import { assertFiltersAllowed, forRole } from '../signatures/redaction.js'
import { SignatureId, Slug, SlugParams, Uuid, countryCodes } from '../http/schemas.js'
import type { AdminFilters } from '../signatures/admin-search.js'
import type { BulkCriteria } from '../signatures/moderation.js'
import { invalidFields, type FieldError } from '../errors/app-error.js'
import { refusal } from './form-input.js'
import { apiFilters, bulkHidePreview, eraseConfirmation, signaturesPage, type FilterValues } from './templates/signatures.js'
import { adminView, redirectAfter, sendAdmin } from './view.js'

const PAGE_SIZE = 50
const Text = Type.Optional(Type.String({ maxLength: 300 }))
const FilterQuery = Type.Object({
  q: Text, status: Text, kind: Text, country: Text, hidden: Text, notable: Text, contact: Text, from: Text, to: Text, ipHash: Text, emailDomain: Text,
  before: Type.Optional(SignatureId),
  notice: Text, count: Text, undo: Type.Optional(Uuid), lang: Text
})
const RowParams = Type.Object({ slug: Slug, id: SignatureId })
const ActionBody = Type.Object({ _csrf: Text, back: Type.Optional(Type.String({ maxLength: 2000 })) })

/**
 * Whether a date (2026-03-01) or a UTC time names a real day and time. 2026-13-45 looks like a date, and
 * PostgreSQL would refuse it in the query; it is the organiser's to correct, so it is not ignored either.
 */
function isRealTime (iso: string): boolean {
  const time = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso)
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === iso.slice(0, 10)
}

/** Refuses a date filter that is given but is not a real date, naming it. */
function assertDates (source: Record<string, unknown>, valid: (value: string) => boolean): void {
  const wrong: Record<string, FieldError> = {}
  for (const name of ['from', 'to']) {
    const value = source[name]
    if (typeof value === 'string' && value !== '' && !valid(value)) wrong[name] = { key: 'date' }
  }
  if (Object.keys(wrong).length > 0) throw invalidFields(wrong)
}

/** The filters the page's address carries that mean something (a value out of the lists is ignored; a wrong date is refused). */
function filterValues (query: Record<string, unknown>): FilterValues {
  assertDates(query, (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && isRealTime(v))
  const values: FilterValues = {}
  const text = (name: keyof FilterValues, valid: (value: string) => boolean): void => {
    const value = query[name]
    if (typeof value === 'string' && value !== '' && valid(value)) values[name] = value
  }
  text('q', () => true)
  text('status', (v) => ['pending', 'confirmed', 'erased'].includes(v))
  text('kind', (v) => ['individual', 'organisation'].includes(v))
  text('country', (v) => countryCodes.includes(v))
  for (const flag of ['hidden', 'notable', 'contact'] as const) text(flag, (v) => v === 'true' || v === 'false')
  text('from', (v) => /^\d{4}-\d{2}-\d{2}$/.test(v))
  text('to', (v) => /^\d{4}-\d{2}-\d{2}$/.test(v))
  text('ipHash', (v) => /^[A-Za-z0-9_-]{8,64}$/.test(v))
  text('emailDomain', (v) => /^[^@\s]+$/.test(v))
  return values
}

/** The filters as the signatures service takes them. */
function toAdminFilters (values: FilterValues): AdminFilters {
  const api = apiFilters(values)
  const flag = (value: string | undefined): boolean | undefined => value === undefined ? undefined : value === 'true'
  return {
    ...(api.q !== undefined && { q: api.q }),
    ...(api.status !== undefined && { status: api.status as AdminFilters['status'] }),
    ...(api.kind !== undefined && { kind: api.kind as AdminFilters['kind'] }),
    ...(api.country !== undefined && { country: api.country }),
    ...(flag(api.hidden) !== undefined && { hidden: flag(api.hidden) }),
    ...(flag(api.notable) !== undefined && { notable: flag(api.notable) }),
    ...(flag(api.contact) !== undefined && { contact: flag(api.contact) }),
    ...(api.ipHash !== undefined && { ipHash: api.ipHash }),
    ...(api.emailDomain !== undefined && { emailDomain: api.emailDomain }),
    ...(api.from !== undefined && { from: api.from }),
    ...(api.to !== undefined && { to: api.to })
  }
}

/** A `datetime-local` value as ISO time (UTC), or nothing. */
const utc = (value: unknown): string | undefined => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) && isRealTime(`${value}:00.000Z`) ? `${value}:00.000Z` : undefined
const isoTime = (value: string): boolean => /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(value) && isRealTime(value)

// The signatures of an appeal: search, filters and pages that stay fast at a million rows (newest
// first, by id), hiding spam (one, or a wave by address or email domain, with undo), notable marks,
// erasure, and the exports with the same filters.
const signaturePages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, signatures, erasure, audit } = app.services

  app.get('/appeals/:slug/signatures', { schema: { hide: true, params: SlugParams, querystring: FilterQuery } }, async (request, reply) => {
    const { appeal, contactData } = await appeals.access(signedIn(request), request.params.slug, 'signatures.moderate')
    const view = adminView(request, reply)
    const filters = filterValues(request.query)
    const adminFilters = toAdminFilters(filters)
    assertFiltersAllowed(contactData, adminFilters)
    const [texts, page] = await Promise.all([
      appeals.texts(appeal),
      signatures.search(appeal, { ...adminFilters, limit: PAGE_SIZE, ...(request.query.before !== undefined && { before: request.query.before }) })
    ])
    if (contactData) await audit.record(actorOf(request), 'signatures.view', { appealId: appeal.id, details: { count: page.items.length, filters: auditFilters(adminFilters) } })
    return sendAdmin(reply, view, view.a('signatures.title'), signaturesPage(view, {
      appeal, texts, filters, items: page.items.map((item) => forRole(contactData, item)), contactData,
      nextBefore: page.nextBefore, isFirstPage: request.query.before === undefined,
      here: request.url.replace(/([?&])(notice|count|undo)=[^&]*/g, '$1').replace(/[?&]+$/, ''),
      ...(request.query.undo !== undefined && { undo: request.query.undo })
    }))
  })

  // After an action on a row: back to the page (and filters) it was done from.
  const backTo = (slug: string, back: string | undefined): string =>
    back !== undefined && back.startsWith(`/admin/appeals/${slug}/signatures`) && !back.includes('//') ? back : `/admin/appeals/${slug}/signatures`

  const rowActions: Array<[string, (appealArg: Parameters<typeof signatures.setHidden>[0], id: number) => Promise<unknown>, string]> = [
    ['hide', (appeal, id) => signatures.setHidden(appeal, id, true), 'hidden'],
    ['unhide', (appeal, id) => signatures.setHidden(appeal, id, false), 'shown'],
    ['notable', (appeal, id) => signatures.setNotable(appeal, id, true), 'markedNotable'],
    ['not-notable', (appeal, id) => signatures.setNotable(appeal, id, false), 'unmarkedNotable']
  ]
  for (const [action, act, notice] of rowActions) {
    app.post(`/appeals/:slug/signatures/:id/${action}`, { schema: { hide: true, params: RowParams, body: ActionBody } }, async (request, reply) => {
      const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.moderate')
      await act(appeal, request.params.id)
      return redirectAfter(reply, backTo(appeal.slug, request.body.back), notice)
    })
  }

  app.get('/appeals/:slug/signatures/:id/erase', { schema: { hide: true, params: RowParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.erase')
    const found = await signatures.get(appeal, request.params.id)
    await audit.record(actorOf(request), 'signatures.view', { appealId: appeal.id, details: { count: 1, signatureId: found.id } })
    const view = adminView(request, reply)
    return sendAdmin(reply, view, view.a('erase.title'), eraseConfirmation(view, { appeal, texts: await appeals.texts(appeal), signature: found }))
  })

  app.post('/appeals/:slug/signatures/:id/erase', { schema: { hide: true, params: RowParams, body: ActionBody } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.erase')
    await erasure.eraseOne(appeal, request.params.id)
    await audit.record(actorOf(request), 'signatures.erase', { appealId: appeal.id, details: { signatureId: request.params.id } })
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/signatures`, 'erased')
  })

  /** What a bulk hiding takes from a form: one address or domain, and the window. */
  const criteriaOf = (source: Record<string, unknown>): BulkCriteria => {
    const text = (name: string): string | undefined => typeof source[name] === 'string' && source[name] !== '' ? source[name] : undefined
    // From the form a datetime-local value; from the preview's own form, the ISO time it was given.
    assertDates(source, (v) => utc(v) !== undefined || isoTime(v))
    const time = (name: string): string | undefined => utc(source[name]) ?? (isoTime(text(name) ?? '') ? text(name) : undefined)
    const from = time('from')
    const to = time('to')
    return {
      ...(text('ipHash') !== undefined && { ipHash: text('ipHash') }),
      ...(text('emailDomain') !== undefined && { emailDomain: text('emailDomain')?.replace(/^.*@/, '') }),
      ...(from !== undefined && { from }),
      ...(to !== undefined && { to })
    }
  }

  app.get('/appeals/:slug/signatures/bulk-hide', {
    schema: { hide: true, params: SlugParams, querystring: Type.Object({ ipHash: Text, emailDomain: Text, from: Text, to: Text, lang: Text }) }
  }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.moderate')
    const view = adminView(request, reply)
    const texts = await appeals.texts(appeal)
    const criteria = criteriaOf(request.query)
    try {
      const { count } = await signatures.bulkHide(appeal, criteria, true)
      return sendAdmin(reply, view, view.a('bulk.title'), bulkHidePreview(view, { appeal, texts, criteria: criteria as Record<string, string>, count }))
    } catch (err) {
      const refused = refusal(request, err)
      return sendAdmin(reply, view, view.a('bulk.title'), bulkHidePreview(view, { appeal, texts, criteria: {}, count: 0, error: Object.values(refused.fields)[0] ?? refused.message }), 400)
    }
  })

  app.post('/appeals/:slug/signatures/bulk-hide', {
    schema: { hide: true, params: SlugParams, body: Type.Object({ _csrf: Text, ipHash: Text, emailDomain: Text, from: Text, to: Text }) }
  }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.moderate')
    const criteria = criteriaOf(request.body)
    const result = await signatures.bulkHide(appeal, criteria, false)
    await audit.record(actorOf(request), 'signatures.bulkHide', { appealId: appeal.id, details: bulkDetails(criteria, result) })
    const { count, batch } = result
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/signatures`, 'bulkHidden', { count: String(count), ...(batch !== null && { undo: batch }) })
  })

  app.post('/appeals/:slug/signatures/bulk-hide/undo', {
    schema: { hide: true, params: SlugParams, body: Type.Object({ _csrf: Text, batch: Uuid }) }
  }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'signatures.moderate')
    const count = await signatures.undoBulkHide(appeal, request.body.batch)
    await audit.record(actorOf(request), 'signatures.bulkHideUndo', { appealId: appeal.id, details: { batch: request.body.batch, count } })
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/signatures`, 'bulkUndone', { count: String(count) })
  })
}

export default signaturePages
