// namespace/<ns>, sets and bins: statistics under the names Aerospike uses.
import type { ObjectRoles } from '../cluster/cluster-member.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { isOverEvictionMark } from '../namespace/eviction.ts'
import type { SetState } from '../namespace/sets.ts'
import { namespaceConfigEntries } from './config-entries.ts'
import type { NodeContext } from './context.ts'
import { quiesceStatistics } from './quiesce-info.ts'

/** A single node masters every record. */
function singleNodeRoles(ns: Namespace): ObjectRoles {
  return { clusterSize: 1, replicationFactor: 1, masterObjects: ns.objects, proleObjects: 0, nonReplicaObjects: 0 }
}

export function namespaceStatistics(ns: Namespace, roles: ObjectRoles = singleNodeRoles(ns)): Array<[string, string | number | boolean]> {
  const c = ns.counters
  const dataSize = ns.config.storage.dataSizeBytes
  const usedPct = Math.floor(ns.usedPct())
  const availPct = Math.max(0, Math.floor(ns.availPct()))
  const objects = ns.objects
  const tombstones = ns.tombstones.size
  const compressionRatio = c.compressionInputBytes === 0 ? 1 : c.compressionOutputBytes / c.compressionInputBytes
  return [
    ['ns_cluster_size', roles.clusterSize],
    ['effective_replication_factor', roles.replicationFactor],
    ['objects', objects],
    ['tombstones', tombstones],
    ['master_objects', roles.masterObjects],
    ['master_tombstones', tombstones],
    ['prole_objects', roles.proleObjects],
    ['prole_tombstones', 0],
    ['non_replica_objects', roles.nonReplicaObjects],
    ['dead_partitions', 0],
    ['unavailable_partitions', 0],
    ['stop_writes', ns.isStopWrites()],
    ['hwm_breached', isOverEvictionMark(ns)],
    ['current_time', ns.nowVoidTime()],
    ['expired_objects', c.expiredObjects],
    ['evicted_objects', c.evictedObjects],
    ['nsup_cycle_duration', ns.lastNsupCycleMs],
    ['nsup_cycle_deleted_pct', ns.lastNsupCycleDeletedPct.toFixed(2)],
    ['evict_void_time', ns.evictVoidTime],
    ['smd_evict_void_time', ns.evictVoidTime],
    ['truncate_lut', ns.truncateLutMs],
    ['truncated_records', c.truncatedRecords],
    ['index_used_bytes', ns.indexMemoryBytes],
    ['data_total_bytes', dataSize],
    ['data_used_bytes', ns.blocks.liveBytes],
    ['data_used_pct', usedPct],
    ['data_avail_pct', availPct],
    ['data_compression_ratio', compressionRatio.toFixed(3)],
    ...storageUnitStatistics(ns),
    ['storage-engine.write_blocks', ns.blocks.blocksInUse],
    ['storage-engine.defrag_reads', c.defragReads],
    ['storage-engine.defrag_writes', c.defragWrites],
    ['storage-engine.checksum_failures', c.checksumFailures],
    ['storage-engine.tombstones_dropped', c.tombstonesDropped],
    ['client_read_success', c.clientReadSuccess],
    ['client_read_error', c.clientReadError],
    ['client_read_not_found', c.clientReadNotFound],
    ['client_write_success', c.clientWriteSuccess],
    ['client_write_error', c.clientWriteError],
    ['client_delete_success', c.clientDeleteSuccess],
    ['client_delete_error', c.clientDeleteError],
    ['client_delete_not_found', c.clientDeleteNotFound],
    ['client_read_timeout', c.clientReadTimeout],
    ['client_write_timeout', c.clientWriteTimeout],
    ['client_delete_timeout', c.clientDeleteTimeout],
    ['client_udf_timeout', c.clientUdfTimeout],
    ['fail_key_busy', c.failKeyBusy],
    ['fail_generation', c.failGeneration],
    ['fail_record_too_big', c.failRecordTooBig],
    ['fail_xdr_lost_conflict', c.failXdrLostConflict],
    ['stop_writes_rejections', c.stopWritesRejections],
    ...namespaceConfigEntries(ns.config),
  ]
}

/**
 * Per storage unit, as Aerospike 8 names them: `stripe[0]` for memory without files, `file[i]` for
 * each file (the blocks of file i are the i-th run of blocksPerFile in the namespace's block space).
 */
function storageUnitStatistics(ns: Namespace): Array<[string, string | number | boolean]> {
  const blocks = ns.blocks
  const lwmPct = ns.config.storage.defragLwmPct
  const files = ns.files
  const units = files === undefined
    ? [{ name: 'stripe[0]', from: 0, to: blocks.highestBlock }]
    : files.paths.map((_, i) => ({ name: `file[${i}]`, from: i * files.blocksPerFile, to: (i + 1) * files.blocksPerFile }))
  return units.flatMap(({ name, from, to }, i) => {
    const stats = blocks.rangeStatistics(from, to, lwmPct)
    // Without files the blocks never used are not a range: data-size bounds them.
    const freeBlocks = files === undefined ? blocks.freeBlockCount : stats.freeBlocks
    return [
      [`storage-engine.${name}.used_bytes`, stats.liveBytes],
      [`storage-engine.${name}.free_wblocks`, freeBlocks],
      [`storage-engine.${name}.write_q`, ns.flusher?.writeQueueLengthOf(i) ?? 0],
      [`storage-engine.${name}.writes`, ns.flusher?.blocksWrittenPerFile[i] ?? 0],
      [`storage-engine.${name}.defrag_q`, stats.sparseBlocks],
      [`storage-engine.${name}.defrag_reads`, ns.defragPerFile.reads[i] ?? 0],
      [`storage-engine.${name}.defrag_writes`, ns.defragPerFile.writes[i] ?? 0],
    ] satisfies Array<[string, number]>
  })
}

export function namespaceInfo(ctx: NodeContext, name: string | undefined): string {
  const ns = name === undefined ? undefined : ctx.namespaces.get(name)
  if (ns === undefined) return 'type=unknown'
  const roles = ctx.cluster?.objectRoles(ns)
  return [...namespaceStatistics(ns, roles), ...migrationStatistics(ctx, ns.name), ...quiesceStatistics(ctx)].map(([k, v]) => `${k}=${v}`).join(';')
}

/** Partitions of the namespace this node still sends (tx) and receives (rx), and those moving now; none on a single node. */
function migrationStatistics(ctx: NodeContext, ns: string): Array<[string, number]> {
  const p = ctx.cluster?.migrationProgress(ns) ?? { txRemaining: 0, txActive: 0, rxRemaining: 0, rxActive: 0 }
  return [
    ['migrate_tx_partitions_remaining', p.txRemaining],
    ['migrate_tx_partitions_active', p.txActive],
    ['migrate_rx_partitions_remaining', p.rxRemaining],
    ['migrate_rx_partitions_active', p.rxActive],
  ]
}

function setLine(ns: Namespace, set: SetState, tombstones: number): string {
  return [
    `ns=${ns.name}`, `set=${set.name}`, `objects=${set.objects}`, `tombstones=${tombstones}`, `data_used_bytes=${set.dataUsedBytes}`,
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
    const tombstones = ns.tombstones.countBySet()
    for (const set of ns.sets.all()) {
      if (setName !== undefined && set.name !== setName) continue
      out += setLine(ns, set, tombstones.get(set.id) ?? 0) + ';'
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
