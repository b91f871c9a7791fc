import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig, paths } from '../config.js'
import { openDatabase, type DatabaseHandle } from '../db/connection.js'
import { AppError } from '../errors/app-error.js'
import { createI18n } from '../i18n/index.js'
import { createOrganisersService } from '../organisers/service.js'
import { MIN_PASSWORD_LENGTH } from '../organisers/passwords.js'
import { applyRetention } from '../erasure/retention.js'
import { deleteExpiredSignatures } from '../confirmation/service.js'
import { reencrypt } from '../secrets/reencrypt.js'
import { deriveKeys, resolveSecret } from '../secrets/keys.js'
import { createSealer, resolveDataKeys } from '../secrets/sealing.js'
import { loadDemo } from './demo.js'

const USAGE = `Usage: npm run cli -- <command> [options]

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

The database is the one the server uses: DATABASE_URL, or the embedded one in DATA_DIR.`

async function readPassword (): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdin.isTTY ? process.stderr : undefined, terminal: false })
  if (process.stdin.isTTY) process.stderr.write(`Password (at least ${MIN_PASSWORD_LENGTH} characters): `)
  // eslint-disable-next-line no-unreachable-loop -- only the first line; returning ends the iteration and closes the reader
  for await (const line of rl) { rl.close(); return line }
  return ''
}

async function run (argv: string[], handle: DatabaseHandle, config: ReturnType<typeof loadConfig>): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean', default: false } }
  })
  const organisers = createOrganisersService(handle.db, { sessionTtlHours: config.SESSION_TTL_HOURS })
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
    const name = need(values.name, 'name')
    const password = await readPassword()
    if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`)
    const created = await organisers.create({ email, name, password, role: values.admin ? 'admin' : 'organiser' })
    console.log(`Created ${created.role} ${created.email}.`)
  } else if (command === 'token create') {
    const token = await organisers.createApiTokenFor(need(values.email, 'email'), need(values.name, 'name'))
    console.log(token.token)
  } else if (command === 'demo') {
    const keys = deriveKeys(resolveSecret(config).secret)
    await loadDemo(handle.db, { keys, sealer: sealer(), consentVersion: config.CONSENT_VERSION, log: (line) => console.log(line) })
  } else if (command === 'retention run') {
    const retention = await applyRetention(handle.db)
    const expired = await deleteExpiredSignatures(handle.db, config.CONFIRMATION_TTL_DAYS)
    console.log(`Appeals past their retention period: ${retention.appeals}; signatures emptied of personal data: ${retention.anonymised}; ` +
      `never-confirmed signatures deleted: ${retention.deletedPending + expired}.`)
  } else if (command === 'keys reencrypt') {
    const run = await reencrypt(handle.db, sealer())
    console.log(`Sealed again under the current DATA_KEY: ${run.signatures} signatures and ${run.mails} queued mails` +
      (run.legacy > 0 ? `; sealed for the first time: ${run.legacy} signatures stored in clear.` : '.'))
  } else {
    throw new UsageError(command === '' ? 'no command given' : `unknown command "${command}"`)
  }
}

class UsageError extends Error {}

async function main (): Promise<number> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) { console.error(err.message); return 1 }
    throw err
  }
  const argv = process.argv.slice(2)
  if (argv.length === 0 || argv.includes('--help')) { console.log(USAGE); return argv.length === 0 ? 1 : 0 }
  const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: paths.dataDir(config), poolSize: 2 })
  try {
    await run(argv, handle, config)
    return 0
  } catch (err) {
    if (err instanceof UsageError) { console.error(`Error: ${err.message}\n\n${USAGE}`); return 1 }
    if (err instanceof ConfigError) { console.error(err.message); return 1 }
    if (err instanceof AppError) { console.error(`Error: ${createI18n().t(`errors:code.${err.code}`, err.params)}`); return 1 }
    throw err
  } finally {
    await handle.close()
  }
}

process.exitCode = await main()
