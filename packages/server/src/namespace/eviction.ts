// Eviction past evict-used-pct: the records nearest their expiry go first, as in Aerospike. The
// void time below which records are evicted is persisted, so a restart does not bring them back.
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from './namespace.ts'

/** True when live data is past evict-used-pct (Aerospike's hwm_breached). */
export function isOverEvictionMark(ns: Namespace): boolean {
  const pct = ns.config.storage.evictUsedPct
  return pct > 0 && ns.usedPct() >= pct
}

/** Evicts enough of the records nearest expiry to bring data under evict-used-pct; returns how many. */
export function evictIfNeeded(ns: Namespace, log: Logger): number {
  if (!isOverEvictionMark(ns)) return 0
  const expirable: number[] = []
  for (let pid = 0; pid < limits.partitions; pid++) {
    for (const id of ns.index.entriesOf(pid)) {
      const voidTime = ns.index.voidTime(id)
      if (voidTime !== 0) expirable.push(voidTime)
    }
  }
  if (expirable.length === 0) {
    log.warn({ ns: ns.name, usedPct: Math.floor(ns.usedPct()) }, 'eviction: over evict-used-pct but no record has a ttl; nothing can be evicted')
    return 0
  }
  const voidTimes = Float64Array.from(expirable).sort()
  const targetBytes = (ns.config.storage.dataSizeBytes * ns.config.storage.evictUsedPct) / 100
  const share = (ns.blocks.liveBytes - targetBytes) / ns.blocks.liveBytes
  const count = Math.min(voidTimes.length, Math.max(1, Math.ceil(share * ns.objects)))
  const evictBefore = voidTimes[count - 1]! + 1
  ns.evictVoidTime = Math.max(ns.evictVoidTime, evictBefore)
  ns.persistMeta()
  let removed = 0
  for (let pid = 0; pid < limits.partitions; pid++) removed += ns.evictPartition(pid, evictBefore)
  log.info({ ns: ns.name, removed, evictVoidTime: evictBefore, usedPct: Math.floor(ns.usedPct()) }, 'eviction: removed the records nearest expiry')
  return removed
}
