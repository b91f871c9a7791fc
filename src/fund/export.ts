import { csvCell } from '../exports/service.js'
import { amountText } from './money.js'
import type { RevealedContribution, Spending } from './service.js'

// The fund's accounts as CSV for the organisers' own books: one line per contribution (with who gave,
// opened), and one per spending. Cells are quoted and formulas neutralised as the signatures' export does.

const line = (cells: Array<string | null>): string => cells.map(csvCell).join(',') + '\r\n'
const iso = (date: Date | null): string | null => date === null ? null : date.toISOString()

export function contributionsCsv (rows: RevealedContribution[]): string {
  const header = ['id', 'status', 'source', 'date', 'amount', 'currency', 'way', 'country', 'name', 'name_shown', 'email', 'reference', 'message',
    'rejection_reason', 'reported_at', 'decided_at', 'erased_at']
  return '\uFEFF' + line(header) + rows.map((c) => line([
    String(c.id), c.status, c.source, c.contributedOn, amountText(c.amountMinor, c.currency), c.currency, c.way, c.country, c.name, c.shownName ? 'yes' : 'no',
    c.email, c.reference, c.message, c.rejectionReason, iso(c.createdAt), iso(c.decidedAt), iso(c.erasedAt ?? c.anonymisedAt)
  ])).join('')
}

export function spendingCsv (rows: Array<Spending & { receiptId: string | null, receiptPublic: boolean }>): string {
  return '\uFEFF' + line(['date', 'amount', 'currency', 'purpose', 'receipt']) + rows.map((s) => line([
    s.spentOn, amountText(s.amountMinor, s.currency), s.currency, s.purpose, s.receiptId === null ? 'none' : s.receiptPublic ? 'public' : 'private'
  ])).join('')
}
