// /metrics: every numeric statistic the info commands report, named and labelled as Aerospike's
// Prometheus exporter names them (aerospike_node_stats_*, aerospike_namespace_*, aerospike_sets_*,
// aerospike_sindex_*, aerospike_xdr_*, aerospike_latencies_*), so dashboards and rules made for Aerospike work. It
// reads the same answers the info commands give, so the two cannot disagree.
import { parseInfoCommand } from '@aerolite/protocol'
import { getConfig } from '../info/config-info.ts'
import type { NodeContext } from '../info/context.ts'
import { namespaceInfo, setsInfo } from '../info/namespace-info.ts'
import { nodeStatistics } from '../info/statistics.ts'
import { AEROSPIKE_COMPATIBLE_BUILD } from '../info/version.ts'
import { indexesOf } from '../sindex/namespace-indexes.ts'
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS, type LatencyHistograms } from './latency-histograms.ts'
import type { LatencySlices } from './latency-slices.ts'
import { MetricFamilies, metricName, type Labels } from './prometheus-text.ts'

export interface MetricsSources {
  node: NodeContext
  histograms: LatencyHistograms
  slices: LatencySlices
}

const SERVICE_CONFIG = parseInfoCommand('get-config:context=service')

/** Statistics that only grow: counters; everything else (and every config value, named with '-') is a gauge. */
const COUNTER_STAT = /(^|_)(success|error|timeout|not_found|complete|reads|writes|requests|opened|closed|failures|dropped|rejections|sent|received)$|^(fail_|expired_objects$|evicted_objects$|truncated_records$|reaped_fds$|rejected_connections$|bad_frames$|uptime$|abandoned$|filtered_out$|retry_|recoveries$|hot_keys$)/
/** A flag, not a count of writes. */
const GAUGES_NAMED_LIKE_COUNTERS = new Set(['stop_writes'])

/** `storage-engine.file[0].used_bytes` → the exporter's `storage_engine_file_used_bytes` with labels file_index and file. */
const STORAGE_UNIT_STAT = /^storage-engine\.(file|device|stripe)\[(\d+)\]\.(.+)$/

