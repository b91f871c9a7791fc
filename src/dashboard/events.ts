import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { html } from 'ghtml'
import { Type } from 'typebox'
import type { Appeal } from '../appeals/service.js'
import { EventInput } from '../events/schemas.js'
import type { SolidarityEvent } from '../events/service.js'
import { signedIn } from '../organisers/auth.js'
import { instantOf, isTimeZone, timeZones, wallClock } from '../events/local-time.js'
import { approveEvent } from '../events/approval.js'
import { formValue, isRefusal, throughSchema } from './form-input.js'
import { appealHeader } from './templates/appeal-nav.js'
import { buttonForm, csrfField, errorSummary, inputField, selectField } from './templates/forms.js'
import { adminView, redirectAfter, sendAdmin, type AdminView } from './view.js'
import { Slug, SlugParams, Uuid } from '../http/schemas.js'

const EventParams = Type.Object({ slug: Slug, id: Uuid })
const Form = Type.Record(Type.String(), Type.Unknown())
const PageQuery = Type.Object({ notice: Type.Optional(Type.String({ maxLength: 40 })), lang: Type.Optional(Type.String({ maxLength: 35 })) })

interface EventForm { values: Record<string, string>, errors: Record<string, string>, message?: string }

const stateOf = (e: SolidarityEvent): EventForm => ({
  values: {
    title: e.title, startsAt: wallClock(e.startsAt, e.timeZone), timeZone: e.timeZone, organiser: e.organiser ?? '', city: e.city ?? '', country: e.country, latitude: e.latitude === null ? '' : String(e.latitude),
    longitude: e.longitude === null ? '' : String(e.longitude), link: e.link ?? '', attendance: e.attendance === null ? '' : String(e.attendance)
  },
  errors: {}
})

/** An event's form: where it is can be typed, or picked on the small map the dashboard's script adds. */
function eventForm (view: AdminView, action: string, state: EventForm, submit: string): string {
  const a = view.a
  const v = (name: string): string => state.values[name] ?? ''
  const err = (name: string) => state.errors[name] === undefined ? {} : { error: state.errors[name] }
  const f = view.i18n('fielddata')
  return html`!${errorSummary(view, state.message, state.errors)}
<form method="post" action="${action}" novalidate class="admin-form event-form" data-place-form>
!${csrfField(view)}
!${inputField({ name: 'title', label: a('events.eventTitle'), value: v('title'), required: true, maxlength: 200, ...err('title') })}
!${inputField({ name: 'startsAt', label: a('events.startsAt'), type: 'datetime-local', value: v('startsAt'), required: true, help: f('submit.startsAtHelp'), ...err('startsAt') })}
!${selectField({ name: 'timeZone', label: f('submit.timeZone'), value: v('timeZone') === '' ? 'UTC' : v('timeZone'), required: true, options: timeZones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') })), ...err('timeZone') }).replace('<select ', '<select data-time-zone ')}
!${selectField({ name: 'country', label: a('events.country'), value: v('country'), required: true, options: [{ value: '', label: view.t('form.countryChoose') }, ...view.countries.map((c) => ({ value: c.code, label: c.name }))], ...err('country') }).replace('<select ', '<select data-place-country ')}
!${inputField({ name: 'city', label: a('events.city'), value: v('city'), maxlength: 120, help: f('submit.cityHelp'), attributes: 'list="city-suggestions" autocomplete="off" data-place-city', ...err('city') })}
<datalist id="city-suggestions"></datalist>
!${inputField({ name: 'organiser', label: f('submit.organiser'), value: v('organiser'), maxlength: 200, ...err('organiser') })}
<fieldset class="coordinates"><legend>${a('events.place')}</legend>
<p class="help" id="coordinates-help">${a('events.placeHelp')}</p>
<div class="map-picker" data-map-picker data-shapes="${view.mapShapes ?? ''}" role="application" aria-label="${a('events.mapLabel')}" hidden></div>
!${inputField({ name: 'latitude', label: a('events.latitude'), type: 'number', value: v('latitude'), attributes: 'step="any" min="-90" max="90" inputmode="decimal"', ...err('latitude') })}
!${inputField({ name: 'longitude', label: a('events.longitude'), type: 'number', value: v('longitude'), attributes: 'step="any" min="-180" max="180" inputmode="decimal"', ...err('longitude') })}
</fieldset>
!${inputField({ name: 'link', label: a('events.link'), type: 'url', value: v('link'), maxlength: 2000, ...err('link') })}
!${inputField({ name: 'attendance', label: a('events.attendance'), type: 'number', value: v('attendance'), attributes: 'min="0" inputmode="numeric"', ...err('attendance') })}
<p><button type="submit" class="button">${submit}</button></p>
</form>`
}

