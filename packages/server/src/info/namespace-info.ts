// namespace/<ns>, sets and bins: statistics under the names Aerospike uses.
import type { Namespace } from '../namespace/namespace.ts'
import type { SetState } from '../namespace/sets.ts'
import { namespaceConfigEntries } from './config-entries.ts'
import type { NodeContext } from './context.ts'

export function namespaceStatistics(ns: Namespace): Array<[string, string | number | boolean]> {
  const c = ns.counters
  const dataSize = ns.config.storage.dataSizeBytes
  const usedPct = Math.floor(ns.usedPct())
  const availPct = Math.max(0, Math.floor(((dataSize - ns.blocks.allocatedBytes) * 100) / dataSize))
  const objects = ns.objects
  return [
    ['ns_cluster_size', 1],
    ['effective_replication_factor', 1],
    ['objects', objects],
    ['tombstones', 0],
    ['master_objects', objects],
    ['master_tombstones', 0],
    ['prole_objects', 0],
    ['prole_tombstones', 0],
    ['non_replica_objects', 0],
    ['dead_partitions', 0],
    ['unavailable_partitions', 0],
    ['stop_writes', ns.isStopWrites()],
    ['hwm_breached', false],
    ['current_time', ns.nowVoidTime()],
    ['expired_objects', c.expiredObjects],
    ['evicted_objects', c.evictedObjects],
    ['truncate_lut', ns.truncateLutMs],
    ['truncated_records', c.truncatedRecords],
    ['index_used_bytes', ns.index.memoryBytes],
    ['data_total_bytes', dataSize],
    ['data_used_bytes', ns.blocks.liveBytes],
    ['data_used_pct', usedPct],
    ['data_avail_pct', availPct],
    ['data_compression_ratio', '1.000'],
    ['storage-engine.write_blocks', ns.blocks.blocksInUse],
    ['storage-engine.defrag_reads', c.defragReads],
    ['storage-engine.defrag_writes', c.defragWrites],
    ['client_read_success', c.clientReadSuccess],
    ['client_read_error', c.clientReadError],
    ['client_read_not_found', c.clientReadNotFound],
    ['client_write_success', c.clientWriteSuccess],
    ['client_write_error', c.clientWriteError],
    ['client_delete_success', c.clientDeleteSuccess],
    ['client_delete_error', c.clientDeleteError],
    ['client_delete_not_found', c.clientDeleteNotFound],
    ['fail_key_busy', c.failKeyBusy],
    ['fail_generation', c.failGeneration],
    ['fail_record_too_big', c.failRecordTooBig],
    ['stop_writes_rejections', c.stopWritesRejections],
    ...namespaceConfigEntries(ns.config),
  ]
}

export function namespaceInfo(ctx: NodeContext, name: string | undefined): string {
  const ns = name === undefined ? undefined : ctx.namespaces.get(name)
  if (ns === undefined) return 'type=unknown'
  return namespaceStatistics(ns).map(([k, v]) => `${k}=${v}`).join(';')
}

function setLine(ns: Namespace, set: SetState): string {
  return [
    `ns=${ns.name}`, `set=${set.name}`, `objects=${set.objects}`, 'tombstones=0', `data_used_bytes=${set.dataUsedBytes}`,
    `truncate_lut=${set.truncateLutMs}`, 'sindexes=0', 'index_populating=false', `disable-eviction=${set.disableEviction}`,
    'enable-index=false', `stop-writes-count=${set.stopWritesCount}`, `stop-writes-size=${set.stopWritesSizeBytes}`,
  ].join(':')
}

/** sets, sets/<ns>, sets/<ns>/<set>: one ';'-terminated line per set. */
export function setsInfo(ctx: NodeContext, path: string[]): string {
  const [nsName, setName] = path
  let out = ''
  for (const ns of ctx.namespaces.values()) {
    if (nsName !== undefined && ns.name !== nsName) continue
    for (const set of ns.sets.all()) {
      if (setName !== undefined && set.name !== setName) continue
      out += setLine(ns, set) + ';'
    }
  }
  return out
}

/** bins, bins/<ns>: Aerospike 7+ no longer tracks bin names, so only the counts are given. */
export function binsInfo(ctx: NodeContext, path: string[]): string {
  const [nsName] = path
  const parts: string[] = []
  for (const ns of ctx.namespaces.values()) {
    if (nsName !== undefined && ns.name !== nsName) continue
    parts.push(`${ns.name}:bin_names=0,bin_names_quota=65535`)
  }
  return parts.join(';') + (parts.length > 0 ? ';' : '')
}
