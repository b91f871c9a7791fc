// Amounts are integers in the minor units of their currency (ISO 4217): cents, centavos; yen have none.
// Intl knows each currency's number of digits, and formats an amount for a reader's language.

/** The ISO 4217 codes Intl knows (every current currency). */
export const currencyCodes: string[] = Intl.supportedValuesOf('currency')

const digitsCache = new Map<string, number>()

/** How many digits a currency's minor unit has (2 for EUR, 0 for JPY, 3 for KWD). */
export function minorDigits (currency: string): number {
  let digits = digitsCache.get(currency)
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
    digitsCache.set(currency, digits)
  }
  return digits
}

const DECIMAL = /^(\d{1,13})(?:[.,](\d{1,3}))?$/

/** "12,50" or "12.50" typed by a person, in minor units (1250); undefined when it is not such an amount or has too many decimals. */
export function parseAmount (text: string, currency: string): number | undefined {
  const match = DECIMAL.exec(text.trim())
  if (match === null) return undefined
  const digits = minorDigits(currency)
  const fraction = match[2] ?? ''
  if (fraction.length > digits) return undefined
  const minor = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0')
  return Number.isSafeInteger(minor) ? minor : undefined
}

/** An amount in minor units as the decimal a form shows ("12.50"). */
export function amountText (minor: number, currency: string): string {
  const digits = minorDigits(currency)
  if (digits === 0) return String(minor)
  const text = String(minor).padStart(digits + 1, '0')
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`
}

/** An amount for a reader: "2.100,00 €", "US$ 50.00", "ARS 150.000". */
export function formatMoney (lang: string, minor: number, currency: string): string {
  const digits = minorDigits(currency)
  return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(minor / 10 ** digits)
}

/**
 * An amount converted into the goal's currency at a rate (goal units for one unit of `from`), in the goal's
 * minor units; undefined without a rate. The same currency needs none.
 */
export function convert (minor: number, from: string, to: string, rates: Record<string, number>): number | undefined {
  if (from === to) return minor
  const rate = rates[from]
  if (rate === undefined) return undefined
  return Math.round(minor / 10 ** minorDigits(from) * rate * 10 ** minorDigits(to))
}
