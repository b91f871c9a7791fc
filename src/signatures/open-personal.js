// How a stored signature's personal fields come out of their columns and its sealed JSON
// (signatures/personal-fields.ts), in plain JavaScript so that the export's worker threads load it
// without tsx's hooks.

/**
 * @typedef {{ email: string | null, name: string | null, city: string | null, organisation: string | null, role: string | null }} OpenedFields
 * @typedef {{ name: string | null, city: string | null, organisation: string | null, role: string | null }} ClearFields
 * @typedef {ClearFields & { sealed: string | null, legacyEmail: string | null }} StoredFields
 */

/**
 * A stored signature's personal fields, opened with `open`.
 * @param {(sealed: string) => string} open
 * @param {StoredFields} row
 * @returns {OpenedFields}
 */
export function openPersonalWith (open, row) {
  /** @type {{ e?: string, n?: string, c?: string, o?: string, r?: string }} */
  const hidden = row.sealed === null ? {} : JSON.parse(open(row.sealed))
  return {
    email: hidden.e ?? row.legacyEmail ?? null,
    name: row.name ?? hidden.n ?? null,
    city: row.city ?? hidden.c ?? null,
    organisation: row.organisation ?? hidden.o ?? null,
    role: row.role ?? hidden.r ?? null
  }
}
