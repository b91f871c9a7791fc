import { CsvError, parse } from 'csv-parse/sync'
import type { Appeal } from '../appeals/service.js'
import { AppError, appError, type FieldError } from '../errors/app-error.js'
import { validationError } from '../errors/handler.js'
import { normaliseText } from '../http/normalise-input.js'
import { countryCodes } from '../http/schemas.js'
import { compileBodyValidator } from '../http/validation.js'
import { languages } from '../i18n/index.js'
import { SignatureInput as SignatureInputSchema } from '../signatures/schemas.js'
import { normaliseEmail } from '../signatures/email.js'
import type { SignaturesService } from '../signatures/service.js'
import type { SignatureInput } from '../signatures/signature.js'
import { checkSigningRules } from '../signatures/signing-rules.js'

// Paper signatures: a CSV of the sheets passed round at a meeting or an event. Its columns are mapped
// to the signature's fields on screen, every row is checked as the signing form checks a signature,
// and the valid rows that are not already there are imported in one transaction, recorded with
// source "import" and the event they came from. A file that cannot be read imports nothing.

export const importFields = ['name', 'email', 'country', 'city', 'organisation', 'role', 'kind', 'organisationType', 'members', 'public', 'contact'] as const
export type ImportField = typeof importFields[number]
/** For each column of the file, the field it holds, or null to leave it out. */
export type ColumnMapping = Array<ImportField | null>

export const MAX_ROWS = 10_000

export interface CsvTable { header: string[], rows: Array<{ line: number, cells: string[] }> }

/**
 * The separator of a sheet: whichever of comma, semicolon (spreadsheets in much of Europe and Latin
 * America) and tab its title line uses most.
 */
function delimiterOf (text: string): string {
  const firstLine = text.replace(/^\uFEFF/, '').split('\n', 1)[0] ?? ''
  const counts = [',', ';', '\t'].map((d) => ({ d, n: firstLine.split(d).length }))
  return counts.reduce((best, c) => (c.n > best.n ? c : best)).d
}

/** Reads a CSV (comma, semicolon or tab; UTF-8, with or without a byte-order mark); refuses one that cannot be read. */
export function readCsv (text: string): CsvTable {
  let records: Array<{ record: string[], info: { lines: number } }>
  try {
    records = parse(text, {
      bom: true, delimiter: delimiterOf(text), relax_column_count: true, skip_empty_lines: true, trim: true, info: true, max_record_size: 100_000
    }) as unknown as typeof records
  } catch (err) {
    if (err instanceof CsvError) throw appError('IMPORT_UNREADABLE', { line: (err as CsvError & { lines?: number }).lines ?? '?' })
    throw err
  }
  const [first, ...rest] = records
  if (first === undefined || rest.length === 0) throw appError('IMPORT_EMPTY')
  if (rest.length > MAX_ROWS) throw appError('IMPORT_TOO_LARGE', { max: MAX_ROWS })
  return { header: first.record, rows: rest.map((r) => ({ line: r.info.lines, cells: r.record })) }
}

// Column titles as people write them, in the site's languages, for the first guess of the mapping.
const TITLES: Record<ImportField, string[]> = {
  name: ['name', 'full name', 'nombre', 'nombre y apellido', 'nom', 'nom complet', 'nome', 'vor- und nachname', 'όνομα', 'ονοματεπώνυμο', 'الاسم'],
  email: ['email', 'e-mail', 'mail', 'email address', 'correo', 'correo electrónico', 'courriel', 'e-mail-adresse', 'endereço de e-mail', 'indirizzo email', 'البريد الإلكتروني'],
  country: ['country', 'país', 'pais', 'pays', 'land', 'paese', 'χώρα', 'البلد', 'الدولة'],
  city: ['city', 'town', 'ciudad', 'ville', 'stadt', 'cidade', 'città', 'πόλη', 'المدينة'],
  organisation: ['organisation', 'organization', 'union', 'trade union', 'organización', 'sindicato', 'organisation syndicale', 'syndicat', 'organisation/gewerkschaft', 'gewerkschaft', 'organização', 'organizzazione', 'οργάνωση', 'σωματείο', 'المنظمة', 'النقابة'],
  role: ['role', 'position', 'cargo', 'rôle', 'fonction', 'funktion', 'função', 'ruolo', 'ρόλος', 'الصفة', 'الدور'],
  kind: ['kind', 'type of signature', 'tipo de firma'],
  organisationType: ['organisation type', 'organization type', 'tipo de organización', 'type d\'organisation'],
  members: ['members', 'miembros', 'afiliados', 'membres', 'mitglieder', 'membros', 'iscritti', 'μέλη', 'الأعضاء'],
  public: ['public', 'show name', 'público', 'publico', 'öffentlich', 'pubblico', 'δημόσιο', 'علني'],
  contact: ['contact', 'may contact', 'contacto', 'kontakt', 'contatto', 'επικοινωνία', 'التواصل']
}

/** The first guess at what each column holds, from its title; each field once at most. */
export function guessMapping (header: string[]): ColumnMapping {
  const taken = new Set<ImportField>()
  return header.map((title) => {
    const t = title.trim().toLowerCase()
    const field = importFields.find((f) => !taken.has(f) && TITLES[f].includes(t))
    if (field !== undefined) taken.add(field)
    return field ?? null
  })
}

// Countries by code or by name in any of the site's languages ("Venezuela", "Venezuela (Bolivarian
// Republic of)", "Alemania" and "DE" are all Germany or Venezuela).
let countriesByName: Map<string, string> | undefined
function countryOf (value: string): string | undefined {
  if (countriesByName === undefined) {
    countriesByName = new Map()
    for (const lang of languages) {
      const names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' })
      for (const code of countryCodes) {
        const name = names.of(code)
        if (name !== undefined) countriesByName.set(name.toLocaleLowerCase(lang), code)
      }
    }
  }
  const upper = value.trim().toUpperCase()
  if (countryCodes.includes(upper)) return upper
  return countriesByName.get(value.trim().toLowerCase())
}

