import type { TFunction } from 'i18next'
import type { LiveCounts } from './live-counts.js'
import type { PageData } from './page-data.js'

type Errors = Record<string, string>

const field = (form: HTMLFormElement, name: string): HTMLInputElement | HTMLSelectElement | null =>
  form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]:not([type="radio"])`)

function kindOf (form: HTMLFormElement): 'individual' | 'organisation' {
  const checked = form.querySelector<HTMLInputElement>('input[name="kind"]:checked') ?? form.querySelector<HTMLInputElement>('input[name="kind"]')
  return checked?.value === 'organisation' ? 'organisation' : 'individual'
}

/** The same checks the server makes, in the reader's language, before anything is sent. */
function check (form: HTMLFormElement, t: TFunction): Errors {
  const errors: Errors = {}
  const value = (name: string): string => field(form, name)?.value.trim() ?? ''
  if (value('name') === '') errors.name = t('errors:validation.required')
  const email = field(form, 'email') as HTMLInputElement | null
  if (value('email') === '') errors.email = t('errors:validation.required')
  else if (email?.validity.typeMismatch === true || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value('email'))) errors.email = t('errors:validation.email')
  if (value('country') === '') errors.country = t('errors:validation.country')
  if (kindOf(form) === 'organisation') {
    if (value('organisation') === '') errors.organisation = t('errors:validation.organisationRequired')
    if (value('organisationType') === '') errors.organisationType = t('errors:validation.organisationTypeRequired')
    const members = value('members')
    if (members === '') errors.members = t('errors:validation.membersRequired')
    else if (!/^\d+$/.test(members)) errors.members = t('errors:validation.wholeNumber')
    else if (Number(members) < 1) errors.members = t('errors:validation.tooSmall', { limit: 1 })
  }
  return errors
}

function showFieldError (form: HTMLFormElement, name: string, message: string | undefined): void {
  const input = field(form, name) ?? form.querySelector<HTMLInputElement>(`input[name="${name}"]`)
  const container = input?.closest('.field, fieldset')
  if (input === null || container == null) return
  const id = `${name}-error`
  let element = document.getElementById(id)
  const describedBy = new Set((input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean))
  if (message === undefined) {
    element?.remove()
    describedBy.delete(id)
    input.removeAttribute('aria-invalid')
  } else {
    if (element === null) {
      element = document.createElement('p')
      element.className = 'field-error'
      element.id = id
      const label = container.querySelector('label, legend')
      if (label !== null && container.tagName !== 'FIELDSET') label.after(element)
      else container.append(element)
    }
    element.textContent = message
    describedBy.add(id)
    input.setAttribute('aria-invalid', 'true')
  }
  if (describedBy.size > 0) input.setAttribute('aria-describedby', [...describedBy].join(' '))
  else input.removeAttribute('aria-describedby')
}

function showErrors (form: HTMLFormElement, errors: Errors, summaryText: string | undefined, t: TFunction): void {
  const names = ['name', 'email', 'country', 'city', 'organisation', 'role', 'organisationType', 'members', 'kind']
  for (const name of names) showFieldError(form, name, errors[name])
  const summary = form.querySelector<HTMLElement>('#form-errors')
  if (summary === null) return
  if (Object.keys(errors).length === 0 && summaryText === undefined) {
    summary.hidden = true
    summary.replaceChildren()
    return
  }
  const heading = document.createElement('p')
  heading.textContent = summaryText ?? t('form.errorSummary')
  const list = document.createElement('ul')
  for (const [name, message] of Object.entries(errors)) {
    const item = document.createElement('li')
    const link = document.createElement('a')
    link.href = `#field-${name}`
    link.textContent = message
    item.append(link)
    list.append(item)
  }
  summary.replaceChildren(heading, ...(list.children.length > 0 ? [list] : []))
  summary.hidden = false
  summary.focus()
}

