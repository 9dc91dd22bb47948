// What every step of the planner looks at: the observed objects grouped by rack and joined to
// what each rack should be, and the two gates of anything that takes a node down.
import { MAX_UNAVAILABLE_PATTERN } from './validate.ts'
import type { RackTarget } from './templates.ts'
import type { AeroliteCluster, Observed, ObservedConfigMap, ObservedPod, ObservedPvc, ObservedStatefulSet } from './types.ts'

export interface RackView {
  rackId: number
  /** Unset for a rack that is no longer in the spec (it is scaled to zero, then deleted). */
  target?: RackTarget
  desiredReplicas: number
  statefulSet?: ObservedStatefulSet
  configMap?: ObservedConfigMap
  /** By ordinal. */
  pods: ObservedPod[]
  pvcs: ObservedPvc[]
}

export interface PlanContext {
  cluster: AeroliteCluster
  observed: Observed
  /** Racks of the spec in its order, then racks that exist but are no longer in it. */
  racks: RackView[]
  /** Nodes that may be down at once. */
  maxUnavailable: number
  /** The largest replication factor of the namespaces. */
  replicationFactor: number
  /**
   * Every rack has exactly its StatefulSet's pods, none terminating, all ready and answering info:
   * nothing Kubernetes is still doing to the cluster.
   */
  podsSettled: boolean
  /** Every node agrees on the cluster and no partition is migrating. */
  databaseSettled: boolean
}

export function planContext(cluster: AeroliteCluster, observed: Observed, targets: RackTarget[]): PlanContext {
  const desiredIds = new Set(targets.map((target) => target.rack.id))
  const removedIds = [...new Set([...observed.statefulSets, ...observed.configMaps].map((object) => object.rackId))]
    .filter((id) => !desiredIds.has(id))
    .sort((a, b) => a - b)
  const view = (rackId: number, target: RackTarget | undefined): RackView => {
    const statefulSet = observed.statefulSets.find((candidate) => candidate.rackId === rackId)
    const configMap = observed.configMaps.find((candidate) => candidate.rackId === rackId)
    return {
      rackId,
      ...(target === undefined ? {} : { target }),
      desiredReplicas: target?.rack.replicas ?? 0,
      ...(statefulSet === undefined ? {} : { statefulSet }),
      ...(configMap === undefined ? {} : { configMap }),
      pods: observed.pods.filter((pod) => pod.rackId === rackId).sort((a, b) => a.ordinal - b.ordinal),
      pvcs: observed.pvcs.filter((pvc) => pvc.rackId === rackId),
    }
  }
  const racks = [...targets.map((target) => view(target.rack.id, target)), ...removedIds.map((id) => view(id, undefined))]
  const podsSettled = racks.every((rack) => {
    const replicas = rack.statefulSet?.replicas ?? 0
    return rack.pods.length === replicas &&
      rack.pods.every((pod, i) => pod.ordinal === i && !pod.terminating && pod.ready && observed.nodes[pod.name] !== undefined)
  })
  return {
    cluster,
    observed,
    racks,
    maxUnavailable: maxUnavailableCount(cluster),
    replicationFactor: Math.max(...cluster.spec.config.namespaces.map((ns) => ns.replicationFactor)),
    podsSettled,
    databaseSettled: observed.clusterStable && observed.migrationsRemaining === 0,
  }
}

/** spec.maxUnavailable as a count: a percentage of spec.size rounded down, at least 1; default 1. */
function maxUnavailableCount(cluster: AeroliteCluster): number {
  const { maxUnavailable, size } = cluster.spec
  if (maxUnavailable === undefined) return 1
  if (typeof maxUnavailable === 'number') return maxUnavailable
  const percent = Number(MAX_UNAVAILABLE_PATTERN.exec(maxUnavailable)![1])
  return Math.max(1, Math.floor((size * percent) / 100))
}

/**
 * Nodes of one rack restarted at once. With at least as many racks as the replication factor every
 * copy of a partition is on another rack, so a whole batch of one rack may go; with fewer, a batch
 * of replication-factor nodes could hold every copy of some partition, so at most one less goes.
 */
export function restartBatchLimit(context: PlanContext): number {
  const racksWithPods = context.racks.filter((rack) => rack.pods.length > 0).length
  if (racksWithPods >= context.replicationFactor) return context.maxUnavailable
  return Math.max(1, Math.min(context.maxUnavailable, context.replicationFactor - 1))
}

/** Statefulset pod names of ordinals from..to-1. */
export function podNamesOf(statefulSetName: string, from: number, to: number): string[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => `${statefulSetName}-${from + i}`)
}
