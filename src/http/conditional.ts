/**
 * Whether an If-None-Match header matches an entity tag, by RFC 9110's weak comparison (section 13.1.2):
 * `*`, or any tag of the comma-separated list equal to ours once a `W/` prefix is set aside on either.
 * A proxy that compresses an answer may weaken its tag (nginx does), and a cache may send several.
 */
export function noneMatch (ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  const ours = opaque(etag)
  for (const candidate of ifNoneMatch.split(',')) {
    const tag = candidate.trim()
    if (tag === '*' || (tag !== '' && opaque(tag) === ours)) return true
  }
  return false
}

const opaque = (tag: string): string => tag.startsWith('W/') ? tag.slice(2) : tag
