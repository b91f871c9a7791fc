import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import t from 'tap'
import { databases, freshPostgresDatabase, TEST_DATA_KEY } from '../helpers/app.js'
import { call, printed, startServer } from '../helpers/server-process.js'

// An update reaches nobody twice, whatever happens to the instances sending it: real server processes,
// one killed with SIGKILL in the middle of sending (no shutdown code runs). On PostgreSQL a second
// instance sends alongside and carries on; on the embedded database the same instance is restarted.

t.setTimeout(300_000)
const SIGNERS = 120

for (const database of databases) {
  t.test(`an update killed mid-send reaches nobody twice [${database.name}]`, async (t) => {
    const received: string[] = []
    // Each mail takes a little while, so that the kill falls in the middle of the sending.
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData (stream, session, callback) {
        stream.resume()
        stream.on('end', () => setTimeout(() => {
          received.push(...session.envelope.rcptTo.map((r) => r.address))
          callback()
        }, 15))
      }
    })
    // The instance killed mid-send resets its connection in the middle of a mail: smtp-server reports that
    // as an 'error' event, which without a listener ended this test process (CI, 'read ECONNRESET').
    smtp.on('error', () => {})
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
    t.teardown(() => new Promise<void>((resolve) => { smtp.close(() => resolve()) }))
    const dataDir = t.testdir()
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      PUBLIC_URL: 'https://solidaria.example.org',
      RATE_LIMIT_SIGN_MAX: '100000',
      RATE_LIMIT_GLOBAL_MAX: '100000',
      MAIL_POLL_MS: '100',
      MAIL_IN_FLIGHT: '10',
      MAIL_LEASE_SECONDS: '2',
      // A loaded test machine's event loop is not the overload this check is for.
      MAX_EVENT_LOOP_DELAY_MS: '0',
      SECRET_KEY: 'update-crash-test-secret-key-long-enough-0123456789',
      DATA_KEY: TEST_DATA_KEY,
      ...(database.serverUrl !== undefined && { DATABASE_URL: await freshPostgresDatabase(t, database.serverUrl) })
    }
    const first = await startServer(t, env)
    const second = database.serverUrl === undefined ? undefined : await startServer(t, env)

    const token = await printed(first, /"token":"([^"]+)"/)
    const admin = { email: 'admin@example.org', password: 'a long enough password' }
    t.equal((await call(first, 'POST', '/api/admin/setup', { token, name: 'Admin', ...admin })).status, 201)
    let cookie = (await call(first, 'POST', '/api/admin/session', admin)).cookie
    await call(first, 'POST', '/api/admin/appeals', { slug: 'crash-update', originalLanguage: 'en', requireConfirmation: false, text: { title: 'Solidarity' } }, cookie)
    t.equal((await call(first, 'POST', '/api/admin/appeals/crash-update/open', undefined, cookie)).status, 200)
    for (let i = 0; i < SIGNERS; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, SIGNERS - i) }, async (_, j) => {
        const signed = await call(first, 'POST', '/api/appeals/crash-update/signatures', { kind: 'individual', name: 'Signer', email: `s${i + j}@example.org`, country: 'UA', contact: true })
        if (signed.status !== 201) throw new Error(JSON.stringify(signed.body))
      }))
    }
    const update = await call(first, 'POST', '/api/admin/appeals/crash-update/updates', { texts: { en: { subject: 'News', body: 'We delivered.' } } }, cookie)
    t.equal(update.status, 201)
    t.equal((await call(first, 'POST', `/api/admin/appeals/crash-update/updates/${update.body.id}/send`, {}, cookie)).status, 200)

    for (const deadline = Date.now() + 60_000; received.length < 20 && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 5))
    first.proc.kill('SIGKILL')
    await first.exited
    const atKill = received.length
    t.ok(atKill >= 20 && atKill < SIGNERS, `killed mid-send (${atKill} of ${SIGNERS} delivered)`)

    const survivor = second ?? await startServer(t, env)
    if (second === undefined) {
      const session = await call(survivor, 'POST', '/api/admin/session', admin)
      t.equal(session.status, 200, `signed in on the restarted server: ${JSON.stringify(session.body)}`)
      cookie = session.cookie
    }
    let detail: any
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      detail = (await call(survivor, 'GET', `/api/admin/appeals/crash-update/updates/${update.body.id}`, undefined, cookie)).body
      if (detail.status === 'sent') break
    }
    t.equal(detail?.status, 'sent', `the survivor finished the update: ${JSON.stringify(detail)}`)
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.equal(new Set(received).size, received.length, 'nobody received it twice')
    t.ok(received.length > atKill, 'the rest went out after the kill')
    t.equal(detail.progress.sent + detail.progress.failed, SIGNERS, 'every recipient is accounted for')
    t.ok(received.length >= detail.progress.sent && received.length <= SIGNERS, 'what was recorded as sent arrived; what was in hand at the kill was given up, not sent again')
    survivor.proc.kill('SIGTERM')
    await survivor.exited
  })
}