/** A supporter's report after the event, waiting for approval or approved. */
function reportCell (view: AdminView, base: string, e: SolidarityEvent): string {
  if (e.reportStatus === 'none') return ''
  const f = view.i18n('fielddata')
  return html`<div class="event-report-admin"><p>${f('events.reported', { count: e.reportAttendance ?? 0 })}</p>!${e.reportText === null ? '' : html`<p>${e.reportText}</p>`}!${e.reportStatus === 'pending' ? buttonForm(view, `${base}/${e.id}/approve-report`, f('events.approveReport'), { name: `${f('events.approveReport')}: ${e.title}` }) : ''}</div>`
}

function eventsPage (view: AdminView, appeal: Appeal, texts: Parameters<typeof appealHeader>[2], list: SolidarityEvent[], form: EventForm): string {
  const a = view.a
  const base = `/admin/appeals/${appeal.slug}/events`
  return appealHeader(view, appeal, texts, 'events', a('events.title')) + html`
!${list.length === 0
? html`<p>${a('events.none')}</p>`
: html`<div class="table-scroll"><table class="admin-table"><thead><tr><th scope="col">${a('events.eventTitle')}</th><th scope="col">${a('events.startsAt')}</th><th scope="col">${a('events.where')}</th><th scope="col">${a('events.attendance')}</th><th scope="col">${a('signatures.actions')}</th></tr></thead>
<tbody>!${list.map((e) => html`<tr><th scope="row">${e.title}</th><td data-label="${a('events.startsAt')}"><time datetime="${e.startsAt.toISOString()}">${view.eventTime(e)}</time></td><td data-label="${a('events.where')}">${[e.city, view.country(e.country)].filter(Boolean).join(', ')}!${e.latitude === null ? '' : html`<br><span class="muted">${e.latitude.toFixed(3)}, ${e.longitude?.toFixed(3) ?? ''}!${e.approximate ? html` (${view.i18n('fielddata')('events.approximate')})` : ''}</span>`}</td><td data-label="${a('events.attendance')}">${e.attendance === null ? '' : view.number(e.attendance)}!${reportCell(view, base, e)}</td>
<td class="actions">!${e.status === 'pending' ? html`<strong class="badge">${view.i18n('fielddata')('events.pending')}</strong> !${buttonForm(view, `${base}/${e.id}/approve`, view.i18n('fielddata')('events.approve'), { name: `${view.i18n('fielddata')('events.approve')}: ${e.title}` })} ` : ''}<a href="${base}/${e.id}">${a('events.edit')}<span class="visually-hidden">: ${e.title}</span></a> !${buttonForm(view, `${base}/${e.id}/remove`, a('events.remove'), { secondary: true, name: `${a('events.remove')}: ${e.title}` })}</td></tr>`)}</tbody></table></div>`}
<section aria-labelledby="add-heading"><h2 id="add-heading">${a('events.add')}</h2>!${eventForm(view, base, form, a('events.addButton'))}</section>`
}

/** The form's local time, read in the time zone chosen beside it. */
function startsAtOf (body: Record<string, unknown>): string | null {
  const local = formValue.text(body, 'startsAt')
  const zone = formValue.text(body, 'timeZone') ?? 'UTC'
  if (local === undefined) return null
  return (isTimeZone(zone) ? instantOf(local, zone)?.toISOString() : undefined) ?? local
}

