/**
 * What a slug stood for a moment ago, per instance: the appeals most recently read, and separately the
 * slugs that stood for nothing. Each list drops its least recently read entry when full, so a flood of
 * random slugs only ever pushes out other random slugs, never the appeals people are reading.
 */
export function createSlugCache<T> (options: { ttlMs: number, maxKnown: number, maxUnknown: number, now?: () => number }) {
  const now = options.now ?? Date.now
  const known = new Map<string, { value: T, at: number }>()
  const unknown = new Map<string, number>()

  // A Map keeps insertion order: moving an entry to the end on each read makes the first the least recent.
  function keep<V> (map: Map<string, V>, key: string, value: V, max: number): void {
    map.delete(key)
    map.set(key, value)
    if (map.size > max) map.delete(map.keys().next().value as string)
  }

  return {
    /** `found` is false when the slug must be looked up; `value` undefined when it stood for nothing. */
    get (slug: string): { found: true, value: T | undefined } | { found: false } {
      const entry = known.get(slug)
      if (entry !== undefined && now() - entry.at <= options.ttlMs) {
        keep(known, slug, entry, options.maxKnown)
        return { found: true, value: entry.value }
      }
      const missedAt = unknown.get(slug)
      if (missedAt !== undefined && now() - missedAt <= options.ttlMs) return { found: true, value: undefined }
      return { found: false }
    },

    set (slug: string, value: T | undefined): void {
      if (value === undefined) {
        known.delete(slug)
        keep(unknown, slug, now(), options.maxUnknown)
      } else {
        unknown.delete(slug)
        keep(known, slug, { value, at: now() }, options.maxKnown)
      }
    },

    clear (): void {
      known.clear()
      unknown.clear()
    }
  }
}
