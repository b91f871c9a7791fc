import { convert } from './money.js'

// The public account of a fund, computed from what is stored: only verified contributions count.
// Totals per currency are exact; the converted ones use the organisers' dated rates, and a currency
// without a rate is named rather than silently counted as nothing.

export interface Money { currency: string, amount: number }

export interface CountedContribution {
  amountMinor: number, currency: string, contributedOn: string, country: string | null, publicName: string | null,
  message: string | null
}
export interface SpendingItem { id: string, spentOn: string, amountMinor: number, currency: string, purpose: string, receipt: string | null }

export interface FundAccount {
  goal: Money | null
  currency: string
  ratesDate: string | null
  rates: Record<string, number>
  raised: Money[]
  raisedConverted: number
  unconverted: string[]
  progress: number | null
  contributors: number
  countries: number
  byMonth: Array<{ month: string, amount: number }>
  spent: Money[]
  spentConverted: number
  balance: number
  spending: Array<{ id: string, date: string, amount: number, currency: string, purpose: string, receipt: string | null }>
  supporters: Array<{ name: string | null, message: string | null, country: string | null, date: string }>
  updatedAt: Date
}

function sumByCurrency (items: Array<{ amountMinor: number, currency: string }>): Money[] {
  const sums = new Map<string, number>()
  for (const item of items) sums.set(item.currency, (sums.get(item.currency) ?? 0) + item.amountMinor)
  return [...sums].map(([currency, amount]) => ({ currency, amount })).sort((a, b) => a.currency.localeCompare(b.currency))
}

export function computeAccount (
  fund: { goalCurrency: string, goalAmount: number | null, rates: Record<string, number>, ratesDate: string | null },
  verified: CountedContribution[], spending: SpendingItem[], updatedAt: Date
): FundAccount {
  const target = fund.goalCurrency
  const unconverted = new Set<string>()
  const converted = (minor: number, currency: string): number => {
    const value = convert(minor, currency, target, fund.rates)
    if (value === undefined) unconverted.add(currency)
    return value ?? 0
  }
  const raised = sumByCurrency(verified)
  const raisedConverted = raised.reduce((sum, m) => sum + converted(m.amount, m.currency), 0)
  const spent = sumByCurrency(spending)
  const spentConverted = spent.reduce((sum, m) => sum + converted(m.amount, m.currency), 0)
  const months = new Map<string, number>()
  for (const c of verified) {
    const month = c.contributedOn.slice(0, 7)
    months.set(month, (months.get(month) ?? 0) + converted(c.amountMinor, c.currency))
  }
  return {
    goal: fund.goalAmount === null ? null : { currency: target, amount: fund.goalAmount },
    currency: target,
    ratesDate: fund.ratesDate,
    rates: fund.rates,
    raised,
    raisedConverted,
    unconverted: [...unconverted].sort(),
    progress: fund.goalAmount === null || fund.goalAmount === 0 ? null : raisedConverted / fund.goalAmount,
    contributors: verified.length,
    countries: new Set(verified.map((c) => c.country).filter((c) => c !== null)).size,
    byMonth: [...months].sort(([a], [b]) => a.localeCompare(b)).map(([month, amount]) => ({ month, amount })),
    spent,
    spentConverted,
    balance: raisedConverted - spentConverted,
    spending: spending.map((s) => ({ id: s.id, date: s.spentOn, amount: s.amountMinor, currency: s.currency, purpose: s.purpose, receipt: s.receipt })),
    supporters: verified.filter((c) => c.publicName !== null || c.message !== null)
      .map((c) => ({ name: c.publicName, message: c.message, country: c.country, date: c.contributedOn }))
      .sort((a, b) => b.date.localeCompare(a.date)),
    updatedAt
  }
}
