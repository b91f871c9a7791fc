import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'

// Standard Webhooks (https://www.standardwebhooks.com): a secret `whsec_` + base64 of random bytes; each
// delivery carries webhook-id, webhook-timestamp and webhook-signature, `v1,` + base64 of the HMAC-SHA256
// of `id.timestamp.body`. The reference library signs; a receiver checks with the same library.

export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`

/** The three headers of one delivery, signed with each secret given (the current one, and the previous during a rotation). */
export function signedHeaders (secrets: string[], messageId: string, at: Date, body: string): Record<string, string> {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(messageId, at, body))
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' ')
  }
}
