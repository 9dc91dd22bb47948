// Which node masters each partition of each namespace, assembled from every node's `replicas`.
import { PARTITION_COUNT, partitionId } from '@aerolite/protocol'
import { holdsPartition, type NamespaceReplicas } from './replicas.ts'

const NO_NODE = -1

export class PartitionMap {
  /** namespace -> node index per partition (NO_NODE when no node has claimed it). */
  private readonly masters = new Map<string, Int16Array>()

  /** Records the partitions a node (by index) reports as master. */
  apply(nodeIndex: number, replicas: readonly NamespaceReplicas[]): void {
    for (const { namespace, bitmaps } of replicas) {
      let owners = this.masters.get(namespace)
      if (owners === undefined) {
        owners = new Int16Array(PARTITION_COUNT).fill(NO_NODE)
        this.masters.set(namespace, owners)
      }
      const master = bitmaps[0]!
      for (let pid = 0; pid < PARTITION_COUNT; pid++) if (holdsPartition(master, pid)) owners[pid] = nodeIndex
    }
  }

  namespaces(): string[] {
    return [...this.masters.keys()]
  }

  /** Partitions of the namespace that no node claims as master. */
  unownedCount(namespace: string): number {
    const owners = this.masters.get(namespace)
    if (owners === undefined) return PARTITION_COUNT
    let count = 0
    for (const owner of owners) if (owner === NO_NODE) count++
    return count
  }

  /** The master's node index for a digest, or -1 if the namespace or partition has none. */
  masterOf(namespace: string, digest: Uint8Array): number {
    return this.masterTable(namespace)?.[partitionId(digest)] ?? NO_NODE
  }

  /** The per-partition master table itself, for callers that route many keys of one namespace. */
  masterTable(namespace: string): Int16Array | undefined {
    return this.masters.get(namespace)
  }
}
