import type { AuditActor, AuditService } from '../audit/service.js'

/** An erasure by email is recorded on each appeal it erased something on, with how many: never the address. */
export async function recordErasureByEmail (
  audit: AuditService, actor: AuditActor, managed: Array<{ id: string, slug: string }>, result: { erased: number, appeals: string[] }
): Promise<void> {
  const touched = managed.filter((appeal) => result.appeals.includes(appeal.slug))
  if (touched.length === 0) await audit.record(actor, 'signatures.eraseByEmail', { details: { erased: 0 } })
  for (const appeal of touched) await audit.record(actor, 'signatures.eraseByEmail', { appealId: appeal.id, details: { erased: result.erased, appeals: result.appeals.length } })
}
