import type { AuditDetails } from '../audit/service.js'
import type { AdminFilters } from './admin-search.js'
import type { BulkCriteria } from './moderation.js'

// What the audit trail keeps of an organiser's filters: the filters themselves where they name no one
// (status, country, dates), and only which kind of search it was where they could (a name, an email
// address, an address code or an email domain are a signer's data, which the trail never holds).
export function auditFilters (filters: AdminFilters): AuditDetails[string] {
  const kept: Record<string, string | boolean> = {}
  for (const key of ['status', 'kind', 'country', 'from', 'to'] as const) {
    const value = filters[key]
    if (value !== undefined) kept[key] = value
  }
  for (const key of ['hidden', 'notable', 'contact'] as const) {
    const value = filters[key]
    if (value !== undefined) kept[key] = value
  }
  if (filters.q !== undefined) kept.search = filters.q.includes('@') ? 'email' : 'text'
  if (filters.ipHash !== undefined) kept.byAddress = true
  if (filters.emailDomain !== undefined) kept.byEmailDomain = true
  return kept
}

export function bulkDetails (criteria: BulkCriteria, result: { count: number, batch: string | null }): AuditDetails {
  return {
    count: result.count, batch: result.batch, byAddress: criteria.ipHash !== undefined, byEmailDomain: criteria.emailDomain !== undefined,
    from: criteria.from ?? null, to: criteria.to ?? null
  }
}
