// Eviction past evict-used-pct: the records nearest their expiry go first, as in Aerospike. A
// histogram of void times (evict-hist-buckets buckets between the lowest and highest void time)
// picks the void time below which records go; the partitions are walked a slice per event-loop
// turn, twice to build the histogram and once to remove, so a large namespace never stalls
// clients and no per-record array is built. The evict void time is persisted before anything is
// removed, so a restart does not bring evicted records back.
import type { Scheduler } from '../env/env.ts'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from './namespace.ts'

/** True when live data is past evict-used-pct (Aerospike's hwm_breached). */
export function isOverEvictionMark(ns: Namespace): boolean {
  const pct = ns.config.storage.evictUsedPct
  return pct > 0 && ns.usedPct() >= pct
}

/** Counts of void times in equal-width buckets over [lowest, lowest + width * buckets). */
export class VoidTimeHistogram {
  readonly lowest: number
  readonly widthSeconds: number
  readonly counts: Float64Array
  total = 0

  constructor(lowest: number, highest: number, bucketCount: number) {
    this.lowest = lowest
    this.widthSeconds = Math.max(1, Math.ceil((highest - lowest + 1) / bucketCount))
    this.counts = new Float64Array(bucketCount)
  }

  /** Void times outside the range (records written since it was measured) fall in the end buckets. */
  add(voidTime: number): void {
    const bucket = Math.floor((voidTime - this.lowest) / this.widthSeconds)
    this.counts[Math.min(this.counts.length - 1, Math.max(0, bucket))]!++
    this.total++
  }

  /** The lowest bucket edge such that at least `count` void times lie below it (whole buckets go). */
  voidTimeBelowCount(count: number): number {
    let below = 0
    for (let b = 0; b < this.counts.length; b++) {
      below += this.counts[b]!
      if (below >= count) return this.lowest + (b + 1) * this.widthSeconds
    }
    return this.lowest + this.counts.length * this.widthSeconds
  }
}

export class Evictor {
  private readonly namespace: Namespace
  private readonly log: Logger
  private readonly scheduler: Scheduler
  private running = false

  constructor(namespace: Namespace, log: Logger, scheduler: Scheduler) {
    this.namespace = namespace
    this.log = log
    this.scheduler = scheduler
  }

  /** Evicts enough of the records nearest expiry to bring data under evict-used-pct; resolves with how many. */
  async evictIfNeeded(): Promise<number> {
    const ns = this.namespace
    if (this.running || !isOverEvictionMark(ns)) return 0
    this.running = true
    try {
      const targetBytes = (ns.config.storage.dataSizeBytes * ns.config.storage.evictUsedPct) / 100
      const share = (ns.blocks.liveBytes - targetBytes) / ns.blocks.liveBytes
      const wanted = Math.max(1, Math.ceil(share * ns.objects))
      const histogram = await this.histogram()
      if (histogram === undefined) {
        this.log.warn({ ns: ns.name, usedPct: Math.floor(ns.usedPct()) }, 'eviction: over evict-used-pct but no record has a ttl; nothing can be evicted')
        return 0
      }
      // The persisted cutoff never goes back, and a restart drops every record below it: evict to
      // it now too, so what survives a restart is what is visible before it.
      const evictBefore = Math.max(ns.evictVoidTime, histogram.voidTimeBelowCount(Math.min(wanted, histogram.total)))
      ns.evictVoidTime = evictBefore
      ns.persistMeta()
      const chosen = (id: number): boolean => {
        const voidTime = ns.voidTimeOf(id)
        return voidTime !== 0 && voidTime < evictBefore
      }
      let removed = 0
      await this.eachSlice((pid) => { removed += ns.removeWhere(pid, chosen, 'eviction') })
      ns.counters.evictedObjects += removed
      this.log.info({ ns: ns.name, removed, evictVoidTime: evictBefore, usedPct: Math.floor(ns.usedPct()) }, 'eviction: removed the records nearest expiry')
      return removed
    } finally {
      this.running = false
    }
  }

  /** The void times of the records that have one, or undefined when none has. */
  private async histogram(): Promise<VoidTimeHistogram | undefined> {
    const ns = this.namespace
    let lowest = Infinity
    let highest = 0
    await this.eachSlice((pid) => {
      for (const id of ns.entriesOf(pid)) {
        const voidTime = ns.voidTimeOf(id)
        if (voidTime === 0) continue
        if (voidTime < lowest) lowest = voidTime
        if (voidTime > highest) highest = voidTime
      }
    })
    if (lowest === Infinity) return undefined
    const histogram = new VoidTimeHistogram(lowest, highest, ns.config.evictHistBuckets)
    await this.eachSlice((pid) => {
      for (const id of ns.entriesOf(pid)) {
        const voidTime = ns.voidTimeOf(id)
        if (voidTime !== 0) histogram.add(voidTime)
      }
    })
    return histogram.total === 0 ? undefined : histogram
  }

  /** Visits every partition this node masters, yielding to clients after each slice. */
  private async eachSlice(visit: (pid: number) => void): Promise<void> {
    for (let pid = 0; pid < limits.partitions; pid++) {
      if (this.namespace.mastersPartition(pid)) visit(pid)
      if ((pid + 1) % limits.evictPartitionsPerTurn === 0) await this.scheduler.yieldTurn()
    }
  }
}
