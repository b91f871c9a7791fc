import { isNotNull } from 'drizzle-orm'
import type { Database } from '../db/connection.js'
import { mailOutbox } from '../db/schema.js'
import { createAppealsService, type Appeal } from '../appeals/service.js'
import { createEventsService } from '../events/service.js'
import { createFundService } from '../fund/service.js'
import type { Keys } from '../secrets/keys.js'
import type { Sealer } from '../secrets/sealing.js'
import { createSignaturesService } from '../signatures/service.js'
import type { SignatureInput } from '../signatures/signature.js'
import {
  demoAppeals, demoCountries, demoEndorsements, demoEvents, demoFund, firstNames, lastNames, roles, statementEndorsements,
  type DemoCountry, type DemoOrganisation
} from './demo-content.js'

// Generated supporters: common given names and surnames combined at random, addresses at example.org.
// They are nobody in particular; the seed makes every load the same.

function random (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ascii = (text: string): string => text.normalize('NFD').replace(/[^a-zA-Z]/g, '').toLowerCase() || 'x'
const DAY = 86_400_000

export interface DemoOptions { keys: Keys, sealer: Sealer, consentVersion: string, log: (line: string) => void, now?: Date }

export async function loadDemo (db: Database, options: DemoOptions): Promise<void> {
  const appeals = createAppealsService(db)
  const signatures = createSignaturesService(db, { keys: options.keys, sealer: options.sealer, consentVersion: options.consentVersion })
  const events = createEventsService(db, { sealer: options.sealer, reportKey: options.keys.eventReport })
  const rnd = random(1500)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!
  const now = options.now ?? new Date()
  const campaignStart = new Date(now.getTime() - 21 * DAY)
  let serial = 0

  const totalWeight = demoCountries.reduce((sum, c) => sum + c.weight, 0)
  const weightedCountry = (): DemoCountry => {
    let r = rnd() * totalWeight
    for (const country of demoCountries) { r -= country.weight; if (r <= 0) return country }
    return demoCountries[0]!
  }

  // Signatures are gathered for each appeal and written together, as a sheet of paper signatures is.
  let batch: Array<{ input: SignatureInput, signedAt: Date }> = []
  function sign (input: SignatureInput, signedAt: Date): void {
    serial += 1
    batch.push({ input, signedAt })
  }
  async function writeBatch (appeal: Appeal): Promise<void> {
    await signatures.insertImported(appeal, batch, { eventId: null })
    batch = []
  }

  function individuals (count: number, countries: () => DemoCountry, language: string): void {
    for (let i = 0; i < count; i++) {
      const country = countries()
      const first = pick(firstNames)
      const last = pick(lastNames)
      sign({
        kind: 'individual',
        name: `${first} ${last}`,
        email: `${ascii(first)}.${ascii(last)}.${serial}@example.org`,
        country: country.code,
        ...(rnd() < 0.7 && country.cities.length > 0 && { city: pick(country.cities) }),
        ...(rnd() < 0.3 && { role: pick(roles) }),
        public: rnd() < 0.7,
        contact: rnd() < 0.4,
        locale: language
      }, new Date(campaignStart.getTime() + rnd() * 21 * DAY))
    }
  }

  function endorse (organisations: DemoOrganisation[]): void {
    for (const org of organisations) {
      const first = pick(firstNames)
      const last = pick(lastNames)
      sign({
        kind: 'organisation',
        organisation: org.organisation,
        organisationType: org.organisationType,
        country: org.country,
        members: org.members,
        name: `${first} ${last}`,
        role: org.contactRole,
        email: `${ascii(org.organisation).slice(0, 20)}.${serial}@example.org`,
        public: true,
        contact: true
      }, new Date(campaignStart.getTime() + rnd() * 21 * DAY))
    }
  }

  for (const demo of demoAppeals) {
    const original = demo.texts[demo.originalLanguage]
    if (original === undefined) throw new Error(`demo appeal ${demo.slug} lacks its original text`)
    let appeal: Appeal
    try {
      appeal = await appeals.create(null, {
        slug: demo.slug, originalLanguage: demo.originalLanguage, text: original, goal: demo.goal,
        allowOrganisations: demo.allowOrganisations, donationUrl: demo.donationUrl, joinUrl: demo.joinUrl,
        // As every new appeal: a visitor who signs confirms by email. The generated signers are written
        // confirmed (insertImported), since they have no mailboxes to confirm from.
        requireConfirmation: true
      })
    } catch (err) {
      if ((err as { code?: string }).code === 'SLUG_TAKEN') { options.log(`${demo.slug}: already there, left as it is`); continue }
      throw err
    }
    for (const [language, text] of Object.entries(demo.texts)) {
      if (language !== demo.originalLanguage) await appeals.putText(appeal, language, text)
    }
    appeal = await appeals.setStatus(appeal, 'open')

    if (demo.slug === 'hands-off-venezuela') {
      // Every country once, so all of them are on the map, then the rest by weight.
      let next = 0
      individuals(1480, () => next < demoCountries.length ? demoCountries[next++]! : weightedCountry(), 'en')
      endorse(demoEndorsements)
      await writeBatch(appeal)
      for (const e of demoEvents) {
        await events.create(appeal, {
          title: e.title, city: e.city, country: e.country, latitude: e.latitude, longitude: e.longitude,
          attendance: e.attendance, startsAt: new Date(campaignStart.getTime() + e.daysFromStart * DAY + 18 * 3600_000).toISOString()
        })
      }
    } else if (demo.texts.en === undefined) {
      const venezuela = demoCountries.find((c) => c.code === 'VE') ?? demoCountries[0]!
      individuals(120, () => rnd() < 0.8 ? venezuela : weightedCountry(), 'es')
      await writeBatch(appeal)
    } else {
      individuals(200, weightedCountry, 'es')
      endorse(statementEndorsements)
      await writeBatch(appeal)
    }
    options.log(`${demo.slug}: loaded (${Object.keys(demo.texts).join(', ')})`)
  }
  const fundAppeal = await loadFundDemo(db, options, appeals)
  if (fundAppeal !== undefined) {
    // Its supporters also sign the appeal, mostly from Venezuela and Argentina.
    const near = demoCountries.filter((c) => c.code === 'VE' || c.code === 'AR')
    individuals(80, () => rnd() < 0.7 && near.length > 0 ? pick(near) : weightedCountry(), 'es')
    await writeBatch(fundAppeal)
  }
}

/** The fundraising appeal (Spanish first, with English) and its fund: reports in ARS, USD and EUR, some verified, a few expenses. */
async function loadFundDemo (db: Database, options: DemoOptions, appeals: ReturnType<typeof createAppealsService>): Promise<Appeal | undefined> {
  const fund = createFundService(db, { keys: options.keys, sealer: options.sealer, receiptMaxBytes: 5_242_880, mailMaxPerDay: 3 })
  const now = options.now ?? new Date()
  const day = (daysAgo: number): string => new Date(now.getTime() - daysAgo * DAY).toISOString().slice(0, 10)
  let appeal: Appeal
  try {
    appeal = await appeals.create(null, {
      slug: demoFund.slug, originalLanguage: demoFund.originalLanguage, text: demoFund.texts.es,
      requireConfirmation: true, allowOrganisations: true
    })
  } catch (err) {
    if ((err as { code?: string }).code === 'SLUG_TAKEN') { options.log(`${demoFund.slug}: already there, left as it is`); return undefined }
    throw err
  }
  await appeals.putText(appeal, 'en', demoFund.texts.en)
  appeal = await appeals.setStatus(appeal, 'open')
  await fund.saveSettings(appeal, { enabled: true, ...demoFund.fund })
  let serial = 0
  for (const r of demoFund.fund.reports) {
    serial += 1
    const { daysAgo, verified, ...input } = r
    await fund.report(appeal, { ...input, date: day(daysAgo), email: `fondo.${serial}@example.org` }, { language: input.country === 'FR' ? 'en' : 'es', now })
  }
  // The demo writes no mail: the supporters are made up, and their mail would only fill the outbox.
  await db.delete(mailOutbox).where(isNotNull(mailOutbox.contributionId))
  const reported = await fund.list(appeal)
  for (const c of reported) {
    const wanted = demoFund.fund.reports.find((r) => r.way === c.way && r.country === c.country && day(r.daysAgo) === c.contributedOn)
    if (wanted?.verified === true) await fund.verify(appeal, c.id, null)
  }
  await db.delete(mailOutbox).where(isNotNull(mailOutbox.contributionId))
  for (const s of demoFund.fund.spending) await fund.addSpending(appeal, { amount: s.amount, currency: s.currency, date: day(s.daysAgo), purpose: s.purpose })
  options.log(`${demoFund.slug}: loaded (es, en) with its fund`)
  return appeal
}
