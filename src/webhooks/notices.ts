import { eq, sql } from 'drizzle-orm'
import { selectRows, type Executor } from '../db/connection.js'
import { appeals, signatures } from '../db/schema.js'
import type { SolidarityEvent } from '../events/service.js'
import type { Webhooks } from './service.js'

// What each event's payload says, in one place. No personal field is here: the worker adds a signer's,
// where allowed, when it sends. A public signature's shown name and organisation are public already.

interface SignatureFacts {
  id: number, appeal_id: string, slug: string, kind: string, status: string, country: string, organisation_type: string | null,
  members: number | null, public: boolean, contact: boolean, source: string, locale: string | null, public_name: string | null,
  public_organisation: string | null, created_at: string | Date, confirmed_at: string | Date | null
}

const iso = (value: string | Date | null): string | null => value === null ? null : new Date(value).toISOString()

export function createWebhookNotices (webhooks: Webhooks) {
  async function signatureFacts (executor: Executor, signatureId: number): Promise<SignatureFacts | undefined> {
    const [row] = await selectRows<SignatureFacts>(executor, sql`
      select ${signatures.id}::float8 as id, ${signatures.appealId} as appeal_id, ${appeals.slug} as slug, ${signatures.kind} as kind,
        ${signatures.status} as status, ${signatures.country} as country, ${signatures.organisationType} as organisation_type,
        ${signatures.members} as members, ${signatures.public} as public, ${signatures.contact} as contact, ${signatures.source} as source,
        ${signatures.locale} as locale, case when ${signatures.public} then ${signatures.name} end as public_name,
        case when ${signatures.public} then ${signatures.organisation} end as public_organisation,
        ${signatures.createdAt} as created_at, ${signatures.confirmedAt} as confirmed_at
      from ${signatures} join ${appeals} on ${appeals.id} = ${signatures.appealId} where ${eq(signatures.id, signatureId)}`)
    return row
  }

  return {
    /** A signature now counts: `signature.confirmed`, and `organisation.endorsed` for an organisation's. */
    async signatureConfirmed (executor: Executor, appealId: string, signatureId: number): Promise<void> {
      if (!await webhooks.hasEndpoints(appealId, executor)) return
      const facts = await signatureFacts(executor, signatureId)
      if (facts === undefined || facts.status !== 'confirmed') return
      const signature = {
        id: facts.id, kind: facts.kind, country: facts.country, organisationType: facts.organisation_type, members: facts.members,
        public: facts.public, contact: facts.contact, source: facts.source, locale: facts.locale,
        ...(facts.public && { shownName: facts.public_name, shownOrganisation: facts.public_organisation }),
        createdAt: iso(facts.created_at), confirmedAt: iso(facts.confirmed_at)
      }
      const data = { appeal: { id: facts.appeal_id, slug: facts.slug }, signature }
      await webhooks.enqueue(executor, { appealId: facts.appeal_id, type: 'signature.confirmed', key: `signature.confirmed:${facts.id}`, data, signatureId: facts.id })
      if (facts.kind === 'organisation') {
        await webhooks.enqueue(executor, { appealId: facts.appeal_id, type: 'organisation.endorsed', key: `organisation.endorsed:${facts.id}`, data, signatureId: facts.id })
      }
    },

    /** Signatures erased (by an organiser, or by their owner's link): their ids, nothing else. */
    async signaturesErased (executor: Executor, erased: Array<{ id: number, appealId: string }>): Promise<void> {
      for (const { id, appealId } of erased) {
        if (!await webhooks.hasEndpoints(appealId, executor)) continue
        await webhooks.enqueue(executor, { appealId, type: 'signature.erased', key: `signature.erased:${id}`, data: { appeal: { id: appealId }, signature: { id } } })
      }
    },

    /** A solidarity event recorded on the appeal by its organisers. */
    async eventApproved (executor: Executor, event: SolidarityEvent): Promise<void> {
      if (!await webhooks.hasEndpoints(event.appealId, executor)) return
      const { appealId, ...rest } = event
      await webhooks.enqueue(executor, {
        appealId, type: 'event.approved', key: `event.approved:${event.id}`, data: { appeal: { id: appealId }, event: { ...rest, startsAt: event.startsAt.toISOString() } }
      })
    }
  }
}

export type WebhookNotices = ReturnType<typeof createWebhookNotices>
