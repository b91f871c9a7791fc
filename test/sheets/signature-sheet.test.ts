import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { guessMapping } from '../../src/imports/service.js'
import { build } from '../helpers/app.js'
import { signedInBrowser } from '../helpers/dashboard.js'
import { appeal, organiser } from '../helpers/fixtures.js'

// The printed sheet read back as text, by poppler's pdftotext (Debian: poppler-utils).
const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined
const required = process.env.CI === 'true' || process.env.REQUIRE_BROWSER === '1'

function textOf (pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'sheet-'))
  try {
    writeFileSync(join(dir, 'sheet.pdf'), pdf)
    return execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'sheet.pdf'), '-'], { encoding: 'utf8' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// Arabic words without the lam-alef ligature (pdftotext gives its two letters back in the wrong order)
// nor vowel marks (which it puts on a line of their own): that would test poppler, not the sheet.
const ARABIC = { title: 'تضامن مع عمال النفط', summary: 'نقف مع العمال في كل مكان', body: 'نص', demands: ['وقف العقوبات فورا', 'احترام حقوق النقابات'] }

t.test('the signature sheet prints the appeal, its demands and the import\'s columns, in English and in Arabic', { skip: !hasPdftotext && !required ? 'pdftotext is not installed (Debian: poppler-utils)' : false }, async (t) => {
  const app = await build(t)
  const owner = await organiser(app)
  const slug = await appeal(app, owner)
  t.equal((await app.inject({ method: 'PUT', url: `/api/admin/appeals/${slug}/texts/ar`, headers: owner.auth, payload: ARABIC })).statusCode, 200)
  const b = await signedInBrowser(app, owner)

  const index = await b.get(`/admin/appeals/${slug}/sheet`)
  t.equal(index.statusCode, 200)
  t.match(index.body, new RegExp(`href="/admin/appeals/${slug}/sheet.pdf\\?lang=ar"`))
  t.match((await b.get(`/admin/appeals/${slug}/import`)).body, new RegExp(`href="/admin/appeals/${slug}/sheet"`), 'offered where sheets are imported')

  const english = await b.get(`/admin/appeals/${slug}/sheet.pdf?lang=en`)
  t.equal(english.statusCode, 200)
  t.equal(english.headers['content-type'], 'application/pdf')
  const en = textOf(english.rawPayload)
  for (const expected of ['Hands off Venezuela', 'Stand with Venezuelan workers', 'Stop the sanctions', 'Respect the vote', 'Name', 'Email (optional)', 'Country', 'City', 'Show my name', 'Signature']) {
    t.ok(en.includes(expected), `English sheet: ${expected}`)
  }
  t.match(en.replace(/\s+/g, ''), /\/appeals\/appeal-[a-z0-9]+\?lang=en#sign/, 'the online form\'s address under the QR code')
  const titles = [...new Set(en.split('\n').map((l) => l.trim()).filter((l) => ['Name', 'Email (optional)', 'Country', 'City', 'Organisation'].includes(l)))]
  t.equal(titles.length, 5)
  t.same(guessMapping(titles).filter(Boolean).length, 5, 'the printed titles are those the import recognises')

  const arabic = await b.get(`/admin/appeals/${slug}/sheet.pdf?lang=ar`)
  t.equal(arabic.statusCode, 200)
  const ar = textOf(arabic.rawPayload)
  for (const expected of [ARABIC.title, ARABIC.summary, ...ARABIC.demands, 'البلد', 'المدينة', 'المنظمة', 'التوقيع', 'التواصل']) {
    t.ok(ar.includes(expected), `Arabic sheet, right to left: ${expected}`)
  }
  t.notOk(ar.includes('Hands off Venezuela'), 'the Arabic text, not the original')
  const untranslated = textOf((await b.get(`/admin/appeals/${slug}/sheet.pdf?lang=el`)).rawPayload)
  t.ok(untranslated.includes('Hands off Venezuela') && untranslated.includes('Χώρα') && untranslated.includes('Υπογραφή'), 'an untranslated appeal in its original, with the columns in Greek')
})
