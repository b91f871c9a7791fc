// postgres.js's own codes for a connection that could not be made or was lost, and the system's.
export const CONNECTION_CODES = new Set([
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'
])

/**
 * Whether a query failed because PostgreSQL could not be reached or answer in time, rather than because
 * of the query: PostgreSQL's class 08 (connection exception), 57P0x (shutting down, starting up), 57014
 * (the statement deadline) and 53300 (too many connections), or a lost connection under a query (drizzle
 * and postgres.js both name the query they ran; a connection error from anything else is not the database's).
 * Drizzle wraps the driver's error, so the causes are looked at too. `fromDatabase`: the caller knows the
 * error came from a database call (a transaction's BEGIN fails on a lost connection without naming a query).
 */
export function isDatabaseUnavailable (err: unknown, fromDatabase = false): boolean {
  let ranQuery = fromDatabase
  let current = err
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, query } = current as { code?: unknown, query?: unknown }
    ranQuery ||= typeof query === 'string'
    if (typeof code === 'string') {
      if (code.startsWith('08') || code.startsWith('57P') || code === '57014' || code === '53300') return true
      if (ranQuery && CONNECTION_CODES.has(code)) return true
    }
    current = (current as { cause?: unknown }).cause
  }
  return false
}
