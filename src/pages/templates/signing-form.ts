import { html } from 'ghtml'
import type { Appeal } from '../../appeals/service.js'
import { organisationTypes } from '../../signatures/schemas.js'
import type { View } from '../view.js'

/** What the reader typed, and what was wrong with it, when the form comes back without JavaScript. */
export interface FormState {
  values: Record<string, string | boolean | undefined>
  errors: Record<string, string>
  /** The error that is about the whole signature rather than one field (duplicate, closed appeal). */
  message?: string
}

export const emptyForm = (country?: string): FormState => ({ values: { kind: 'individual', country, public: true }, errors: {} })

const value = (state: FormState, name: string): string => {
  const v = state.values[name]
  return typeof v === 'string' ? v : ''
}

function errorFor (state: FormState, name: string): string {
  const message = state.errors[name]
  return message === undefined ? '' : html`<p class="field-error" id="${name}-error">${message}</p>`
}

/** aria attributes tying a field to its help and its error. */
function described (state: FormState, name: string, help = false): string {
  const ids = [help ? `${name}-help` : '', state.errors[name] === undefined ? '' : `${name}-error`].filter(Boolean)
  return (ids.length === 0 ? '' : html` aria-describedby="${ids.join(' ')}"`) + (state.errors[name] === undefined ? '' : ' aria-invalid="true"')
}

interface TextField {
  /** `maxlength` bounds text; a number field (which may not have one) is bounded by its schema, and written with min="1". */
  name: string, label: string, type?: string, autocomplete?: string, maxlength: number, required?: boolean, help?: string, inputmode?: string
  /**
   * For a field optional for individuals and required for organisations: its label when signing for one.
   * Both labels are written and the stylesheet shows the one for the kind checked, so the label follows the
   * choice without JavaScript; hidden text is no part of an accessible name either.
   */
  organisationLabel?: string
}

function textField (view: View, state: FormState, f: TextField, kind: Kind): string {
  const optional = f.required === true ? '' : html` <span class="optional">(${view.t('form.optional')})</span>`
  const label = f.organisationLabel === undefined
    ? html`${f.label}!${optional}`
    : html`<span class="when-individual">${f.label}!${optional}</span><span class="when-organisation">${f.organisationLabel}</span>`
  const help = f.help === undefined
    ? ''
    : f.organisationLabel === undefined
      ? html`<p class="help" id="${f.name}-help">${f.help}</p>`
      : html`<div class="help" id="${f.name}-help"><p class="when-individual">${f.help}</p></div>`
  const required = f.required === true || (f.organisationLabel !== undefined && kind === 'organisation')
  return html`<div class="field" data-field="${f.name}"!${f.organisationLabel === undefined ? '' : ' data-required-for="organisation"'}>
<label for="field-${f.name}">!${label}</label>
!${help}
!${errorFor(state, f.name)}
<input id="field-${f.name}" name="${f.name}" type="${f.type ?? 'text'}" value="${value(state, f.name)}"!${f.type === 'number' ? ' min="1"' : html` maxlength="${f.maxlength}"`}!${required ? ' required' : ''}!${f.autocomplete === undefined ? '' : html` autocomplete="${f.autocomplete}"`}!${f.inputmode === undefined ? '' : html` inputmode="${f.inputmode}"`}!${described(state, f.name, f.help !== undefined)}>
</div>`
}

function checkbox (state: FormState, name: string, label: string): string {
  return html`<div class="field checkbox"><input id="field-${name}" name="${name}" type="checkbox" value="on"!${state.values[name] === true ? ' checked' : ''}> <label for="field-${name}">${label}</label></div>`
}

type Kind = 'individual' | 'organisation'

