import { parseArgs } from 'node:util'
import { ConfigError, type Config } from '../config.js'
import type { DatabaseHandle } from '../db/connection.js'
import { AppError } from '../errors/app-error.js'
import { createI18n } from '../i18n/index.js'
import { normaliseText } from '../http/normalise-input.js'
import { createOrganisersService } from '../organisers/service.js'
import { MIN_PASSWORD_LENGTH } from '../organisers/passwords.js'
import { applyRetention } from '../erasure/retention.js'
import { applyFundRetention } from '../fund/retention.js'
import { deleteExpiredSignatures } from '../confirmation/service.js'
import { recountCounts } from '../stats/recount.js'
import { reencrypt } from './keys.js'
import { deriveKeys, resolveSecret } from '../secrets/keys.js'
import { createSealer, resolveDataKeys } from '../secrets/sealing.js'
import { loadDemo } from './demo.js'

export const USAGE = `Usage: npm run cli -- <command> [options]

  organiser create --email EMAIL --name NAME [--admin]
      Create an organiser account; the password is read from standard input.
  token create --email EMAIL --name LABEL
      Create an API token for scripts (sent as "Authorization: Bearer <token>"); printed once.
  demo
      Load the demo campaign (hands-off-venezuela and two more appeals) with generated signatures.
  retention run
      Erase now the personal data of appeals past their retention period, and delete signatures
      never confirmed whose links expired (the server does both daily).
  keys reencrypt
      Seal every email and private name again under DATA_KEY, opening them with the keys in
      DATA_KEY_PREVIOUS: the step that completes a key rotation (see the README's Privacy section).
  stats recount [--repair]
      Count every appeal's signatures afresh and compare with the counts the site shows (kept in a
      rollup: see "The API in short" in the README); list the differences, and exit 1 if there are any.
      With --repair, rewrite the rollup where it differs.

The database is the one the server uses: DATABASE_URL, or the embedded one in DATA_DIR.`

/** Where a command reads the password from and writes what it has to say: the process's streams, or a test's. */
export interface CliIo {
  readLine: () => Promise<string>
  out: (line: string) => void
  err: (line: string) => void
}

/** Runs one command; answers the exit code of a command that finished (1 for a check that found something wrong). */
async function run (argv: string[], handle: DatabaseHandle, config: Config, io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean', default: false }, repair: { type: 'boolean', default: false } }
  })
  const organisers = createOrganisersService(handle.db, { sessionTtlHours: config.SESSION_TTL_HOURS, passwordHashCost: config.PASSWORD_HASH_COST })
  const sealer = () => {
    const keys = resolveDataKeys(config)
    return createSealer(keys.current, keys.previous)
  }
  const command = positionals.join(' ')
  const need = (value: string | undefined, flag: string): string => {
    if (value === undefined || value.trim() === '') throw new UsageError(`--${flag} is required`)
    return value.trim()
  }

  if (command === 'organiser create') {
    const email = need(values.email, 'email')
    const name = normaliseText(need(values.name, 'name'), false)
    // The password is cleaned as every HTTP body is (http/normalise-input.ts), or one with a tab, a
    // trailing space or a decomposed accent could never sign in through the site.
    const password = normaliseText(await io.readLine(), false)
    if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`)
    const created = await organisers.create({ email, name, password, role: values.admin ? 'admin' : 'organiser' })
    io.out(`Created ${created.role} ${created.email}.`)
  } else if (command === 'token create') {
    const token = await organisers.createApiTokenFor(need(values.email, 'email'), need(values.name, 'name'))
    io.out(token.token)
  } else if (command === 'demo') {
    const keys = deriveKeys(resolveSecret(config).secret)
    await loadDemo(handle.db, { keys, sealer: sealer(), consentVersion: config.CONSENT_VERSION, log: io.out })
  } else if (command === 'retention run') {
    const retention = await applyRetention(handle.db)
    const expired = await deleteExpiredSignatures(handle.db, config.CONFIRMATION_TTL_DAYS)
    io.out(`Appeals past their retention period: ${retention.appeals}; signatures emptied of personal data: ${retention.anonymised}; ` +
      `never-confirmed signatures deleted: ${retention.deletedPending + expired}; ` +
      `contributions emptied of personal data (amounts kept): ${(await applyFundRetention(handle.db)).anonymised}.`)
  } else if (command === 'keys reencrypt') {
    const run = await reencrypt(handle.db, sealer())
    io.out(`Sealed again under the current DATA_KEY: ${run.signatures} signatures, ${run.mails} queued mails, ${run.contributions} contributions and ${run.receipts} receipts` +
      (run.legacy > 0 ? `; sealed for the first time: ${run.legacy} signatures stored in clear.` : '.'))
  } else if (command === 'stats recount') {
    const differences = await recountCounts(handle.db, { repair: values.repair })
    for (const d of differences) {
      io.out(`${d.slug ?? `${d.appealId} (deleted)`} ${d.country} ${d.kind}: counted ${d.counted.signatures} signatures and ${d.counted.members} members, ` +
        `kept ${d.kept.signatures} and ${d.kept.members}`)
    }
    if (differences.length === 0) io.out('The counts of every appeal agree with a recount of its signatures.')
    else if (values.repair) io.out(`Repaired ${differences.length} counts (each an appeal's signatures of one country and kind).`)
    else {
      io.err(`${differences.length} counts (each an appeal's signatures of one country and kind) differ from a recount: "stats recount --repair" rewrites them.`)
      return 1
    }
  } else {
    throw new UsageError(command === '' ? 'no command given' : `unknown command "${command}"`)
  }
  return 0
}

class UsageError extends Error {}

/** Runs one command on an open database; answers the exit code, having said why on `io.err` when it is not 0. */
export async function runCommand (argv: string[], handle: DatabaseHandle, config: Config, io: CliIo): Promise<number> {
  try {
    return await run(argv, handle, config, io)
  } catch (err) {
    if (err instanceof UsageError) { io.err(`Error: ${err.message}\n\n${USAGE}`); return 1 }
    if (err instanceof ConfigError) { io.err(err.message); return 1 }
    if (err instanceof AppError) { io.err(`Error: ${createI18n().t(`errors:code.${err.code}`, err.params)}`); return 1 }
    throw err
  }
}
