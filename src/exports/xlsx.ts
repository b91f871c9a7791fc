import { once } from 'node:events'
import { PassThrough, type Readable } from 'node:stream'
import type { SheetValue } from './service.js'

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * An XLSX workbook written as its rows arrive, with exceljs's streaming writer: each row is committed
 * (serialised into the zip) at once and the next batch waits while the client is slower than the
 * database, so a million signatures never sit in memory. Strings are inline (no shared-strings table,
 * which would hold every name until the end); times are dates in the `YYYY-MM-DD HH:MM:SS` format.
 */
export function xlsxStream (header: string[], timeColumns: Set<string>, batches: AsyncIterable<SheetValue[][]>): Readable {
  const output = new PassThrough({ highWaterMark: 64 * 1024 })
  const write = async (): Promise<void> => {
    // Loaded on the first workbook (exceljs holds some 28 MB): most instances never write one.
    const { default: excel } = await import('exceljs')
    const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false })
    const sheet = workbook.addWorksheet('signatures', { views: [{ state: 'frozen', ySplit: 1 }] })
    sheet.columns = header.map((name) => ({
      header: name,
      key: name,
      width: timeColumns.has(name) ? 20 : Math.max(10, name.length + 2),
      ...(timeColumns.has(name) && { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } })
    }))
    sheet.getRow(1).font = { bold: true }
    for await (const rows of batches) {
      for (const values of rows) sheet.addRow(values).commit()
      if (output.writableNeedDrain) await once(output, 'drain')
    }
    sheet.commit()
    await workbook.commit()
  }
  // A failure (the database gone mid-export) ends the download with an error instead of a truncated file.
  write().catch((error: Error) => { output.destroy(error) })
  return output
}
