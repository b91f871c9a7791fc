// Group commit: writes that arrive close together (concurrent signers) go to the database as one
// statement in one transaction, so that a hundred of them cost one round trip and one commit rather
// than a hundred of each. The first write of a group waits at most `windowMs` for others to join it;
// a group is written as soon as it is full; and while `maxInFlight` groups are being written, new
// writes gather into the next one (under load, groups grow by themselves instead of queueing for
// connections one write at a time). Each caller's promise settles only once the statement that holds
// its write has finished, committed or failed: nothing is acknowledged before it is durable.

export interface GroupCommitOptions<T, R> {
  /** How long the first write of a group waits for others, in milliseconds (0: only those already waiting). */
  windowMs: number
  /** The most writes in one group. */
  maxGroup: number
  /** Groups written at once; further writes wait and join the next group. */
  maxInFlight: number
  /**
   * Writes that may not share a group (the same signer twice) give the same key: the later one waits
   * until no group being written holds that key, so that two statements never race for the same row.
   */
  key?: (item: T) => string
  /** Writes a group: one outcome per item, in order. A rejection fails every item of the group. */
  write: (items: T[]) => Promise<Array<PromiseSettledResult<R>>>
}

interface Waiting<T, R> { item: T, resolve: (value: R) => void, reject: (reason: unknown) => void }

export function createGroupCommit<T, R> (options: GroupCommitOptions<T, R>) {
  const { windowMs, maxGroup, maxInFlight, key } = options
  let waiting: Array<Waiting<T, R>> = []
  let timer: NodeJS.Timeout | undefined
  let inFlight = 0
  // The keys of the groups being written (a key is in one group at most).
  const writing = new Set<string>()

  /** Takes the next group off the queue: up to maxGroup writes, no two with the same key, none with a key being written. */
  function nextGroup (): Array<Waiting<T, R>> {
    if (key === undefined) return waiting.splice(0, maxGroup)
    const group: Array<Waiting<T, R>> = []
    const later: Array<Waiting<T, R>> = []
    let i = 0
    for (; i < waiting.length && group.length < maxGroup; i++) {
      const w = waiting[i]!
      const k = key(w.item)
      if (writing.has(k)) {
        later.push(w)
      } else {
        writing.add(k)
        group.push(w)
      }
    }
    waiting = later.concat(waiting.slice(i))
    return group
  }

  function flush (): void {
    if (timer !== undefined) {
      clearTimeout(timer)
      timer = undefined
    }
    while (inFlight < maxInFlight && waiting.length > 0) {
      const group = nextGroup()
      // Every write waiting has its key in a group being written: it goes when that group is done.
      if (group.length === 0) return
      inFlight++
      let written: Promise<Array<PromiseSettledResult<R>>>
      try {
        written = options.write(group.map((w) => w.item))
      } catch (err) {
        // A write that throws at once fails its group, as one that rejects would, not the flush.
        written = Promise.reject(err)
      }
      written.then((outcomes) => {
        group.forEach((w, i) => {
          const outcome = outcomes[i]
          if (outcome === undefined) w.reject(new Error('group commit: the write gave no outcome for an item'))
          else if (outcome.status === 'fulfilled') w.resolve(outcome.value)
          else w.reject(outcome.reason)
        })
      }, (err: unknown) => {
        for (const w of group) w.reject(err)
      }).finally(() => {
        inFlight--
        if (key !== undefined) for (const w of group) writing.delete(key(w.item))
        // Those who gathered while every slot was busy have waited long enough: written at once.
        if (waiting.length > 0) flush()
      })
    }
  }

  return {
    /** Writes one item with whichever others arrive within the window; settles once its group is written. */
    submit (item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject })
        if (inFlight >= maxInFlight) return
        if (waiting.length >= maxGroup || windowMs === 0) flush()
        else timer ??= setTimeout(flush, windowMs)
      })
    }
  }
}
