import { html } from 'ghtml'
import { chooseText } from '../../appeals/choose-text.js'
import type { Appeal, AppealText } from '../../appeals/service.js'
import type { SolidarityEvent } from '../../events/service.js'
import type { View } from '../view.js'

/** What the supporter typed and what was wrong with it, when the form comes back (it works without JavaScript). */
export interface EventFormState { values: Record<string, string>, errors: Record<string, string>, message?: string }

export interface EventFormData {
  appeal: Appeal
  texts: Record<string, AppealText>
  timeZones: string[]
  state: EventFormState
}

interface FieldSpec { name: string, label: string, type?: string, required?: boolean, maxlength?: number, help?: string, attributes?: string }

function field (view: View, state: EventFormState, f: FieldSpec): string {
  const f2 = view.t
  const error = state.errors[f.name]
  const ids = [f.help === undefined ? '' : `${f.name}-help`, error === undefined ? '' : `${f.name}-error`].filter(Boolean)
  return html`<div class="field">
<label for="field-${f.name}">${f.label}!${f.required === true ? '' : html` <span class="optional">(${f2('form.optional')})</span>`}</label>
!${f.help === undefined ? '' : html`<p class="help" id="${f.name}-help">${f.help}</p>`}
!${error === undefined ? '' : html`<p class="field-error" id="${f.name}-error">${error}</p>`}
<input id="field-${f.name}" name="${f.name}" type="${f.type ?? 'text'}" value="${state.values[f.name] ?? ''}"!${f.required === true ? ' required' : ''}!${f.maxlength === undefined ? '' : html` maxlength="${f.maxlength}"`}!${f.attributes === undefined ? '' : ' ' + f.attributes}!${ids.length === 0 ? '' : html` aria-describedby="${ids.join(' ')}"`}!${error === undefined ? '' : ' aria-invalid="true"'}>
</div>`
}

function heading (view: View, appeal: Appeal, texts: Record<string, AppealText>, title: string): string {
  const { language, text } = chooseText(appeal, texts, view.lang)
  return html`<p class="breadcrumb"><a href="/appeals/${appeal.slug}"!${language === view.lang ? '' : html` lang="${language}"`}>${text.title}</a></p>
<h1>${title}</h1>`
}

/** The public "add your event" form: typed place, local time with its zone; no map to click. */
export function eventSubmissionPage (view: View, d: EventFormData): string {
  const f = view.i18n('fielddata')
  const s = d.state
  const errors = Object.entries(s.errors)
  return heading(view, d.appeal, d.texts, f('submit.title')) + html`
<p>${f('submit.intro')}</p>
!${s.message === undefined && errors.length === 0 ? '' : html`<div class="form-errors" role="alert" tabindex="-1" id="form-errors"><p>${s.message ?? f('submit.fix')}</p>!${errors.length === 0 ? '' : html`<ul>!${errors.map(([name, problem]) => html`<li><a href="#field-${name}">${problem}</a></li>`)}</ul>`}</div>`}
<form method="post" action="/appeals/${d.appeal.slug}/events/new" class="event-submission" novalidate data-place-form>
!${field(view, s, { name: 'title', label: f('submit.eventTitle'), required: true, maxlength: 200 })}
!${field(view, s, { name: 'startsAt', label: f('submit.startsAt'), type: 'datetime-local', required: true, help: f('submit.startsAtHelp') })}
<div class="field">
<label for="field-timeZone">${f('submit.timeZone')}</label>
!${s.errors.timeZone === undefined ? '' : html`<p class="field-error" id="timeZone-error">${s.errors.timeZone}</p>`}
<select id="field-timeZone" name="timeZone" data-time-zone required>
!${d.timeZones.map((zone) => html`<option value="${zone}"!${(s.values.timeZone ?? 'UTC') === zone ? ' selected' : ''}>${zone.replace(/_/g, ' ')}</option>`)}
</select>
</div>
<div class="field">
<label for="field-country">${view.t('form.country')}</label>
!${s.errors.country === undefined ? '' : html`<p class="field-error" id="country-error">${s.errors.country}</p>`}
<select id="field-country" name="country" required data-place-country>
<option value="">${view.t('form.countryChoose')}</option>
!${view.countries.map((c) => html`<option value="${c.code}"!${s.values.country === c.code ? ' selected' : ''}>${c.name}</option>`)}
</select>
</div>
!${field(view, s, { name: 'city', label: f('submit.city'), maxlength: 120, help: f('submit.cityHelp'), attributes: 'list="city-suggestions" autocomplete="off" data-place-city' })}
<datalist id="city-suggestions"></datalist>
!${field(view, s, { name: 'organiser', label: f('submit.organiser'), required: true, maxlength: 200, help: f('submit.organiserHelp') })}
!${field(view, s, { name: 'contactEmail', label: f('submit.contactEmail'), type: 'email', required: true, maxlength: 254, help: f('submit.contactEmailHelp'), attributes: 'autocomplete="email"' })}
<div class="field">
<label for="field-description">${f('submit.description')} <span class="optional">(${view.t('form.optional')})</span></label>
!${s.errors.description === undefined ? '' : html`<p class="field-error" id="description-error">${s.errors.description}</p>`}
<textarea id="field-description" name="description" rows="4" maxlength="1000">${s.values.description ?? ''}</textarea>
</div>
!${field(view, s, { name: 'link', label: f('submit.link'), type: 'url', maxlength: 2000 })}
<div class="field honeypot" aria-hidden="true"><label for="field-website">${view.t('form.honeypot')}</label><input id="field-website" name="website" type="text" tabindex="-1" autocomplete="off" value=""></div>
<p><button type="submit" class="button">${f('submit.send')}</button></p>
</form>`
}

export function eventSubmittedPage (view: View, appeal: Appeal, texts: Record<string, AppealText>): string {
  const f = view.i18n('fielddata')
  return heading(view, appeal, texts, f('submit.thanksTitle')) + html`<p role="status">${f('submit.thanks')}</p>
<p><a href="/appeals/${appeal.slug}">${f('submit.back')}</a></p>`
}

/** The private page where whoever ran the event says how it went, once it has begun. */
export function eventReportPage (view: View, d: { event: SolidarityEvent, token: string, now: Date, state: EventFormState, done?: boolean }): string {
  const f = view.i18n('fielddata')
  const e = d.event
  const top = html`<h1>${f('report.title', { title: e.title })}</h1>`
  if (d.done === true) return top + html`<p role="status">${f('report.thanks')}</p>`
  if (e.startsAt > d.now) return top + html`<p>${f('report.tooEarly', { date: view.eventTime(e) })}</p>`
  return top + html`!${d.state.message === undefined ? '' : html`<div class="form-errors" role="alert"><p>${d.state.message}</p></div>`}
<form method="post" action="/events/report/${d.token}" class="event-report" novalidate>
!${field(view, d.state, { name: 'attendance', label: f('report.attendance'), type: 'number', required: true, attributes: 'min="0" inputmode="numeric"' })}
<div class="field"><label for="field-text">${f('report.text')} <span class="optional">(${view.t('form.optional')})</span></label>
<textarea id="field-text" name="text" rows="5" maxlength="2000">${d.state.values.text ?? ''}</textarea></div>
<p><button type="submit" class="button">${f('report.send')}</button></p>
</form>`
}
