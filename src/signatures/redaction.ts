import { appError } from '../errors/app-error.js'
import type { AdminFilters } from './admin-search.js'

interface Redactable {
  public: boolean
  name: string | null
  email: string | null
  city: string | null
  organisation: string | null
  role: string | null
}

/**
 * A signature as a member may see it (`contactData`: from appeals.access): owners and organisers every field; moderators (and
 * anyone else the permission table does not let read private fields) the shown name, country and the
 * rest, but no email and none of the fields a signer did not choose to show. The one place that says so,
 * for the API and the dashboard alike.
 */
export function forRole<T extends Redactable> (contactData: boolean, signature: T): T {
  if (contactData) return signature
  const shown = signature.public
  return { ...signature, email: null, ...(!shown && { name: null, city: null, organisation: null, role: null }) }
}

/** A search by email address tells whether someone signed: only for those who may see emails. */
export function assertFiltersAllowed (contactData: boolean, filters: AdminFilters): void {
  if (!contactData && filters.q?.includes('@') === true) throw appError('FORBIDDEN')
}
