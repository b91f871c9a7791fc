import { appError, invalidFields } from '../errors/app-error.js'

// A receipt arrives as a photo or a PDF. What it is, is read from its first bytes, never from its name
// or the type its sender claims. A photo is decoded and encoded again: the stored file is the new one,
// with no EXIF, no GPS position and no camera serial left in it (sharp keeps no metadata unless asked).

export type ReceiptType = 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf'

/** A receipt as it is stored: its type, and the bytes (re-encoded, for an image). */
export interface CleanReceipt { mediaType: ReceiptType, bytes: Buffer }

const startsWith = (bytes: Buffer, signature: number[], at = 0): boolean => signature.every((byte, i) => bytes[at + i] === byte)

/** The type of a file by its content, or undefined if it is none of those a receipt may be. */
export function sniffReceipt (bytes: Buffer): ReceiptType | undefined {
  if (startsWith(bytes, [0xFF, 0xD8, 0xFF])) return 'image/jpeg'
  if (startsWith(bytes, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return 'image/png'
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2D])) return 'application/pdf'
  return undefined
}

// A phone's photo is 12 to 50 megapixels; more than that is not a photo of a receipt.
const MAX_PIXELS = 60_000_000
// Large enough to read every line of a receipt, small enough to keep the database small.
const MAX_SIDE = 2400

/** Checks a receipt's content and size, and re-encodes an image; refused with the field `receipt`. */
export async function cleanReceipt (bytes: Buffer, maxBytes: number): Promise<CleanReceipt> {
  if (bytes.length > maxBytes) throw appError('RECEIPT_TOO_LARGE', { max: Math.floor(maxBytes / 1_048_576) })
  const type = sniffReceipt(bytes)
  if (type === undefined) throw invalidFields({ receipt: { key: 'fund.receiptType' } })
  if (type === 'application/pdf') return { mediaType: type, bytes }
  // Loaded on the first image (sharp and libvips hold some 25 MB): most instances never receive one.
  const { default: sharp } = await import('sharp')
  try {
    // rotate() applies the EXIF orientation to the pixels before the EXIF goes, so the photo stays upright.
    const image = sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error' }).rotate()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    const clean = type === 'image/png' ? await image.png().toBuffer() : await image.jpeg({ quality: 85, mozjpeg: true }).toBuffer()
    return { mediaType: type === 'image/png' ? 'image/png' : 'image/jpeg', bytes: clean }
  } catch {
    throw invalidFields({ receipt: { key: 'fund.receiptUnreadable' } })
  }
}
