import { CsvError, parse } from 'csv-parse/sync'
import type { Appeal } from '../appeals/service.js'
import { AppError, appError, type FieldError } from '../errors/app-error.js'
import { validationError } from '../errors/handler.js'
import { normaliseText } from '../http/normalise-input.js'
import { countryCodes } from '../http/schemas.js'
import { compileBodyValidator } from '../http/validation.js'
import { languages, loadResources } from '../i18n/index.js'
import { SignatureInput as SignatureInputSchema } from '../signatures/schemas.js'
import { normaliseEmail } from '../signatures/email.js'
import type { SignaturesService } from '../signatures/service.js'
import type { SignatureInput } from '../signatures/signature.js'
import { nameKey } from '../signatures/name-index.js'
import { checkSigningRules } from '../signatures/signing-rules.js'
import { writeCsv } from './read-upload.js'

// Paper signatures: a CSV or .xlsx of the sheets passed round at a meeting or an event (read-upload.ts
// decodes it). Its columns are mapped to the signature's fields on screen, every row is checked as the
// signing form checks a signature, and the valid rows that are not already there are imported in one
// transaction, recorded with source "import" and the event they came from. A file that cannot be read
// imports nothing. The email is optional on paper: a row without one gets no mail, and one with the same
// name and country as another (in the file or the appeal) is imported but flagged as a possible duplicate.

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
  name: ['name', 'full name', 'nombre', 'nombre y apellido', 'nombre completo', 'nom', 'nom complet', 'nom et prénom', 'nome', 'nome completo', 'nome e cognome',
    'vor- und nachname', 'όνομα', 'ονοματεπώνυμο', 'الاسم', 'الاسم الكامل'],
  email: ['email', 'e-mail', 'mail', 'email address', 'correo', 'correo electrónico', 'courriel', 'adresse e-mail', 'e-mail-adresse', 'endereço de e-mail', 'indirizzo email',
    'ηλεκτρονικό ταχυδρομείο', 'البريد الإلكتروني', 'البريد'],
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

// The printed sheet's column titles in every language (locales/<lang>/fielddata.json, sheet.columns),
// so that collected sheets typed into a spreadsheet come back in with the titles they went out with.
let sheetTitles: Map<string, ImportField> | undefined
function sheetTitleOf (title: string): ImportField | undefined {
  if (sheetTitles === undefined) {
    sheetTitles = new Map()
    for (const [, namespaces] of Object.entries(loadResources())) {
      const columns = (namespaces.fielddata as { sheet?: { columns?: Record<string, string> } } | undefined)?.sheet?.columns ?? {}
      for (const [field, label] of Object.entries(columns)) {
        if (importFields.includes(field as ImportField)) sheetTitles.set(titleKey(label), field as ImportField)
      }
    }
  }
  return sheetTitles.get(title)
}

/** A column title as compared: "País / Country", "Email (optional)" → its first part, no note in brackets, lower case. */
function titleKey (title: string): string {
  return title.normalize('NFC').replace(/\(.*?\)|:/g, '').split(/\s+\/\s+|\n/)[0]!.trim().toLowerCase()
}

