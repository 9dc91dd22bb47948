// What info handlers may see and change of the node.
import type { ClusterMember } from '../cluster/cluster-member.ts'
import type { MetadataSync } from '../cluster/metadata-sync.ts'
import type { Quiesce } from '../cluster/quiesce.ts'
import type { ServerConfig } from '../config/index.ts'
import type { Namespace } from '../namespace/namespace.ts'
import type { ServiceStats } from '../service/stats.ts'
import type { UdfRuntime } from '../udf/runtime.ts'
import type { LatencySlices } from '../metrics/latency-slices.ts'
import type { XdrShipping } from '../xdr/xdr-shipping.ts'

export interface NodeContext {
  readonly nodeId: string
  readonly config: ServerConfig
  readonly namespaces: ReadonlyMap<string, Namespace>
  readonly startedAtMs: number
  readonly serviceStats: ServiceStats
  /** The node's registered UDF modules. */
  readonly udf: UdfRuntime
  /** The node's part in a cluster; undefined for a single node. */
  readonly cluster: ClusterMember | undefined
  /** In a cluster, where UDF, index and truncate changes go (every node applies them); undefined for a single node. */
  readonly clusterMetadata: MetadataSync | undefined
  /** Shipping to other clusters (the xdr context). */
  readonly xdr: XdrShipping
  /** The latency histograms' last slice, for `latencies:`. */
  readonly latencySlices: LatencySlices
  /** What this node asks for at the next recluster, and what the cluster applied. */
  readonly quiesce: Quiesce
  /** Address and port clients should use to reach this node. */
  serviceEndpoint(): { host: string; port: number }
  /** Address and port clients outside the node's network should use (alternate-access-address). */
  alternateServiceEndpoint(): { host: string; port: number }
  partitionGeneration(): number
  peersGeneration(): number
  /** Deletes records last updated at or before cutoffMs; setName undefined = the whole namespace. */
  truncate(namespace: Namespace, setName: string | undefined, cutoffMs: number): void
  /** Applies a namespace config change made at run time. */
  namespaceConfigChanged(namespace: Namespace): void
  /** Applies a service config change made at run time (already in config.service). */
  serviceConfigChanged(): void
  nowMs(): number
}
