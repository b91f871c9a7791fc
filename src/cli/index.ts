import { createInterface } from 'node:readline/promises'
import { ConfigError, loadConfig, paths } from '../config.js'
import { openDatabase } from '../db/connection.js'
import { MIN_PASSWORD_LENGTH } from '../organisers/passwords.js'
import { runCommand, USAGE, type CliIo } from './commands.js'

async function readPassword (): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdin.isTTY ? process.stderr : undefined, terminal: false })
  if (process.stdin.isTTY) process.stderr.write(`Password (at least ${MIN_PASSWORD_LENGTH} characters): `)
  // eslint-disable-next-line no-unreachable-loop -- only the first line; returning ends the iteration and closes the reader
  for await (const line of rl) { rl.close(); return line }
  return ''
}

const processIo: CliIo = { readLine: readPassword, out: (line) => { console.log(line) }, err: (line) => { console.error(line) } }

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
    return await runCommand(argv, handle, config, processIo)
  } finally {
    await handle.close()
  }
}

process.exitCode = await main()
