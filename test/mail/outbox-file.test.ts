import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import t from 'tap'
import { build } from '../helpers/app.js'
import { appeal, organiser, person, sign } from '../helpers/fixtures.js'
import { linkIn } from '../helpers/mail.js'

// The embedded default has no SMTP server: each mail is written to DATA_DIR/outbox as an .eml file
// (and its link logged: see test/mail/crash.test.ts, which reads a real server's log).

t.test('without SMTP_URL, mail is written as .eml files into DATA_DIR/outbox', async (t) => {
  const dataDir = t.testdir()
  const app = await build(t, { DATA_DIR: dataDir })
  t.equal(app.mailSender.mode, 'files')
  const owner = await organiser(app)
  const slug = await appeal(app, owner, { requireConfirmation: true })
  await sign(app, slug, person({ email: 'file@example.org', name: 'Fatima Zahra', locale: 'fr' }))
  t.match(await app.services.mail.worker.runOnce(), { sent: 1 })

  const folder = join(dataDir, 'outbox')
  const files = readdirSync(folder)
  t.equal(files.length, 1)
  t.match(files[0], /\.eml$/)
  t.equal(statSync(join(folder, files[0]!)).mode & 0o777, 0o600, 'readable by the server\'s user only')
  const mail = await simpleParser(readFileSync(join(folder, files[0]!)))
  t.equal(mail.to && 'text' in mail.to ? mail.to.text : undefined, 'file@example.org')
  t.match(mail.subject, /^Confirmez votre signature/, 'in the signer\'s language')
  t.ok(linkIn(mail.text ?? '', '/confirm/'), 'a mail client opens it with its link')
  t.match(String(mail.html), /<html lang="fr"/)
})
