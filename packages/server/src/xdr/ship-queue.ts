// The changes of one namespace waiting to ship to one DC: each changed record once (a record
// changed again before it shipped ships once, its latest version: a "hot key"), in the order of
// their first change; a record that shipped less than hot-key-ms ago waits until then, so a record
// changed all the time ships once per hot-key-ms. Bounded by transaction-queue-limit: a change that finds the queue full is
// not kept; instead the queue remembers the oldest such change, and the shipper recovers them by
// walking the namespace for records changed since then (Aerospike's "recovery"). Changes taken
// and sent stay pending until the DC answers: the shipped point (shipped-points.ts) counts them.

export interface QueuedChange {
  digest: Buffer
  pid: number
  /** Monotonic time the record first changed since it last shipped. */
  notedAtMs: number
  /** Wall time (last-update ms) of its latest change: a delete that left no tombstone ships with it. */
  lastUpdateMs: number
  /** The bins its changes touched, where the bin-policy ships changed bins; undefined: every bin. */
  changedBins: Set<string> | undefined
}

export class ShipQueue {
  /** transaction-queue-limit; lowering it keeps what waits already. */
  limit: number
  private readonly waiting = new Map<string, QueuedChange>()
  /** Taken and not settled: sent, waiting for the DC's answer. */
  private readonly inFlight = new Set<QueuedChange>()
  /** Wall time (record last-update ms) from which dropped changes must be recovered; undefined: none dropped. */
  recoverSinceMs: number | undefined
  /** Changes noted while their record already waited. */
  hotKeys = 0
  /** When each record taken within the last hot-key-ms was taken (monotonic ms), oldest first. */
  private readonly takenAtMs = new Map<string, number>()

  constructor(limit: number) {
    this.limit = limit
  }

  get length(): number {
    return this.waiting.size
  }

  /** Notes a change (of the bins `changedBins`, undefined: every bin); false when the queue was full (the change is left to a recovery). */
  note(digest: Uint8Array, pid: number, nowMs: number, lastUpdateMs: number, changedBins?: ReadonlySet<string>): boolean {
    const key = Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('latin1')
    const waiting = this.waiting.get(key)
    if (waiting !== undefined) {
      waiting.lastUpdateMs = lastUpdateMs
      waiting.changedBins = unite(waiting.changedBins, changedBins)
      this.hotKeys++
      return true
    }
    if (this.waiting.size >= this.limit) {
      this.recoverSinceMs = Math.min(this.recoverSinceMs ?? lastUpdateMs, lastUpdateMs)
      return false
    }
    this.waiting.set(key, { digest: Buffer.from(digest), pid, notedAtMs: nowMs, lastUpdateMs, changedBins: changedBins === undefined ? undefined : new Set(changedBins) })
    return true
  }

  /** Monotonic time the oldest waiting change was noted, or undefined when none waits. */
  get oldestNotedAtMs(): number | undefined {
    for (const change of this.waiting.values()) return change.notedAtMs
    return undefined
  }

  /**
   * Takes up to `count` changes noted at or before `readyAtMs`, oldest first, but for records taken
   * less than `hotKeyMs` before `nowMs` (they stay, in their place, for a later turn).
   */
  take(count: number, readyAtMs: number, nowMs: number, hotKeyMs: number): QueuedChange[] {
    for (const [key, takenAtMs] of this.takenAtMs) {
      if (takenAtMs > nowMs - hotKeyMs) break
      this.takenAtMs.delete(key)
    }
    const out: QueuedChange[] = []
    for (const [key, change] of this.waiting) {
      if (out.length >= count || change.notedAtMs > readyAtMs) break
      if (this.takenAtMs.has(key)) continue
      this.waiting.delete(key)
      this.inFlight.add(change)
      this.takenAtMs.set(key, nowMs)
      out.push(change)
    }
    return out
  }

  /** A taken change is done with: shipped, or not to be shipped. */
  settle(change: QueuedChange): void {
    this.inFlight.delete(change)
  }

  /** Puts back a change that did not ship; when a newer change of its record waits, that one ships its bins too. */
  retry(change: QueuedChange): void {
    this.inFlight.delete(change)
    const key = change.digest.toString('latin1')
    const newer = this.waiting.get(key)
    if (newer === undefined) this.waiting.set(key, change)
    else newer.changedBins = unite(newer.changedBins, change.changedBins)
  }

  /** Every change not shipped yet, waiting or in flight. */
  * pending(): Generator<QueuedChange> {
    yield* this.waiting.values()
    yield* this.inFlight
  }
}

/** Both sets of changed bins (undefined, every bin, wins). */
function unite(a: Set<string> | undefined, b: ReadonlySet<string> | undefined): Set<string> | undefined {
  if (a === undefined || b === undefined) return undefined
  for (const name of b) a.add(name)
  return a
}