const YES = new Set(['yes', 'y', 'x', '1', 'true', 'sí', 'si', 's', 'oui', 'o', 'ja', 'j', 'sim', 'ναι', 'نعم'])
const NO = new Set(['no', 'n', '0', 'false', 'non', 'nein', 'não', 'nao', 'όχι', 'لا', ''])

export interface CheckedRow {
  line: number
  /** The signature, when the row is valid. */
  input?: SignatureInput
  /** What is wrong with the row, by field. */
  problems: Record<string, FieldError>
  /** Whether its email signed this appeal already, or appears on an earlier line of the file. */
  duplicate?: 'appeal' | 'file'
}

const checkSignature = compileBodyValidator(SignatureInputSchema)

/** One row as the signature the form would have sent, checked by the same schema and rules. */
function checkRow (row: { line: number, cells: string[] }, mapping: ColumnMapping, appeal: Appeal): CheckedRow {
  const raw: Partial<Record<ImportField, string>> = {}
  mapping.forEach((field, i) => {
    const cell = row.cells[i]
    if (field !== null && cell !== undefined) raw[field] = normaliseText(cell, false)
  })
  const problems: Record<string, FieldError> = {}
  const input: Record<string, unknown> = { kind: 'individual' }
  const kind = raw.kind?.toLowerCase()
  if (kind !== undefined && kind !== '') {
    if (['organisation', 'organization', 'organización', 'org'].includes(kind)) input.kind = 'organisation'
    else if (!['individual', 'person', 'persona', 'personne'].includes(kind)) problems.kind = { key: 'choice' }
  }
  for (const field of ['name', 'email', 'city', 'organisation', 'role', 'organisationType'] as const) {
    if (raw[field] !== undefined && raw[field] !== '') input[field] = raw[field]
  }
  if (typeof input.email === 'string') input.email = normaliseEmail(input.email)
  if (raw.country !== undefined && raw.country !== '') {
    const code = countryOf(raw.country)
    if (code === undefined) problems.country = { key: 'country' }
    else input.country = code
  }
  if (raw.members !== undefined && raw.members !== '') {
    const members = Number(raw.members.replace(/[\s.,'’]/g, ''))
    if (Number.isInteger(members)) input.members = members
    else problems.members = { key: 'wholeNumber' }
  }
  for (const field of ['public', 'contact'] as const) {
    const value = raw[field]?.toLowerCase()
    if (value === undefined) continue
    if (YES.has(value)) input[field] = true
    else if (NO.has(value)) input[field] = false
    else problems[field] = { key: 'boolean' }
  }
  if (!checkSignature(input)) {
    for (const [field, problem] of Object.entries(validationError(checkSignature.errors ?? []).fields)) problems[field] ??= problem
  }
  try {
    checkSigningRules(appeal, input as unknown as SignatureInput)
  } catch (err) {
    if (!(err instanceof AppError)) throw err
    for (const [field, problem] of Object.entries(err.fields)) problems[field] ??= problem
  }
  return Object.keys(problems).length > 0 ? { line: row.line, problems } : { line: row.line, input: input as unknown as SignatureInput, problems }
}

export interface ImportCheck {
  rows: CheckedRow[]
  valid: number
  invalid: number
  duplicates: number
}

export function createImportsService (signatures: SignaturesService) {
  return {
    /** Checks every row with this mapping: what is valid, what is wrong, what is already there. Writes nothing. */
    async check (appeal: Appeal, table: CsvTable, mapping: ColumnMapping): Promise<ImportCheck> {
      if (!mapping.includes('name') || !mapping.includes('email') || !mapping.includes('country')) {
        throw appError('IMPORT_MAPPING_INCOMPLETE')
      }
      const rows = table.rows.map((row) => checkRow(row, mapping, appeal))
      const valid = rows.filter((r) => r.input !== undefined)
      const signed = await signatures.emailsSigned(appeal, valid.map((r) => r.input!.email))
      const seen = new Set<string>()
      for (const row of valid) {
        const email = row.input!.email.toLowerCase()
        if (signed.has(email)) row.duplicate = 'appeal'
        else if (seen.has(email)) row.duplicate = 'file'
        seen.add(email)
      }
      const duplicates = rows.filter((r) => r.duplicate !== undefined).length
      return { rows, valid: valid.length - duplicates, invalid: rows.length - valid.length, duplicates }
    },

    /**
     * Imports the valid rows that are not duplicates, all in one transaction (all or nothing), and
     * returns the check as it stood, with how many were written.
     */
    async run (appeal: Appeal, table: CsvTable, mapping: ColumnMapping, eventId: string | null): Promise<ImportCheck & { imported: number }> {
      const checked = await this.check(appeal, table, mapping)
      const toImport = checked.rows.filter((r) => r.input !== undefined && r.duplicate === undefined).map((r) => ({ input: r.input! }))
      const { inserted, skipped } = await signatures.insertImported(appeal, toImport, { eventId })
      // A signature that arrived between the check and the import is a duplicate too.
      for (const row of checked.rows) if (row.input !== undefined && row.duplicate === undefined && skipped.has(row.input.email.toLowerCase())) row.duplicate = 'appeal'
      return { ...checked, duplicates: checked.duplicates + skipped.size, valid: inserted, imported: inserted }
    }
  }
}

export type ImportsService = ReturnType<typeof createImportsService>
