import type { Database } from '../db/connection.js'
import { createAdminSearch } from './admin-search.js'
import { createModeration } from './moderation.js'
import { createPublicLists } from './public-lists.js'
import { createSigning, type SigningOptions } from './signing.js'
import { createStatusCounts } from './status-counts.js'

/**
 * The signatures domain as one service (`app.services.signatures`), put together from its jobs. The public
 * lists read from `readDb` (a read replica, where there is one); everything else from the primary.
 */
export function createSignaturesService (db: Database, options: SigningOptions & { readDb?: Database }) {
  return {
    ...createSigning(db, options),
    ...createPublicLists(options.readDb ?? db),
    ...createAdminSearch(db, options),
    ...createModeration(db, options),
    ...createStatusCounts(db)
  }
}

export type SignaturesService = ReturnType<typeof createSignaturesService>
