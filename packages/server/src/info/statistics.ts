// The node-wide `statistics` info value.
import { freemem, totalmem } from 'node:os'
import { clusterStatistics } from './cluster-info.ts'
import type { NodeContext } from './context.ts'
import { youngGenerationBytes } from '../heap-tuning.ts'

export function nodeStatistics(ctx: NodeContext): string {
  const s = ctx.serviceStats
  const memory = process.memoryUsage()
  let objects = 0
  for (const ns of ctx.namespaces.values()) objects += ns.objects
  const cluster: Array<[string, string | number]> = ctx.cluster === undefined
    ? [['cluster_size', 1], ['cluster_key', ctx.nodeId], ['cluster_integrity', 'true'], ['cluster_is_member', 'true'], ['cluster_clock_skew_ms', 0], ['migrate_allowed', 'true'], ['migrate_partitions_remaining', 0]]
    : clusterStatistics(ctx.cluster)
  const entries: Array<[string, string | number]> = [
    ...cluster,
    ['uptime', Math.floor((ctx.nowMs() - ctx.startedAtMs) / 1000)],
    ['objects', objects],
    ['client_connections', s.clientConnections],
    ['client_connections_opened', s.clientConnectionsOpened],
    ['client_connections_closed', s.clientConnectionsClosed],
    ['reaped_fds', s.connectionsReaped],
    ['rejected_connections', s.connectionsRefused],
    ['info_requests', s.infoRequests],
    ['message_requests', s.messageRequests],
    ['bad_frames', s.badFrames],
    ['process_rss_bytes', memory.rss],
    ['heap_used_bytes', memory.heapUsed],
    ['heap_young_generation_bytes', youngGenerationBytes()],
    ['system_free_mem_pct', Math.floor((100 * freemem()) / totalmem())],
  ]
  return entries.map(([k, v]) => `${k}=${v}`).join(';')
}
