import type { Appeal } from '../appeals/service.js'
import { appError, invalidFields, type FieldError } from '../errors/app-error.js'
import type { SignatureInput } from './signature.js'

/**
 * The rules a signature meets beyond its schema (the form, the API and paper signatures alike): an empty
 * honeypot, organisations only where the appeal takes them, and an organisation's own fields.
 */
export function checkSigningRules (appeal: Appeal, input: SignatureInput): void {
  if (input.website !== undefined) throw appError('SPAM_SUSPECTED', {}, { website: { key: 'honeypot' } })
  if (input.kind === 'organisation' && !appeal.allowOrganisations) throw appError('ORGANISATIONS_NOT_ALLOWED', {}, { kind: { key: 'organisationsNotAllowed' } })
  const fields: Record<string, FieldError> = {}
  if (input.kind === 'organisation') {
    if (input.organisation === undefined) fields.organisation = { key: 'organisationRequired' }
    if (input.organisationType === undefined) fields.organisationType = { key: 'organisationTypeRequired' }
    if (input.members === undefined) fields.members = { key: 'membersRequired' }
  } else {
    if (input.organisationType !== undefined) fields.organisationType = { key: 'unknown' }
    if (input.members !== undefined) fields.members = { key: 'unknown' }
  }
  if (Object.keys(fields).length > 0) throw invalidFields(fields)
}
