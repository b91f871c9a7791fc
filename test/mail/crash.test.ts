import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import t from 'tap'
import { ConfigSchema } from '../../src/config.js'
import { databases, freshPostgresDatabase, TEST_DATA_KEY, type TestContext } from '../helpers/app.js'
import { linkIn, smtpServer } from '../helpers/mail.js'

// A signer who was answered gets their mail even if the server dies right after answering: the mail was
// queued in the signature's own transaction, and the next server to start sends it. Real server
// processes, killed with SIGKILL (no shutdown code runs).

t.setTimeout(300_000)
const root = join(import.meta.dirname, '..', '..')

interface Server { proc: ChildProcess, url: string, output: () => string, exited: Promise<unknown> }

async function freePort (): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function startServer (t: TestContext, env: Record<string, string>): Promise<Server> {
  const childEnv: Record<string, string | undefined> = { ...process.env }
  for (const key of Object.keys(ConfigSchema.properties)) delete childEnv[key]
  const port = await freePort()
  Object.assign(childEnv, { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info' }, env)
  const proc = spawn(process.execPath, ['--import=tsx', 'src/server.ts'], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  for (const stream of [proc.stdout, proc.stderr]) stream?.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  t.teardown(async () => { if (proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGKILL'); await exited } })
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (output.includes('Solidaria is listening on')) return { proc, url: `http://127.0.0.1:${port}`, output: () => output, exited }
    if (proc.exitCode !== null) break
  }
  throw new Error(`the server did not start:\n${output}`)
}

async function call (server: Server, method: string, path: string, body?: unknown, cookie?: string) {
  const response = await fetch(server.url + path, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(cookie !== undefined && { cookie }) },
    ...(body !== undefined && { body: JSON.stringify(body) })
  })
  return { status: response.status, body: await response.json() as any, cookie: response.headers.get('set-cookie')?.split(';')[0] }
}

/** Sets up the first admin with the token the server printed, opens an appeal that requires confirmation, and signs it. */
async function signOnFreshServer (t: TestContext, server: Server, email: string): Promise<void> {
  const token = /"token":"([^"]+)"/.exec(server.output())?.[1]
  t.ok(token, 'the new server printed its set-up token')
  const admin = { email: 'admin@example.org', password: 'a long enough password' }
  t.equal((await call(server, 'POST', '/api/admin/setup', { token, name: 'Admin', ...admin })).status, 201)
  const cookie = (await call(server, 'POST', '/api/admin/session', admin)).cookie
  const created = await call(server, 'POST', '/api/admin/appeals', { slug: 'crash-test', originalLanguage: 'en', text: { title: 'Solidarity with the strikers' } }, cookie)
  t.equal(created.body.options?.requireConfirmation, true, 'the appeal requires confirmation')
  t.equal((await call(server, 'POST', '/api/admin/appeals/crash-test/open', undefined, cookie)).status, 200)
  const signed = await call(server, 'POST', '/api/appeals/crash-test/signatures', { kind: 'individual', name: 'Olga', email, country: 'UA' })
  t.same([signed.status, signed.body], [201, { status: 'pending' }], 'the signer is answered')
}

for (const database of databases) {
  t.test(`a server killed right after answering a signer still gets the mail out after a restart [${database.name}]`, async (t) => {
    const dataDir = t.testdir()
    const smtp = database.name === 'postgres' ? await smtpServer(t) : undefined
    const env: Record<string, string> = database.serverUrl === undefined
      ? { DATA_DIR: dataDir }
      : { DATA_DIR: dataDir, DATABASE_URL: await freshPostgresDatabase(t, database.serverUrl), SECRET_KEY: 'crash-test-secret-key-long-enough-0123456789', DATA_KEY: TEST_DATA_KEY, SMTP_URL: smtp!.url, PUBLIC_URL: 'https://solidaria.example.org' }

    // The first server's worker polls once at start, then not for ten minutes: the mail is still queued when it dies.
    const first = await startServer(t, { ...env, MAIL_POLL_MS: '600000' })
    await signOnFreshServer(t, first, 'olga@example.org')
    first.proc.kill('SIGKILL')
    await first.exited
    const outbox = join(dataDir, 'outbox')
    const filesNow = existsSync(outbox) ? readdirSync(outbox) : []
    t.same([smtp?.messages.length ?? 0, filesNow.length], [0, 0], 'nothing was sent before it died')

    const second = await startServer(t, { ...env, MAIL_POLL_MS: '100' })
    let link: URL
    if (smtp !== undefined) {
      const [mail] = await smtp.received(1)
      t.equal(mail?.to && 'text' in mail.to ? mail.to.text : undefined, 'olga@example.org', 'the restarted server sent the mail')
      link = linkIn(mail?.text ?? '', '/confirm/')
    } else {
      for (const deadline = Date.now() + 30_000; !(existsSync(outbox) && readdirSync(outbox).length > 0) && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      const files = existsSync(outbox) ? readdirSync(outbox) : []
      t.equal(files.length, 1, 'the restarted server wrote the mail into DATA_DIR/outbox')
      const mail = await simpleParser(readFileSync(join(outbox, files[0]!)))
      link = linkIn(mail.text ?? '', '/confirm/')
      for (const deadline = Date.now() + 5000; !second.output().includes(link.href) && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      t.ok(second.output().includes(`Its link: ${link.href}`), 'and logged its link, so someone trying Solidaria out can follow it')
      t.ok(existsSync(join(dataDir, 'data.key')), 'the embedded default generated its data key')
      t.match(first.output(), /Generated a new DATA_KEY in DATA_DIR\/data\.key: back it up/, 'and said to back it up')
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.equal(smtp?.messages.length ?? readdirSync(outbox).length, 1, 'exactly once')

    // The request log names the page, never the token in its address, nor the reader's address.
    t.equal((await fetch(second.url + link.pathname)).status, 200)
    await new Promise((resolve) => setTimeout(resolve, 200))
    t.match(second.output(), /"url":"\/confirm\/\[token\]"/, 'the confirmation page is logged without its token')
    const requestLines = second.output().split('\n').filter((line) => line.includes('"req":') || line.includes('"url":'))
    t.notOk(requestLines.some((line) => line.includes(link.pathname)), 'the token is in no request\'s log line')
    t.notMatch(second.output(), /remoteAddress/)
    second.proc.kill('SIGTERM')
    t.equal(await second.exited, 0, 'the second server shuts down cleanly')
  })
}
