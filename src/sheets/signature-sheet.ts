import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type PDFDocument from 'pdfkit'
import type { TFunction } from 'i18next'
import type { AppealText } from '../appeals/service.js'
import { directionOf } from '../i18n/index.js'

// The printable signature sheet: an appeal's title, summary and demands in one language, the consent
// text, a QR code to the online form, and a table whose columns are those the paper import recognises
// (their titles come from the same locale strings), so that a sheet typed into a spreadsheet comes
// back in as it went out. DejaVu Sans is embedded (subset): it covers Latin, Greek and Arabic, and is
// free to embed (Bitstream Vera licence, with the Arev additions; see the package's LICENSE).

/** The sheet's columns, in the order printed; all but the signature are read back by the import. */
export const sheetColumns = ['name', 'email', 'country', 'city', 'organisation', 'public', 'contact', 'signature'] as const

const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf')
const REGULAR = join(fontDir, 'DejaVuSans.ttf')
const BOLD = join(fontDir, 'DejaVuSans-Bold.ttf')

const PAGE = { width: 841.89, height: 595.28, margin: 36 }
const ROWS_PER_PAGE = 14
const COLUMN_WEIGHTS: Record<typeof sheetColumns[number], number> = {
  name: 3, email: 3, country: 1.6, city: 1.6, organisation: 2.2, public: 1.1, contact: 1.1, signature: 2
}

export interface SheetContent {
  text: AppealText
  language: string
  formUrl: string
  /** The sheet's words, in its language (locales/<lang>/fielddata.json). */
  t: TFunction
}

type Doc = InstanceType<typeof PDFDocument>

/**
 * Writes a paragraph inside [x, x + width]. Right-to-left text is wrapped here, a line at a time, and
 * each line's words placed from the right.
 */
function paragraph (doc: Doc, text: string, rtl: boolean, options: { x: number, width: number, size: number, bold?: boolean, gap?: number }): void {
  doc.font(options.bold === true ? BOLD : REGULAR).fontSize(options.size)
  if (!rtl) {
    doc.text(text, options.x, doc.y, { width: options.width })
  } else {
    const lines: string[] = []
    for (const source of text.split('\n')) {
      let line = ''
      for (const word of source.split(/\s+/).filter(Boolean)) {
        const candidate = line === '' ? word : `${line} ${word}`
        if (line !== '' && doc.widthOfString(candidate) > options.width) {
          lines.push(line)
          line = word
        } else {
          line = candidate
        }
      }
      lines.push(line)
    }
    // Word by word from the right edge: the library shapes each word (Arabic letters join) but would
    // lay a line's words out left to right.
    const space = doc.widthOfString(' ')
    for (const line of lines) {
      const y = doc.y
      let right = options.x + options.width
      for (const word of line.split(' ')) {
        const width = doc.widthOfString(word)
        doc.text(word, right - width, y, { lineBreak: false })
        right -= width + space
      }
      doc.y = y + doc.currentLineHeight(true)
    }
  }
  doc.y += options.gap ?? 4
}

/** One page's table of empty lines to sign on, columns mirrored for a right-to-left language. */
function table (doc: Doc, t: TFunction, rtl: boolean, top: number): void {
  const width = PAGE.width - 2 * PAGE.margin
  const total = sheetColumns.reduce((sum, c) => sum + COLUMN_WEIGHTS[c], 0)
  const ordered = rtl ? [...sheetColumns].reverse() : [...sheetColumns]
  const bottom = PAGE.height - PAGE.margin - 14
  const rowHeight = Math.max(20, Math.min(28, (bottom - top - 28) / ROWS_PER_PAGE))
  let x = PAGE.margin
  doc.lineWidth(0.6).strokeColor('#444444')
  for (const column of ordered) {
    const w = width * COLUMN_WEIGHTS[column] / total
    doc.rect(x, top, w, 28).stroke()
    doc.y = top + 4
    paragraph(doc, t(`sheet.columns.${column}`), rtl, { x: x + 3, width: w - 6, size: 8, bold: true, gap: 0 })
    for (let r = 0; r < ROWS_PER_PAGE; r++) doc.rect(x, top + 28 + r * rowHeight, w, rowHeight).stroke()
    x += w
  }
}

/** The sheet as a PDF: the appeal on top, then lines to sign on; A4 landscape. */
export async function signatureSheetPdf (content: SheetContent): Promise<Buffer> {
  const { t, text } = content
  const rtl = directionOf(content.language) === 'rtl'
  // Loaded on the first sheet (pdfkit and qrcode hold some 30 MB): most instances never print one.
  const [{ default: Pdf }, { default: QRCode }] = await Promise.all([import('pdfkit'), import('qrcode')])
  const qr = await QRCode.toBuffer(content.formUrl, { type: 'png', margin: 1, width: 240, errorCorrectionLevel: 'M' })
  const doc = new Pdf({
    size: 'A4', layout: 'landscape', margin: PAGE.margin, lang: content.language, displayTitle: true,
    info: { Title: `${t('sheet.heading')}: ${text.title}`, Creator: 'Solidaria' }
  })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<void>((resolve, reject) => { doc.on('end', () => { resolve() }); doc.on('error', reject) })

  const qrSize = 92
  const textWidth = PAGE.width - 2 * PAGE.margin - qrSize - 16
  const textX = rtl ? PAGE.margin + qrSize + 16 : PAGE.margin
  const qrX = rtl ? PAGE.margin : PAGE.width - PAGE.margin - qrSize
  doc.image(qr, qrX, PAGE.margin, { width: qrSize })
  // The address on one line under the code, for those who type it: wrapped, it would not work.
  doc.font(REGULAR).fontSize(6)
  const urlWidth = doc.widthOfString(content.formUrl)
  doc.text(content.formUrl, rtl ? qrX : qrX + qrSize - urlWidth, PAGE.margin + qrSize + 2, { lineBreak: false })
  doc.y = PAGE.margin
  paragraph(doc, text.title, rtl, { x: textX, width: textWidth, size: 16, bold: true, gap: 6 })
  if (text.summary !== null && text.summary !== '') paragraph(doc, text.summary, rtl, { x: textX, width: textWidth, size: 9.5, gap: 6 })
  if (text.demands.length > 0) {
    paragraph(doc, t('sheet.demands'), rtl, { x: textX, width: textWidth, size: 9.5, bold: true, gap: 2 })
    text.demands.forEach((demand, i) => {
      // The number stands apart from the text, so that it is not turned round with right-to-left words.
      const y = doc.y
      doc.font(REGULAR).fontSize(9).text(`${i + 1}.`, rtl ? textX + textWidth - 14 : textX, y, { lineBreak: false })
      doc.y = y
      paragraph(doc, demand, rtl, { x: rtl ? textX : textX + 16, width: textWidth - 16, size: 9, gap: 2 })
    })
    doc.y += 4
  }
  paragraph(doc, t('sheet.consent'), rtl, { x: textX, width: textWidth, size: 8, gap: 2 })
  paragraph(doc, t('sheet.online'), rtl, { x: textX, width: textWidth, size: 8, gap: 8 })
  table(doc, t, rtl, Math.max(doc.y, PAGE.margin + qrSize + 16))
  // A second page of lines only: the appeal is on the first.
  doc.addPage()
  doc.y = PAGE.margin
  paragraph(doc, `${text.title} · ${t('sheet.heading')}`, rtl, { x: PAGE.margin, width: PAGE.width - 2 * PAGE.margin, size: 9, bold: true, gap: 6 })
  table(doc, t, rtl, doc.y)
  doc.end()
  await done
  return Buffer.concat(chunks)
}
