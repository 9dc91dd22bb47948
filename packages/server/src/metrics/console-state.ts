// What the web console shows of one node, as JSON: its identity and readiness, its namespaces
// (objects, space, sets, indexes, migrations), operations per second and latency percentiles of
// the last ticker slice. Read from the same answers the info commands give, so the console's
// numbers are the info commands' numbers.
import type { NodeContext } from '../info/context.ts'
import { namespaceInfo, setsInfo } from '../info/namespace-info.ts'
import { nodeStatistics } from '../info/statistics.ts'
import { AEROSPIKE_COMPATIBLE_BUILD } from '../info/version.ts'
import { indexesOf } from '../sindex/namespace-indexes.ts'
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS, type LatencyHistograms } from './latency-histograms.ts'
import type { LatencySlices } from './latency-slices.ts'

export interface NamespaceState {
  name: string
  storageEngine: string
  objects: number
  masterObjects: number
  proleObjects: number
  dataUsedBytes: number
  dataTotalBytes: number
  dataUsedPct: number
  dataAvailPct: number
  stopWritesUsedPct: number
  stopWrites: boolean
  hwmBreached: boolean
  migrateTxPartitionsRemaining: number
  migrateRxPartitionsRemaining: number
  sets: Array<{ name: string; objects: number; dataUsedBytes: number }>
  sindexes: Array<{ name: string; bin: string; type: string; entries: number; state: string }>
}

/** Per kind (read, write, udf, query, batch-index): ops/s and percentiles (ms, the bucket bound) of the last slice. */
export interface KindLatency {
  opsPerSecond: number
  p50Ms: number
  p99Ms: number
}

export interface NodeState {
  nodeId: string
  service: string
  build: string
  clusterName: string
  uptimeSeconds: number
  /** Why the node is not ready; undefined when it is. */
  notReadyBecause: string | undefined
  clusterSize: number
  clusterIntegrity: boolean
  migratePartitionsRemaining: number
  clientConnections: number
  clockSkewMs: number
  namespaces: NamespaceState[]
  latency: Record<string, KindLatency>
  /** Per DC this node ships to: its get-stats:context=xdr figures (lag, in_queue, success …). */
  xdr: Array<{ dc: string; stats: Record<string, number> }>
}

export interface StateSources {
  node: NodeContext
  histograms: LatencyHistograms
  slices: LatencySlices
  notReadyBecause(): string | undefined
}

function pairs(text: string, separator: string): Map<string, string> {
  return new Map(text.split(separator).filter((p) => p.includes('=')).map((p): [string, string] => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]))
}

const number = (stats: ReadonlyMap<string, string>, name: string): number => Number(stats.get(name) ?? 0)

export function nodeState({ node, histograms, slices, notReadyBecause }: StateSources): NodeState {
  const stats = pairs(nodeStatistics(node), ';')
  const { host, port } = node.serviceEndpoint()
  return {
    nodeId: node.nodeId,
    service: `${host}:${port}`,
    build: AEROSPIKE_COMPATIBLE_BUILD,
    clusterName: node.config.service.clusterName === '' ? 'null' : node.config.service.clusterName,
    uptimeSeconds: number(stats, 'uptime'),
    notReadyBecause: notReadyBecause(),
    clusterSize: number(stats, 'cluster_size'),
    clusterIntegrity: stats.get('cluster_integrity') === 'true',
    migratePartitionsRemaining: number(stats, 'migrate_partitions_remaining'),
    clientConnections: number(stats, 'client_connections'),
    clockSkewMs: number(stats, 'cluster_clock_skew_ms'),
    namespaces: [...node.namespaces.values()].map((ns): NamespaceState => {
      const s = pairs(namespaceInfo(node, ns.name), ';')
      const sets = setsInfo(node, [ns.name]).split(';').filter((line) => line !== '').map((line) => pairs(line, ':'))
      return {
        name: ns.name,
        storageEngine: s.get('storage-engine') ?? '',
        objects: number(s, 'objects'),
        masterObjects: number(s, 'master_objects'),
        proleObjects: number(s, 'prole_objects'),
        dataUsedBytes: number(s, 'data_used_bytes'),
        dataTotalBytes: number(s, 'data_total_bytes'),
        dataUsedPct: number(s, 'data_used_pct'),
        dataAvailPct: number(s, 'data_avail_pct'),
        stopWritesUsedPct: number(s, 'storage-engine.stop-writes-used-pct'),
        stopWrites: s.get('stop_writes') === 'true',
        hwmBreached: s.get('hwm_breached') === 'true',
        migrateTxPartitionsRemaining: number(s, 'migrate_tx_partitions_remaining'),
        migrateRxPartitionsRemaining: number(s, 'migrate_rx_partitions_remaining'),
        sets: sets.map((set) => ({ name: set.get('set') ?? '', objects: number(set, 'objects'), dataUsedBytes: number(set, 'data_used_bytes') })),
        sindexes: indexesOf(ns).all().map((index) => ({
          name: index.def.name,
          bin: index.def.binName,
          type: index.def.keyType,
          entries: Number(new Map(index.stats()).get('entries') ?? 0),
          state: index.readable ? 'RW' : 'WO',
        })),
      }
    }),
    latency: latencyByKind(histograms, slices),
    xdr: node.xdr.shippers.map((shipper) => ({ dc: shipper.config.name, stats: Object.fromEntries(shipper.statistics() ?? []) })),
  }
}

/** The last slice's ops/s and percentiles per kind, summed over namespaces. */
function latencyByKind(histograms: LatencyHistograms, slices: LatencySlices): Record<string, KindLatency> {
  const byKind = new Map<string, Float64Array>()
  for (let h = 0; h < histograms.histogramCount; h++) {
    const rates = slices.ratesAtOrUnder(h)
    if (rates === undefined) continue
    const kind = histograms.nameOf(h).kind
    const sum = byKind.get(kind) ?? new Float64Array(LATENCY_BUCKETS)
    for (let b = 0; b < LATENCY_BUCKETS; b++) sum[b]! += rates[b]!
    byKind.set(kind, sum)
  }
  const out: Record<string, KindLatency> = {}
  for (const [kind, rates] of byKind) {
    const total = rates[LATENCY_BUCKETS - 1]!
    out[kind] = { opsPerSecond: total, p50Ms: boundAt(rates, total * 0.5), p99Ms: boundAt(rates, total * 0.99) }
  }
  return out
}

/** The first bucket bound at or under which `rank` operations fall (0 with no operations; past the last bound, its double). */
function boundAt(rates: Float64Array, rank: number): number {
  if (rank <= 0) return 0
  for (let b = 0; b < LATENCY_BOUNDS_MS.length; b++) if (rates[b]! >= rank) return LATENCY_BOUNDS_MS[b]!
  return LATENCY_BOUNDS_MS.at(-1)! * 2
}
