import type { FastifyInstance } from 'fastify'
import sharp from 'sharp'
import type { Organiser } from '../helpers/fixtures.js'

/** A photo of a receipt as a phone takes it: with the camera, its serial number and where it was taken. */
export async function phonePhoto (): Promise<Buffer> {
  return sharp({ create: { width: 320, height: 240, channels: 3, background: '#e8e4d8' } }).jpeg()
    .withExif({
      IFD0: { Make: 'PhoneCo', Model: 'Pocket 7', Artist: 'Marisol Quintero' },
      IFD2: { BodySerialNumber: 'SN-884422' },
      IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '34/1 36/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '58/1 22/1 0/1' }
    }).toBuffer()
}

/** The smallest PDF a reader opens. */
export const tinyPdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')

export const fundSettings = (overrides: Record<string, unknown> = {}) => ({
  enabled: true,
  goalCurrency: 'EUR',
  goalAmount: 300000,
  rates: { USD: 0.9, ARS: 0.001 },
  ratesDate: '2026-05-03',
  texts: {
    en: {
      purpose: 'Hospital bills and the flight home.', ways: [{ key: 'money-transfer', title: 'Money transfer', text: 'Send it to **the family**.' },
        { key: 'cash', title: 'Cash at an event', text: 'At any event.' }]
    },
    es: {
      purpose: 'La cuenta del hospital y el vuelo de regreso.', ways: [{ key: 'money-transfer', title: 'Giro', text: 'Envíalo a **la familia**.' },
        { key: 'cash', title: 'Efectivo en un acto', text: 'En cualquier acto.' }]
    }
  },
  ...overrides
})

/** Sets up the fund of an appeal through the organisers' API. */
export async function setUpFund (app: FastifyInstance, owner: Organiser, slug: string, overrides: Record<string, unknown> = {}): Promise<void> {
  const response = await app.inject({ method: 'PUT', url: `/api/admin/appeals/${slug}/fund`, headers: owner.auth, payload: fundSettings(overrides) })
  if (response.statusCode !== 200) throw new Error(`fund set-up failed: ${response.statusCode} ${response.body}`)
}

/** A multipart body, as a browser sends a form with a file. */
export function multipart (fields: Record<string, string>, file?: { field: string, name: string, type: string, bytes: Buffer }): {
  payload: Buffer,
  headers: Record<string, string>
} {
  const boundary = '----fund' + Math.random().toString(16).slice(2)
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`))
  if (file !== undefined) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.bytes, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

export const report = (overrides: Record<string, unknown> = {}) => ({
  amount: '50', currency: 'USD', date: '2026-05-02', way: 'money-transfer', country: 'VE', name: 'Ana Pérez', email: 'ana.report@example.org', ...overrides
})
