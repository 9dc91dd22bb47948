// What a command reaches of the node it runs on: its namespaces by name, its UDF runtime and its
// job ids. One per node, so two nodes in one process never share state.
import type { Namespace } from '../namespace/namespace.ts'
import type { UdfRuntime } from '../udf/runtime.ts'
import type { PartitionOwnership } from './partition-mastery.ts'
import type { RecordRouting } from './routing.ts'

export interface CommandContext {
  namespace(name: string): Namespace | undefined
  readonly udf: UdfRuntime
  /** An id for a background job the client sent none for, unique on this node. */
  newJobId(): bigint
  /** Where single-record commands run, when the node is in a cluster. */
  readonly routing?: RecordRouting
  /** Which partitions scans, queries, aggregations and background jobs walk here, when the node is in a cluster. */
  readonly ownership?: PartitionOwnership
  /** This cluster's id among those that ship to each other (xdr src-id): the tie-break of shipped versions. */
  readonly xdrSrcId: number
}
