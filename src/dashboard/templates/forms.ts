import { html } from 'ghtml'
import type { AdminView } from '../view.js'

// Small pieces every dashboard form is made of. Each form carries the CSRF token as `_csrf`; each
// field has its label, its help and its error tied to it for screen readers.

export const csrfField = (view: AdminView): string => html`<input type="hidden" name="_csrf" value="${view.csrf}">`

/** A form with one button that posts (an action on a row: hide, erase, remove). */
export function buttonForm (
  view: AdminView, action: string, label: string, options: { secondary?: boolean, hidden?: Record<string, string>, name?: string } = {}
): string {
  return html`<form method="post" action="${action}" class="inline-form">!${csrfField(view)}!${Object.entries(options.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}<button type="submit" class="button small!${options.secondary === true ? ' secondary' : ''}"!${options.name === undefined ? '' : html` aria-label="${options.name}"`}>${label}</button></form>`
}

export interface FieldOptions {
  name: string
  label: string
  value?: string | number | null
  type?: string
  help?: string
  error?: string
  required?: boolean
  maxlength?: number
  /** Extra attributes, already safe (min, max, step, autocomplete, inputmode, pattern, dir). */
  attributes?: string
}

function described (name: string, help?: string, error?: string): string {
  const ids = [help === undefined ? '' : `${name}-help`, error === undefined ? '' : `${name}-error`].filter(Boolean)
  return (ids.length === 0 ? '' : html` aria-describedby="${ids.join(' ')}"`) + (error === undefined ? '' : ' aria-invalid="true"')
}

function labelAndHelp (f: { name: string, label: string, help?: string | undefined, error?: string | undefined }): string {
  return html`<label for="field-${f.name}">${f.label}</label>
!${f.help === undefined ? '' : html`<p class="help" id="${f.name}-help">${f.help}</p>`}
!${f.error === undefined ? '' : html`<p class="field-error" id="${f.name}-error">${f.error}</p>`}`
}

export function inputField (f: FieldOptions): string {
  return html`<div class="field">!${labelAndHelp(f)}
<input id="field-${f.name}" name="${f.name}" type="${f.type ?? 'text'}" value="${f.value ?? ''}"!${f.required === true ? ' required' : ''}!${f.maxlength === undefined ? '' : html` maxlength="${f.maxlength}"`}!${f.attributes === undefined ? '' : ' ' + f.attributes}!${described(f.name, f.help, f.error)}>
</div>`
}

export function textareaField (f: FieldOptions & { rows?: number }): string {
  return html`<div class="field">!${labelAndHelp(f)}
<textarea id="field-${f.name}" name="${f.name}" rows="${f.rows ?? 6}"!${f.required === true ? ' required' : ''}!${f.maxlength === undefined ? '' : html` maxlength="${f.maxlength}"`}!${f.attributes === undefined ? '' : ' ' + f.attributes}!${described(f.name, f.help, f.error)}>${f.value ?? ''}</textarea>
</div>`
}

export function selectField (f: FieldOptions & { options: Array<{ value: string, label: string }> }): string {
  return html`<div class="field">!${labelAndHelp(f)}
<select id="field-${f.name}" name="${f.name}"!${f.required === true ? ' required' : ''}!${described(f.name, f.help, f.error)}>
!${f.options.map((o) => html`<option value="${o.value}"!${String(f.value ?? '') === o.value ? ' selected' : ''}>${o.label}</option>`)}
</select>
</div>`
}

export function checkboxField (name: string, label: string, checked: boolean, help?: string): string {
  return html`<div class="field checkbox"><input id="field-${name}" name="${name}" type="checkbox" value="on"!${checked ? ' checked' : ''}!${help === undefined ? '' : html` aria-describedby="${name}-help"`}> <label for="field-${name}">${label}</label>!${help === undefined ? '' : html` <span class="help" id="${name}-help">${help}</span>`}</div>`
}

/** The summary of a refused form, at its top: focusable, announced, with a link to each field. */
export function errorSummary (view: AdminView, message: string | undefined, errors: Record<string, string>): string {
  if (message === undefined && Object.keys(errors).length === 0) return ''
  return html`<div class="form-errors" role="alert" tabindex="-1" id="form-errors"><p>${message ?? view.a('form.errorSummary')}</p>!${Object.keys(errors).length === 0 ? '' : html`<ul>!${Object.entries(errors).map(([name, problem]) => html`<li><a href="#field-${name}">${problem}</a></li>`)}</ul>`}</div>`
}