function payload (form: HTMLFormElement): Record<string, unknown> {
  const data = new FormData(form)
  const body: Record<string, unknown> = {}
  for (const name of ['name', 'email', 'country', 'city', 'organisation', 'role', 'locale', 'website']) {
    const value = data.get(name)
    if (typeof value === 'string' && value.trim() !== '') body[name] = value.trim()
  }
  body.kind = kindOf(form)
  if (body.kind === 'organisation') {
    body.organisationType = data.get('organisationType')
    body.members = Number(data.get('members'))
  }
  body.public = data.get('public') === 'on'
  body.contact = data.get('contact') === 'on'
  return body
}

/** The thank-you, in place of the form, with the appeal's share links. */
function thank (form: HTMLFormElement, t: TFunction, pending: boolean): void {
  const section = form.closest('section') ?? form
  const panel = document.createElement('div')
  panel.className = 'thanks'
  panel.id = 'thanks'
  panel.tabIndex = -1
  panel.setAttribute('role', 'status')
  const heading = document.createElement('h2')
  heading.textContent = t('thanks.title')
  const status = document.createElement('p')
  status.className = 'thanks-status'
  const title = document.querySelector('h1')?.textContent ?? ''
  status.textContent = pending ? t('thanks.pending') : t('thanks.confirmed', { title })
  const next = document.createElement('p')
  next.textContent = t('thanks.nextText')
  panel.append(heading, status, next)
  // The appeal page has share links to point at; a widget links to the appeal page instead.
  if (document.getElementById('share-heading') !== null) {
    const share = document.createElement('p')
    const link = document.createElement('a')
    link.href = '#share-heading'
    link.textContent = t('thanks.shareAsk')
    share.append(link)
    panel.append(share)
  }
  section.replaceChildren(panel)
  panel.focus()
}

/** Fields required as the kind chosen requires them; checks as the reader goes; sends without leaving the page. */
export function enhanceSigningForm (form: HTMLFormElement, data: PageData, t: TFunction, counts: LiveCounts): void {
  // The stylesheet already shows the labels and fields for the kind checked; what it cannot change is
  // which fields assistive technology announces as required.
  const syncKind = (): void => {
    form.dataset.kind = kindOf(form)
    for (const input of form.querySelectorAll<HTMLInputElement>('[data-required-for="organisation"] input')) input.required = kindOf(form) === 'organisation'
  }
  form.addEventListener('change', (event) => {
    if ((event.target as HTMLInputElement).name === 'kind') syncKind()
  })
  syncKind()

  // A field is checked once the reader leaves it, and again as they correct it.
  const touched = new Set<string>()
  form.addEventListener('focusout', (event) => {
    const name = (event.target as HTMLInputElement).name
    if (name === '' || name === 'kind') return
    touched.add(name)
    showFieldError(form, name, check(form, t)[name])
  })
  form.addEventListener('input', (event) => {
    const name = (event.target as HTMLInputElement).name
    if (touched.has(name)) showFieldError(form, name, check(form, t)[name])
  })

  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const errors = check(form, t)
    if (Object.keys(errors).length > 0) {
      showErrors(form, errors, undefined, t)
      return
    }
    const body = payload(form)
    if (button !== null) {
      button.disabled = true
      button.textContent = t('form.sending')
    }
    void (async () => {
      try {
        const response = await fetch(data.signUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body)
        })
        const answer = await response.json() as { status?: string, error?: { message: string, fields: Errors } }
        if (response.ok) {
          const pending = answer.status === 'pending'
          if (!pending) counts.addOwn({ kind: body.kind as 'individual' | 'organisation', country: String(body.country), members: Number(body.members ?? 0) })
          thank(form, t, pending)
          return
        }
        const fields = answer.error?.fields ?? {}
        showErrors(form, fields, Object.keys(fields).length === 0 || response.status !== 400 ? answer.error?.message : undefined, t)
      } catch {
        showErrors(form, {}, t('form.networkError'), t)
      }
      if (button !== null) {
        button.disabled = false
        button.textContent = t('form.submit')
      }
    })()
  })
}