/** The first guess at what each column holds, from its title; each field once at most. */
export function guessMapping (header: string[]): ColumnMapping {
  const taken = new Set<ImportField>()
  return header.map((title) => {
    const t = titleKey(title)
    const fromSheet = sheetTitleOf(t)
    const field = fromSheet !== undefined && !taken.has(fromSheet) ? fromSheet : importFields.find((f) => !taken.has(f) && TITLES[f].includes(t))
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

const YES = new Set(['yes', 'y', 'x', '✓', '1', 'true', 'sí', 'si', 's', 'oui', 'o', 'ja', 'j', 'sim', 'ναι', 'نعم'])
const NO = new Set(['no', 'n', '0', 'false', 'non', 'nein', 'não', 'nao', 'όχι', 'لا', ''])

export interface CheckedRow {
  line: number
  /** The signature, when the row is valid. */
  input?: SignatureInput
  /** What is wrong with the row, by field. */
  problems: Record<string, FieldError>
  /** Whether its email signed this appeal already, or appears on an earlier line of the file: not imported. */
  duplicate?: 'appeal' | 'file'
  /**
   * A row without email whose name and country match a paper signature of the appeal, or an earlier
   * line (its number): imported all the same (two people may share a name), and shown to the organiser.
   */
  possibleDuplicate?: 'appeal' | number
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
  // On paper the email is optional (the import confirms the signature): the schema's own check of it
  // is kept for an address that was written down.
  const withoutEmail = input.email === undefined
  if (!checkSignature(withoutEmail ? { ...input, email: 'paper@example.org' } : input)) {
    for (const [field, problem] of Object.entries(validationError(checkSignature.errors ?? []).fields)) problems[field] ??= problem
  }
  if (withoutEmail) input.email = ''
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
  /** Rows imported (or to be) although they may be someone who signed already: same name and country, no email. */
  possibleDuplicates: number
}

/**
 * The rows that cannot be imported as they are, with what is wrong with each in a last column, as a
 * CSV (UTF-8 with a byte-order mark, which Excel needs to read it so): to fix and upload again.
 */
export function rejectedRowsCsv (table: CsvTable, check: ImportCheck, describe: (row: CheckedRow) => string, problemsTitle: string): string {
  const rejected = new Map(check.rows.filter((r) => r.input === undefined).map((r) => [r.line, r]))
  const rows = table.rows.filter((row) => rejected.has(row.line)).map((row) => [...table.header.map((_t, i) => row.cells[i] ?? ''), describe(rejected.get(row.line)!)])
  return '\uFEFF' + writeCsv([[...table.header, problemsTitle], ...rows])
}

export function createImportsService (signatures: SignaturesService, nameIndexKey: Buffer) {
  return {
    /** Checks every row with this mapping: what is valid, what is wrong, what is already there. Writes nothing. */
    async check (appeal: Appeal, table: CsvTable, mapping: ColumnMapping): Promise<ImportCheck> {
      if (!mapping.includes('name') || !mapping.includes('country')) {
        throw appError('IMPORT_MAPPING_INCOMPLETE')
      }
      const rows = table.rows.map((row) => checkRow(row, mapping, appeal))
      const valid = rows.filter((r) => r.input !== undefined)
      const withEmail = valid.filter((r) => r.input!.email !== '')
      const signed = await signatures.emailsSigned(appeal, withEmail.map((r) => r.input!.email))
      const seen = new Set<string>()
      for (const row of withEmail) {
        const email = row.input!.email.toLowerCase()
        if (signed.has(email)) row.duplicate = 'appeal'
        else if (seen.has(email)) row.duplicate = 'file'
        seen.add(email)
      }
      // Without an email, the same name and country is the only hint that one person signed twice.
      const withoutEmail = valid.filter((r) => r.input!.email === '')
      const keys = new Map(withoutEmail.map((r) => [r, nameKey(nameIndexKey, r.input!.name, r.input!.country)]))
      const named = await signatures.nameKeysSigned(appeal, [...new Set(keys.values())])
      const firstLine = new Map<string, number>()
      for (const row of valid) {
        const key = nameKey(nameIndexKey, row.input!.name, row.input!.country)
        const earlier = firstLine.get(key)
        if (keys.has(row)) {
          if (named.has(key)) row.possibleDuplicate = 'appeal'
          else if (earlier !== undefined) row.possibleDuplicate = earlier
        }
        if (earlier === undefined) firstLine.set(key, row.line)
      }
      const duplicates = rows.filter((r) => r.duplicate !== undefined).length
      const possibleDuplicates = rows.filter((r) => r.possibleDuplicate !== undefined).length
      return { rows, valid: valid.length - duplicates, invalid: rows.length - valid.length, duplicates, possibleDuplicates }
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
      for (const row of checked.rows) if (row.input !== undefined && row.duplicate === undefined && row.input.email !== '' && skipped.has(row.input.email.toLowerCase())) row.duplicate = 'appeal'
      return { ...checked, duplicates: checked.duplicates + skipped.size, valid: inserted, imported: inserted }
    }
  }
}

export type ImportsService = ReturnType<typeof createImportsService>
