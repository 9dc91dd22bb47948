// The membership contract: how a node joins the cluster, learns each new view, knows whether it may
// still act as a member (fencing), and shares cluster metadata. One implementation (membership-
// client.ts) runs over a store with etcd's semantics; the store is etcd itself (etcd-store.ts) or
// an in-process one (in-process-store.ts) for embedded test clusters and the simulator.
import type { MemberInfo, View } from './view.ts'

export interface Membership {
  /**
   * Registers `self` under a lease and watches the members. Retries with back-off (logging what it
   * waits for) while the store is unreachable; resolves with the first view that holds `self`.
   */
  join(self: MemberInfo): Promise<View>
  /**
   * Publishes new info about this node (the same node id; join resolved) on its current lease:
   * every member sees the changed member in a new view. Calls apply in order. Rejects when the
   * store cannot be reached; the info is kept either way, so a registration after a lost lease
   * carries it.
   */
  updateSelf(info: MemberInfo): Promise<void>
  /**
   * Puts this node's info again, unchanged (join resolved): every member makes a new view, so
   * copies are reported and planned afresh (a node whose storage refused replica writes asks for
   * the refill of its copies this way). Rejects when the store cannot be reached.
   */
  republish(): Promise<void>
  /** The latest view seen (undefined before join resolved). */
  currentView(): View | undefined
  /**
   * Called with every new view (the member set changed), in revision order. A view that still holds
   * this node's key from a registration whose lease it lost (history replayed once the store is
   * reachable again) comes without this node, under the same revision and cluster key.
   */
  onView(listener: (view: View) => void): void
  /**
   * Whether this node may act as a member now: false once the monotonic deadline of its lease (the
   * TTL the store granted, from when the last successful keep-alive was sent, less a margin) passed,
   * until the lease is renewed or the node registered again.
   */
  holdsLease(): boolean
  /** Called when holdsLease() turns false, and when it turns true again. */
  onLeaseChange(listener: (holds: boolean) => void): void
  /**
   * Called when the store no longer has this node's lease (it expired): the others went on without
   * this node for a while, whatever views it saw, and it registers again.
   */
  onLeaseLost(listener: () => void): void
  /**
   * Called once after each lost lease, when the node registers again, before its key is back in
   * the store (so before any view holds it again): `clusterWentOn` is true when some other member
   * of the last view that held this node while it held its lease still holds the lease it had then
   * (the others went on without this node), false when none does (every one of them lost its
   * lease too, as when the store was unreachable for all of them past the TTL).
   */
  onRegisteredAgain(listener: (clusterWentOn: boolean) => void): void
  /** The lease TTL in ms (how long a member that lost its lease may take to be back); unknown: limits.absentMemberWaitMs. */
  leaseTtlMs?(): number
  /** Cluster-wide metadata (UDF modules, index definitions, truncate points, ...). */
  readonly metadata: ClusterMetadata
  /** Revokes the lease (the others see the node leave at once) and stops watching. */
  leave(): Promise<void>
  /** Stops renewing and watching without revoking, as a killed process would: the lease expires. */
  halt(): void
}

/** Keys and values every node sees, including a node that joins later; they survive restarts. */
export interface ClusterMetadata {
  /** The entries as last seen (complete once join resolved). */
  entries(): ReadonlyMap<string, string>
  /** Resolves with the store revision of the write (for seen()). */
  put(key: string, value: string): Promise<number>
  /** Resolves with the store revision after the removal (for seen()), or undefined when there was no such entry. */
  remove(key: string): Promise<number | undefined>
  /**
   * Read-modify-write of one entry against concurrent writers: `next` gets the entry's value in the
   * store (undefined: none) and returns the value to put, or undefined to leave it as it is; it is
   * called again when another writer changed the entry meanwhile. Resolves with the store revision
   * of the value that stands (for seen(); 0 when there is no entry).
   */
  update(key: string, next: (current: string | undefined) => string | undefined): Promise<number>
  /**
   * Resolves once entries() and the onChange listeners reflect every change up to `revision` (a
   * writer waits for its own write to be applied on this node); rejects once the membership stopped.
   */
  seen(revision: number): Promise<void>
  /** Called for each change seen, in revision order (value undefined: removed). */
  onChange(listener: (key: string, value: string | undefined) => void): void
}
