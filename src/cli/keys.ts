import type { Database } from '../db/connection.js'
import { contributions, mailOutbox, signatures } from '../db/schema.js'
import { resealReceipts } from '../fund/reseal.js'
import { resealStale } from '../secrets/reencrypt.js'
import type { Sealer } from '../secrets/sealing.js'
import { sealLegacySignatures } from '../signatures/backfill.js'

export interface ReencryptRun { signatures: number, mails: number, legacy: number, contributions: number, receipts: number }

/**
 * `keys reencrypt`: brings every sealed value under the current DATA_KEY. Addresses still in clear are
 * sealed first, as a start would, so a database the server has not been started on is covered too.
 */
export async function reencrypt (db: Database, sealer: Sealer): Promise<ReencryptRun> {
  const legacy = await sealLegacySignatures(db, sealer)
  return {
    signatures: await resealStale(db, sealer, signatures), mails: await resealStale(db, sealer, mailOutbox), legacy,
    contributions: await resealStale(db, sealer, contributions), receipts: await resealReceipts(db, sealer)
  }
}
