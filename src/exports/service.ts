import { and, asc, gt } from 'drizzle-orm'
import type { Appeal } from '../appeals/service.js'
import type { Database } from '../db/connection.js'
import { signatures } from '../db/schema.js'
import { adminFilterConditions, type AdminFilters, type Signature } from '../signatures/service.js'
import { csvRow } from './csv.js'

/** The exported columns, in order; the CSV header uses these names. */
export const exportColumns = [
  'id', 'kind', 'status', 'hidden', 'name', 'email', 'country', 'city', 'organisation', 'role', 'organisationType',
  'members', 'public', 'contact', 'consentVersion', 'locale', 'source', 'createdAt', 'confirmedAt', 'erasedAt'
] as const

type ExportRow = Record<(typeof exportColumns)[number], unknown>

function toExportRow (s: Signature): ExportRow {
  return {
    id: s.id, kind: s.kind, status: s.status, hidden: s.hiddenAt !== null, name: s.name, email: s.email, country: s.country,
    city: s.city, organisation: s.organisation, role: s.role, organisationType: s.organisationType, members: s.members,
    public: s.public, contact: s.contact, consentVersion: s.consentVersion, locale: s.locale, source: s.source,
    createdAt: s.createdAt, confirmedAt: s.confirmedAt, erasedAt: s.erasedAt
  }
}

export function createExportsService (db: Database, options: { batchSize?: number } = {}) {
  const batchSize = options.batchSize ?? 5000

  /**
   * The signatures matching the filters, in id order, one batch at a time (keyset pagination on the
   * primary key): memory stays constant however many rows there are, on either driver.
   */
  async function * batches (appeal: Appeal, filters: AdminFilters): AsyncGenerator<ExportRow[]> {
    const conditions = adminFilterConditions(appeal.id, filters)
    let lastId = 0
    for (;;) {
      const rows = await db.select().from(signatures).where(and(...conditions, gt(signatures.id, lastId)))
        .orderBy(asc(signatures.id)).limit(batchSize)
      if (rows.length === 0) return
      yield rows.map(toExportRow)
      lastId = rows[rows.length - 1]!.id
      if (rows.length < batchSize) return
    }
  }

  return {
    async * csv (appeal: Appeal, filters: AdminFilters): AsyncGenerator<string> {
      yield '\uFEFF' + csvRow(exportColumns)
      for await (const rows of batches(appeal, filters)) {
        let chunk = ''
        for (const row of rows) chunk += csvRow(exportColumns.map((c) => row[c]))
        yield chunk
      }
    },

    async * ndjson (appeal: Appeal, filters: AdminFilters): AsyncGenerator<string> {
      for await (const rows of batches(appeal, filters)) {
        let chunk = ''
        for (const row of rows) chunk += JSON.stringify(row) + '\n'
        yield chunk
      }
    }
  }
}

export type ExportsService = ReturnType<typeof createExportsService>