function eventInput (body: Record<string, unknown>) {
  const zone = formValue.text(body, 'timeZone')
  return {
    title: formValue.text(body, 'title'),
    startsAt: startsAtOf(body),
    timeZone: zone !== undefined && isTimeZone(zone) ? zone : 'UTC',
    organiser: formValue.text(body, 'organiser') === '' ? null : formValue.nullableText(body, 'organiser'),
    city: formValue.nullableText(body, 'city'),
    country: formValue.text(body, 'country'),
    latitude: formValue.number(body, 'latitude'),
    longitude: formValue.number(body, 'longitude'),
    link: formValue.nullableText(body, 'link'),
    attendance: formValue.number(body, 'attendance')
  }
}

const sentState = (body: Record<string, unknown>, errors: Record<string, string>, message: string): EventForm =>
  ({ values: Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string')), errors, message })

// Solidarity events: the list, adding, changing and removing one; each shows on the public map.
const eventPages: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, events } = app.services

  async function listPage (request: FastifyRequest, reply: FastifyReply, appeal: Appeal, form: EventForm, status = 200) {
    const view = adminView(request, reply)
    const [texts, list] = await Promise.all([appeals.texts(appeal), events.listAll(appeal)])
    return sendAdmin(reply, view, view.a('events.title'), eventsPage(view, appeal, texts, list, form), status)
  }

  app.get('/appeals/:slug/events', { schema: { hide: true, params: SlugParams, querystring: PageQuery } }, async (request, reply) => {
    return listPage(request, reply, await appeals.getManaged(signedIn(request), request.params.slug, 'appeal.read'), { values: {}, errors: {} })
  })

  app.post('/appeals/:slug/events', { schema: { hide: true, params: SlugParams, body: Form } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'events.edit')
    const input = eventInput(request.body)
    const created = await throughSchema(request, EventInput, input, async () => events.create(appeal, input as Parameters<typeof events.create>[1]))
    if (isRefusal(created)) return listPage(request, reply, appeal, sentState(request.body, created.fields, created.message), created.status)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/events`, 'eventAdded')
  })

  async function editPage (request: FastifyRequest, reply: FastifyReply, appeal: Appeal, event: SolidarityEvent, form: EventForm, status = 200) {
    const view = adminView(request, reply)
    const texts = await appeals.texts(appeal)
    return sendAdmin(reply, view, view.a('events.editTitle'), appealHeader(view, appeal, texts, 'events', view.a('events.editTitle')) +
      eventForm(view, `/admin/appeals/${appeal.slug}/events/${event.id}`, form, view.a('events.save')), status)
  }

  app.get('/appeals/:slug/events/:id', { schema: { hide: true, params: EventParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'events.edit')
    const event = await events.get(appeal, request.params.id)
    return editPage(request, reply, appeal, event, stateOf(event))
  })

  app.post('/appeals/:slug/events/:id', { schema: { hide: true, params: EventParams, body: Form } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'events.edit')
    const event = await events.get(appeal, request.params.id)
    const input = eventInput(request.body)
    const updated = await throughSchema(request, EventInput, input, async () => events.update(appeal, event.id, input as Parameters<typeof events.update>[2]))
    if (isRefusal(updated)) return editPage(request, reply, appeal, event, sentState(request.body, updated.fields, updated.message), updated.status)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/events`, 'eventSaved')
  })

  app.post('/appeals/:slug/events/:id/approve', { schema: { hide: true, params: EventParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await approveEvent(app, appeal, request.params.id)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/events`, 'eventApproved')
  })

  app.post('/appeals/:slug/events/:id/approve-report', { schema: { hide: true, params: EventParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug)
    await events.approveReport(appeal, request.params.id)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/events`, 'reportApproved')
  })

  app.post('/appeals/:slug/events/:id/remove', { schema: { hide: true, params: EventParams } }, async (request, reply) => {
    const appeal = await appeals.getManaged(signedIn(request), request.params.slug, 'events.edit')
    await events.remove(appeal, request.params.id)
    return redirectAfter(reply, `/admin/appeals/${appeal.slug}/events`, 'eventRemoved')
  })
}

export default eventPages
