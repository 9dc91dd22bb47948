// What a node in a cluster answers about the cluster: its peers, which partitions it acts for
// (replicas), whether the cluster is stable, and the cluster statistics.
import { infoError, type InfoCommand } from '@aerolite/protocol'
import type { ClusterMember } from '../cluster/cluster-member.ts'
import type { PartitionPlan } from '../cluster/partition-plan.ts'
import { replicaBitmaps, replicasEntry, withoutMastership } from '../cluster/replica-bitmaps.ts'
import { clusterKeyText } from '../cluster/view.ts'
import type { NodeContext } from './context.ts'

/**
 * `<peers generation>,<default port>,[[node id,,[host:port]],...]`: the other members' service
 * addresses, or their alternate ones (peers-clear-alt) where they have them.
 */
export function peersAnswer(ctx: NodeContext, cluster: ClusterMember, alternate: boolean): string {
  const view = cluster.currentView()
  const peers = (view?.members ?? [])
    .filter((m) => m.nodeId !== ctx.nodeId)
    .map((m) => {
      const { host, port } = alternate ? m.alternateService ?? m.service : m.service
      return `[${m.nodeId},,[${hostPort(host, port)}]]`
    })
  const own = alternate ? ctx.alternateServiceEndpoint() : ctx.serviceEndpoint()
  return `${cluster.peersGeneration},${own.port},[${peers.join(',')}]`
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

type ReplicasForm = 'replicas' | 'replicas-all' | 'replicas-master'

/**
 * Per namespace, the bitmaps of the partitions this node acts for at each replica index (none while
 * plans are computed); no mastership while it may not acknowledge writes.
 */
export function replicasAnswer(ctx: NodeContext, cluster: ClusterMember, form: ReplicasForm): string {
  return [...ctx.namespaces.values()].map((ns) => {
    const plan = cluster.planOf(ns.name)
    const bitmaps = plan === undefined
      ? acknowledging(replicaBitmaps(-1, 1, () => []), cluster.acknowledgesWrites)
      : actingBitmaps(plan, cluster.memberIndex, cluster.acknowledgesWrites)
    if (form === 'replicas-master') return `${ns.name}:${bitmaps[0]!}`
    if (form === 'replicas-all') return `${ns.name}:${bitmaps.length},${bitmaps.join(',')}`
    return replicasEntry(ns.name, 0, bitmaps)
  }).join(';')
}

function acknowledging(acting: string[], acknowledgesWrites: boolean): string[] {
  return acknowledgesWrites ? acting : withoutMastership(acting)
}

interface CachedBitmaps {
  version: number
  memberIndex: number
  acting: string[]
  withoutMastership: string[] | undefined
}

/** The bitmaps of a plan's member, by the plan's version: clients ask every node for them every second. */
const bitmapsCache = new WeakMap<PartitionPlan, CachedBitmaps>()

function actingBitmaps(plan: PartitionPlan, memberIndex: number, acknowledgesWrites: boolean): string[] {
  let cached = bitmapsCache.get(plan)
  if (cached === undefined || cached.version !== plan.version || cached.memberIndex !== memberIndex) {
    const acting = replicaBitmaps(memberIndex, plan.ownership.replicationFactor, (pid) => plan.actingOwners(pid))
    cached = { version: plan.version, memberIndex, acting, withoutMastership: undefined }
    bitmapsCache.set(plan, cached)
  }
  if (acknowledgesWrites) return cached.acting
  return (cached.withoutMastership ??= withoutMastership(cached.acting))
}

/**
 * The cluster key when the cluster is stable: the view's plans are computed, its size is the one
 * asked for, and (unless ignore-migrations=true) no partition waits for a migration.
 */
export function clusterStable(cluster: ClusterMember, cmd: InfoCommand): string {
  const view = cluster.currentView()
  if (cluster.belowMinClusterSize) return infoError(4, `cluster size ${view!.members.length} is below min-cluster-size ${cluster.minClusterSize}`)
  if (view === undefined || !cluster.hasPlans) return infoError(4, 'the cluster view is still being formed')
  const size = cmd.params.get('size')
  if (size !== undefined && size !== String(view.members.length)) return infoError(4, `cluster size is ${view.members.length}, not ${size}`)
  if (cmd.params.get('ignore-migrations') !== 'true' && !cluster.isSettled()) return infoError(4, 'migrations are not finished')
  return clusterKeyText(view)
}

/**
 * `racks:` per namespace, `ns=<ns>:rack_<id>=<node id>,...:rack_<id>=...`: the current view's members
 * by their rack for the namespace (racks ascending, node ids ascending); a single node lists itself.
 */
export function racksAnswer(ctx: NodeContext): string {
  const members = ctx.cluster?.currentView()?.members
  return [...ctx.namespaces.values()].map((ns) => {
    const racks = new Map<number, string[]>()
    const place = (rack: number, nodeId: string): void => {
      const nodes = racks.get(rack)
      if (nodes === undefined) racks.set(rack, [nodeId])
      else nodes.push(nodeId)
    }
    if (members === undefined) place(ns.config.rackId, ctx.nodeId)
    else for (const m of members) place(m.rackIds[ns.name] ?? 0, m.nodeId)
    const entries = [...racks].sort(([a], [b]) => a - b).map(([rack, nodes]) => `rack_${rack}=${nodes.sort(byNodeId).join(',')}`)
    return [`ns=${ns.name}`, ...entries].join(':')
  }).join(';')
}

/** Node ids (hex of 64 bits, not zero-padded) in ascending order of their value. */
function byNodeId(a: string, b: string): number {
  const x = BigInt(`0x${a}`)
  const y = BigInt(`0x${b}`)
  return x < y ? -1 : x > y ? 1 : 0
}

export function clusterStatistics(cluster: ClusterMember): Array<[string, string | number]> {
  const view = cluster.currentView()
  return [
    ['cluster_size', view?.members.length ?? 0],
    ['cluster_key', view === undefined ? '0' : clusterKeyText(view)],
    ['cluster_integrity', String(cluster.hasPlans)],
    ['cluster_is_member', String(cluster.memberIndex >= 0)],
    ['cluster_clock_skew_ms', cluster.clockSkew.maxSkewMs],
    ['migrate_allowed', 'true'],
    ['migrate_partitions_remaining', cluster.migrationsRemaining()],
    ['migrate_records_sent', cluster.migrationCounters.recordsSent],
    ['migrate_records_received', cluster.migrationCounters.recordsReceived],
    ['client_proxy_complete', cluster.proxyCounters.complete],
    ['client_proxy_error', cluster.proxyCounters.error],
    ['client_proxy_timeout', cluster.proxyCounters.timeout],
  ]
}