/** A statistic's number: numbers as they are, true/false as 1/0; anything else is not a metric. */
export function statValue(text: string): number | undefined {
  if (text === 'true') return 1
  if (text === 'false') return 0
  if (text === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined
  return Number(text)
}

function parsePairs(text: string, separator: string): Map<string, string> {
  const pairs = new Map<string, string>()
  for (const part of text.split(separator)) {
    const eq = part.indexOf('=')
    if (eq > 0) pairs.set(part.slice(0, eq), part.slice(eq + 1))
  }
  return pairs
}

/** The type of a statistic by its last name part (`storage-engine.defrag_reads` → defrag_reads). */
function statType(stat: string): 'counter' | 'gauge' {
  const name = stat.slice(stat.lastIndexOf('.') + 1)
  return !name.includes('-') && COUNTER_STAT.test(name) && !GAUGES_NAMED_LIKE_COUNTERS.has(name) ? 'counter' : 'gauge'
}

export function collectNodeMetrics(sources: MetricsSources): string {
  const { node } = sources
  const families = new MetricFamilies()
  const clusterName = node.config.service.clusterName === '' ? 'null' : node.config.service.clusterName
  const { host, port } = node.serviceEndpoint()
  const base: Labels = [['cluster_name', clusterName], ['service', `${host}:${port}`]]
  families.add('aerospike_node_up', 'gauge', [...base, ['build', AEROSPIKE_COMPATIBLE_BUILD], ['node_id', node.nodeId]], 1)
  // As the exporter does: the service config's numbers (proto-fd-max …) beside the statistics.
  addStats(families, 'aerospike_node_stats', base, parsePairs(getConfig(node, SERVICE_CONFIG), ';'))
  addStats(families, 'aerospike_node_stats', base, parsePairs(nodeStatistics(node), ';'))
  for (const ns of node.namespaces.values()) addNamespace(families, base, ns.name, parsePairs(namespaceInfo(node, ns.name), ';'))
  for (const line of setsInfo(node, []).split(';')) {
    if (line === '') continue
    const stats = parsePairs(line, ':')
    addStats(families, 'aerospike_sets', [...base, ['ns', stats.get('ns') ?? ''], ['set', stats.get('set') ?? '']], stats)
  }
  for (const ns of node.namespaces.values()) {
    for (const index of indexesOf(ns).all()) {
      const stats = new Map(index.stats().map(([k, v]): [string, string] => [k, String(v)]))
      addStats(families, 'aerospike_sindex', [...base, ['ns', ns.name], ['sindex', index.def.name]], stats)
    }
  }
  addXdr(families, base, node)
  addLatencies(families, base, sources)
  return families.text()
}

function addStats(families: MetricFamilies, prefix: string, labels: Labels, stats: ReadonlyMap<string, string>): void {
  for (const [stat, text] of stats) {
    const value = statValue(text)
    if (value !== undefined) families.add(`${prefix}_${metricName(stat)}`, statType(stat), labels, value)
  }
}

/** Namespace statistics carry the storage engine as a label; per file (or stripe) ones its index and path. */
function addNamespace(families: MetricFamilies, base: Labels, ns: string, stats: ReadonlyMap<string, string>): void {
  const engine = stats.get('storage-engine')
  const labels: Labels = engine === undefined ? [...base, ['ns', ns]] : [...base, ['ns', ns], ['storage_engine', engine]]
  for (const [stat, text] of stats) {
    const value = statValue(text)
    if (value === undefined) continue
    const unit = STORAGE_UNIT_STAT.exec(stat)
    if (unit === null) {
      families.add(`aerospike_namespace_${metricName(stat)}`, statType(stat), labels, value)
      continue
    }
    const [, kind, index, name] = unit as unknown as [string, string, string, string]
    const unitLabels: Labels = [...base, ['ns', ns], [`${kind}_index`, index], [kind, stats.get(`storage-engine.${kind}[${index}]`) ?? '']]
    families.add(`aerospike_namespace_storage_engine_${kind}_${metricName(name)}`, statType(name), unitLabels, value)
  }
}

/**
 * Per DC, as the exporter names them: its statistics as aerospike_xdr_<stat> and its config as
 * aerospike_xdr_dc_<key> (label dc); per shipped namespace, aerospike_xdr_dc_namespace_<stat or key> (labels dc, ns).
 */
function addXdr(families: MetricFamilies, base: Labels, node: NodeContext): void {
  for (const shipper of node.xdr.shippers) {
    const dc = shipper.config.name
    const dcLabels: Labels = [...base, ['dc', dc]]
    addStats(families, 'aerospike_xdr', dcLabels, parsePairs(node.xdr.statsAnswer(parseInfoCommand(`get-stats:context=xdr;dc=${dc}`)), ';'))
    addStats(families, 'aerospike_xdr_dc', dcLabels, parsePairs(node.xdr.configAnswer(parseInfoCommand(`get-config:context=xdr;dc=${dc}`)), ';'))
    for (const ns of shipper.namespaces.keys()) {
      const nsLabels: Labels = [...dcLabels, ['ns', ns]]
      addStats(families, 'aerospike_xdr_dc_namespace', nsLabels, parsePairs(node.xdr.statsAnswer(parseInfoCommand(`get-stats:context=xdr;dc=${dc};namespace=${ns}`)), ';'))
      addStats(families, 'aerospike_xdr_dc_namespace', nsLabels, parsePairs(node.xdr.configAnswer(parseInfoCommand(`get-config:context=xdr;dc=${dc};namespace=${ns}`)), ';'))
    }
  }
}

/**
 * Two views of the latency histograms:
 * - aerospike_latencies_<kind>_ms_bucket/_count: gauges of operations per second in the last
 *   slice, at or under each bound, as the exporter derives them from `latencies:`; Aerospike's
 *   rules apply histogram_quantile to them directly.
 * - aerolite_latencies_<kind>_ms: a cumulative Prometheus histogram since start, for
 *   histogram_quantile over rate() of any window.
 */
function addLatencies(families: MetricFamilies, base: Labels, { histograms, slices }: MetricsSources): void {
  const bounds = [...LATENCY_BOUNDS_MS.map(String), '+Inf']
  for (let h = 0; h < histograms.histogramCount; h++) {
    const { namespace, kind } = histograms.nameOf(h)
    const family = metricName(kind)
    const labels: Labels = namespace === undefined ? base : [...base, ['ns', namespace]]
    const rates = slices.ratesAtOrUnder(h)
    if (rates !== undefined) {
      for (let b = 0; b < LATENCY_BUCKETS; b++) families.add(`aerospike_latencies_${family}_ms_bucket`, 'gauge', [...labels, ['le', bounds[b]!]], rates[b]!)
      families.add(`aerospike_latencies_${family}_ms_count`, 'gauge', labels, rates[LATENCY_BUCKETS - 1]!)
    }
    const native = `aerolite_latencies_${family}_ms`
    let cumulative = 0
    for (let b = 0; b < LATENCY_BUCKETS; b++) {
      cumulative += histograms.counts[h * LATENCY_BUCKETS + b]!
      families.add(native, 'histogram', [...labels, ['le', bounds[b]!]], cumulative, `${native}_bucket`)
    }
    families.add(native, 'histogram', labels, histograms.sumsMs[h]!, `${native}_sum`)
    families.add(native, 'histogram', labels, cumulative, `${native}_count`)
  }
}
