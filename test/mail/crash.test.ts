import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import t from 'tap'
import { databases, freshPostgresDatabase, TEST_DATA_KEY, type TestContext } from '../helpers/app.js'
import { call, printed, startServer, type Server } from '../helpers/server-process.js'
import { linkIn, smtpServer } from '../helpers/mail.js'

// A signer who was answered gets their mail even if the server dies right after answering: the mail was
// queued in the signature's own transaction, and the next server to start sends it. Real server
// processes, killed with SIGKILL (no shutdown code runs). Signers who arrive together are written by one
// statement (group commit): each of them was answered only after it committed, so none is lost either.

t.setTimeout(300_000)

const BURST = 30

/**
 * Sets up the first admin with the token the server printed, opens an appeal that requires confirmation
 * and one that does not, and signs them: `email` and BURST others on the first, BURST on the second, all at once.
 */
async function signOnFreshServer (t: TestContext, server: Server, email: string): Promise<void> {
  const token = await printed(server, /"token":"([^"]+)"/)
  t.ok(token, 'the new server printed its set-up token')
  const admin = { email: 'admin@example.org', password: 'a long enough password' }
  t.equal((await call(server, 'POST', '/api/admin/setup', { token, name: 'Admin', ...admin })).status, 201)
  const cookie = (await call(server, 'POST', '/api/admin/session', admin)).cookie
  const created = await call(server, 'POST', '/api/admin/appeals', { slug: 'crash-test', originalLanguage: 'en', text: { title: 'Solidarity with the strikers' } }, cookie)
  t.equal(created.body.options?.requireConfirmation, true, 'the appeal requires confirmation')
  t.equal((await call(server, 'POST', '/api/admin/appeals/crash-test/open', undefined, cookie)).status, 200)
  await call(server, 'POST', '/api/admin/appeals', { slug: 'crash-counted', originalLanguage: 'en', text: { title: 'Counted at once' }, requireConfirmation: false }, cookie)
  t.equal((await call(server, 'POST', '/api/admin/appeals/crash-counted/open', undefined, cookie)).status, 200)
  const signer = (slug: string, name: string, address: string) => call(server, 'POST', `/api/appeals/${slug}/signatures`, { kind: 'individual', name, email: address, country: 'UA' })
  const [signed, ...burst] = await Promise.all([
    signer('crash-test', 'Olga', email),
    ...Array.from({ length: BURST }, (_, i) => signer('crash-test', `Signer ${i}`, `burst-${i}@example.org`)),
    ...Array.from({ length: BURST }, (_, i) => signer('crash-counted', `Counted ${i}`, `counted-${i}@example.org`))
  ])
  t.same([signed!.status, signed!.body], [201, { status: 'pending' }], 'the signer is answered')
  t.same(burst.map((r) => r.status), burst.map(() => 201), `and so are the ${2 * BURST} who signed at the same moment`)
}

for (const database of databases) {
  t.test(`a server killed right after answering a signer still gets the mail out after a restart [${database.name}]`, async (t) => {
    const dataDir = t.testdir()
    const smtp = database.name === 'postgres' ? await smtpServer(t) : undefined
    const env: Record<string, string> = database.serverUrl === undefined
      ? { DATA_DIR: dataDir }
      : { DATA_DIR: dataDir, DATABASE_URL: await freshPostgresDatabase(t, database.serverUrl), SECRET_KEY: 'crash-test-secret-key-long-enough-0123456789', DATA_KEY: TEST_DATA_KEY, SMTP_URL: smtp!.url, PUBLIC_URL: 'https://solidaria.example.org' }

    // The first server's worker polls once at start, then not for ten minutes: the mail is still queued when it dies.
    // Signers within 5 ms of each other share a statement; the burst of signers is let through the rate limit.
    Object.assign(env, { SIGNING_GROUP_WINDOW_MS: '5', RATE_LIMIT_SIGN_MAX: '1000' })
    const first = await startServer(t, { ...env, MAIL_POLL_MS: '600000' })
    await signOnFreshServer(t, first, 'olga@example.org')
    first.proc.kill('SIGKILL')
    await first.exited
    const outbox = join(dataDir, 'outbox')
    const filesNow = existsSync(outbox) ? readdirSync(outbox) : []
    t.same([smtp?.messages.length ?? 0, filesNow.length], [0, 0], 'nothing was sent before it died')

    const second = await startServer(t, { ...env, MAIL_POLL_MS: '100' })
    let link: URL
    const mails = 1 + BURST
    if (smtp !== undefined) {
      const received = await smtp.received(mails)
      const mail = received.find((m) => m.to !== undefined && 'text' in m.to && m.to.text === 'olga@example.org')
      t.ok(mail, 'the restarted server sent the mail')
      link = linkIn(mail?.text ?? '', '/confirm/')
    } else {
      for (const deadline = Date.now() + 30_000; !(existsSync(outbox) && readdirSync(outbox).length >= mails) && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      const files = existsSync(outbox) ? readdirSync(outbox) : []
      t.equal(files.length, mails, 'the restarted server wrote the mails into DATA_DIR/outbox')
      const parsed = await Promise.all(files.map(async (file) => simpleParser(readFileSync(join(outbox, file)))))
      const mail = parsed.find((m) => m.to !== undefined && 'text' in m.to && m.to.text === 'olga@example.org')!
      link = linkIn(mail.text ?? '', '/confirm/')
      for (const deadline = Date.now() + 5000; !second.output().includes(link.href) && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      t.ok(second.output().includes(`Its link: ${link.href}`), 'and logged its link, so someone trying Solidaria out can follow it')
      t.ok(existsSync(join(dataDir, 'data.key')), 'the embedded default generated its data key')
      t.match(first.output(), /Generated a new DATA_KEY in DATA_DIR\/data\.key: back it up/, 'and said to back it up')
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.equal(smtp?.messages.length ?? readdirSync(outbox).length, mails, 'each exactly once')
    const counted = await call(second, 'GET', '/api/appeals/crash-counted/stats')
    t.equal(counted.body.signatures, BURST, 'and every signature that counted at once is there')

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
