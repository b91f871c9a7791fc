import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { createPasswords, verifyPassword } from '../../src/organisers/passwords.js'

t.test('a password is hashed at the configured cost, which the hash records', async (t) => {
  const production = createPasswords(loadConfig({}).PASSWORD_HASH_COST)
  const stored = await production.hash('correct horse battery')
  t.match(stored, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/, 'N = 2^15 by default')
  t.ok(await verifyPassword('correct horse battery', stored))
  t.notOk(await verifyPassword('correct horse batterY', stored))
})

t.test('hashes made at another cost still verify, and an unknown user costs a real comparison', async (t) => {
  const cheap = createPasswords(10)
  const stored = await cheap.hash('correct horse battery')
  t.match(stored, /^scrypt\$1024\$/)
  t.ok(await createPasswords(15).verify('correct horse battery', stored), 'verified at the cost the hash names')
  const unknown = await cheap.unknownUserHash()
  t.equal(await cheap.unknownUserHash(), unknown, 'made once')
  t.notOk(await cheap.verify('correct horse battery', unknown))
  t.notOk(await verifyPassword('x', 'bcrypt$whatever'), 'an unknown scheme never verifies')
})