/** The signing form: a plain HTML form that works without JavaScript, and which web/ enhances. */
export function signingForm (view: View, appeal: Appeal, state: FormState, action: string): string {
  const t = view.t
  const kind: Kind = value(state, 'kind') === 'organisation' && appeal.allowOrganisations ? 'organisation' : 'individual'
  const country = value(state, 'country')
  const summary = Object.keys(state.errors).length > 0 || state.message !== undefined
    ? html`<div class="form-errors" id="form-errors" role="alert" tabindex="-1"><p>${state.message ?? t('form.errorSummary')}</p>!${Object.keys(state.errors).length === 0 ? '' : html`<ul>!${Object.entries(state.errors).map(([name, message]) => html`<li><a href="#field-${name}">${message}</a></li>`)}</ul>`}</div>`
    : '<div class="form-errors" id="form-errors" role="alert" tabindex="-1" hidden></div>'
  return html`<section class="sign" id="sign" aria-labelledby="sign-heading">
<h2 id="sign-heading">${t('form.heading')}</h2>
<form method="post" action="${action}" class="signing-form" id="signing-form" novalidate data-kind="${kind}">
!${summary}
<input type="hidden" name="locale" value="${view.lang}">
!${appeal.allowOrganisations
    ? html`<fieldset class="field kind"><legend>${t('form.kind')}</legend>
<div class="choice"><input type="radio" id="kind-individual" name="kind" value="individual"!${kind === 'individual' ? ' checked' : ''}> <label for="kind-individual">${t('form.kindIndividual')}</label></div>
<div class="choice"><input type="radio" id="kind-organisation" name="kind" value="organisation"!${kind === 'organisation' ? ' checked' : ''}> <label for="kind-organisation">${t('form.kindOrganisation')}</label></div>
!${errorFor(state, 'kind')}
</fieldset>`
    : '<input type="hidden" name="kind" value="individual">'}
!${textField(view, state, { name: 'name', label: t('form.name'), autocomplete: 'name', maxlength: 200, required: true }, kind)}
!${textField(view, state, { name: 'email', label: t('form.email'), type: 'email', autocomplete: 'email', maxlength: 254, required: true, help: t('form.emailHelp') }, kind)}
<div class="field" data-field="country">
<label for="field-country">${t('form.country')}</label>
!${errorFor(state, 'country')}
<select id="field-country" name="country" required autocomplete="country"!${described(state, 'country')}>
<option value="">${t('form.countryChoose')}</option>
!${view.countries.map((c) => html`<option value="${c.code}"!${c.code === country ? ' selected' : ''}>${c.name}</option>`)}
</select>
</div>
!${appeal.collectCity ? textField(view, state, { name: 'city', label: t('form.city'), autocomplete: 'address-level2', maxlength: 120 }, kind) : ''}
!${appeal.collectOrganisation || appeal.allowOrganisations
    ? textField(view, state, {
      name: 'organisation',
      label: t('form.organisation'),
      autocomplete: 'organization',
      maxlength: 200,
      help: t('form.organisationHelp'),
      ...(appeal.allowOrganisations && { organisationLabel: t('form.organisationName') })
    }, kind)
    : ''}
!${appeal.collectRole ? textField(view, state, { name: 'role', label: t('form.role'), autocomplete: 'organization-title', maxlength: 120 }, kind) : ''}
!${appeal.allowOrganisations
    ? html`<fieldset class="organisation-only" id="organisation-fields"><legend>${t('form.kindOrganisation')}</legend>
<div class="field" data-field="organisationType">
<label for="field-organisationType">${t('form.organisationType')}</label>
!${errorFor(state, 'organisationType')}
<select id="field-organisationType" name="organisationType" required!${described(state, 'organisationType')}>
<option value=""></option>
!${organisationTypes.map((type) => html`<option value="${type}"!${value(state, 'organisationType') === type ? ' selected' : ''}>${t(`form.types.${type}`)}</option>`)}
</select>
</div>
!${textField(view, state, { name: 'members', label: t('form.members'), type: 'number', inputmode: 'numeric', maxlength: 10, required: true }, kind)}
</fieldset>`
    : ''}
!${checkbox(state, 'public', t('form.public'))}
!${checkbox(state, 'contact', t('form.contact'))}
<div class="field honeypot" aria-hidden="true"><label for="field-website">${t('form.honeypot')}</label> <input id="field-website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<p class="privacy">${t('form.privacy')}</p>
<p><button type="submit" class="button">${t('form.submit')}</button></p>
</form>
</section>`
}
