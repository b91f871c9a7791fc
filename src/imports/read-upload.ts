import chardet from 'chardet'
import type ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { appError } from '../errors/app-error.js'

// Sheets as people really keep them: a CSV saved by a Spanish Excel is Windows-1252 with semicolons, a
// Greek one Windows-1253, an Arabic one Windows-1256, LibreOffice writes UTF-8, Excel's "Unicode text"
// UTF-16 with tabs; and many send the .xlsx itself. All come out here as text, to be read as CSV.

// What the detector names by the ISO standard is, on the desktops that write these files, the Windows
// code page that extends it (Excel writes "é" as 0xE9 and "€" as 0x80, which ISO-8859-1 lacks).
const WINDOWS_FOR_ISO: Record<string, string> = {
  'ISO-8859-1': 'windows-1252', 'ISO-8859-2': 'windows-1250', 'ISO-8859-5': 'windows-1251', 'ISO-8859-6': 'windows-1256',
  'ISO-8859-7': 'windows-1253', 'ISO-8859-8': 'windows-1255', 'ISO-8859-9': 'windows-1254'
}

export interface DecodedText { text: string, encoding: string }

/** The text of a CSV file in whatever encoding it was saved in: its byte-order mark, else UTF-8 if it is valid, else the detected one. */
export function decodeText (bytes: Buffer): DecodedText {
  if (bytes[0] === 0xEF && bytes[1] === 0xBB && bytes[2] === 0xBF) return { text: bytes.subarray(3).toString('utf8'), encoding: 'UTF-8' }
  if (bytes[0] === 0xFF && bytes[1] === 0xFE) return { text: iconv.decode(bytes.subarray(2), 'utf-16le'), encoding: 'UTF-16LE' }
  if (bytes[0] === 0xFE && bytes[1] === 0xFF) return { text: iconv.decode(bytes.subarray(2), 'utf-16be'), encoding: 'UTF-16BE' }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'UTF-8' }
  } catch {
    // Not UTF-8: a legacy code page, which only statistics can tell apart.
  }
  const detected = chardet.detect(bytes) ?? 'windows-1252'
  const encoding = WINDOWS_FOR_ISO[detected] ?? detected
  if (!iconv.encodingExists(encoding)) throw appError('IMPORT_UNREADABLE', { line: 1 })
  return { text: iconv.decode(bytes, encoding), encoding }
}

/** Whether the bytes are a zip file, as an .xlsx workbook is. */
export const isZip = (bytes: Buffer): boolean => bytes.length > 4 && bytes.readUInt32LE(0) === 0x04034b50

/** One cell as text: what the spreadsheet shows (rich text joined, a formula's result, a date as YYYY-MM-DD). */
function cellText (value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('')
    if ('text' in value && typeof value.text === 'string') return value.text
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue)
    if ('error' in value) return ''
    return ''
  }
  return String(value)
}

/** The first worksheet of an .xlsx workbook as rows of text, with the line each had in the sheet. */
export async function readWorkbook (bytes: Buffer): Promise<Array<{ line: number, cells: string[] }>> {
  // Loaded on the first workbook (exceljs holds some 28 MB): most instances never receive one.
  const { default: excel } = await import('exceljs')
  const workbook = new excel.Workbook()
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer)
  } catch {
    throw appError('IMPORT_UNREADABLE', { line: 1 })
  }
  const sheet = workbook.worksheets[0]
  if (sheet === undefined) throw appError('IMPORT_EMPTY')
  const rows: Array<{ line: number, cells: string[] }> = []
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = []
    for (let i = 1; i <= row.cellCount; i++) cells.push(cellText(row.getCell(i).value).trim())
    if (cells.some((c) => c !== '')) rows.push({ line, cells })
  })
  return rows
}

/** Rows as CSV text (RFC 4180, every cell quoted), for the form to carry between its steps and for downloads. */
export function writeCsv (rows: string[][]): string {
  return rows.map((cells) => cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n'
}

/**
 * An uploaded file as CSV text: an .xlsx workbook's first sheet written out as CSV (a blank line for
 * each of its empty rows, so that lines keep the sheet's numbers), any other file decoded.
 */
export async function uploadAsCsv (bytes: Buffer): Promise<DecodedText & { format: 'csv' | 'xlsx' }> {
  if (!isZip(bytes)) return { ...decodeText(bytes), format: 'csv' }
  const rows = await readWorkbook(bytes)
  const lines: string[] = []
  for (const row of rows) {
    while (lines.length < row.line - 1) lines.push('')
    lines.push(writeCsv([row.cells]).trimEnd())
  }
  return { text: lines.join('\r\n') + '\r\n', encoding: 'XLSX', format: 'xlsx' }
}
