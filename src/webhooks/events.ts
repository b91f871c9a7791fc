/** The events an appeal's webhook endpoints can receive (Standard Webhooks' `type`). */
export const webhookEventTypes = [
  'signature.confirmed',
  'signature.erased',
  'organisation.endorsed',
  'event.approved',
  // Emitted by the fund (src/fund/) once a contribution is verified.
  'contribution.verified'
] as const

export type WebhookEventType = (typeof webhookEventTypes)[number]

/**
 * Something that happened on an appeal, to be delivered to each of its endpoints that takes this type.
 * `key` names it once and for all (`signature.confirmed:42`): enqueued twice, it is delivered once.
 * `data` carries no personal field; a signature's (name, email, city, organisation, role) are added
 * when it is sent, from the signature as it is then, where the endpoint asks for them and the signer
 * agreed to be contacted.
 */
export interface WebhookEvent {
  appealId: string
  type: WebhookEventType
  key: string
  data: Record<string, unknown>
  signatureId?: number
}
