// Which tombstones a namespace keeps for the other copies of its partitions. A deleted record comes
// back only through a merge (a fill replaces the target's copy), and a merge gathers the dirty
// copies, or every copy when none is full. So a tombstone is kept while a copy that may be merged
// could still hold an older version of the record:
//   - the master leaves one for each delete and drops it once every other owner confirmed the
//     delete (none of them holds the record any more), unless it is still gathering copies; a
//     delete an owner did not confirm leaves the master's copy dirty, so its tombstone stays until
//     that copy has been merged and the partition is quiet again;
//   - any other node keeps the tombstones of its deletes (a replica's, a merge's) only while the
//     partition is not quiet;
//   - a partition is quiet when this view's plan has it settled (every owner full, the natural
//     master acting), no merge is expected and this node's copy is not dirty: its tombstones are
//     dropped then, but for deletes still waiting on their confirmations.
// A memory namespace keeps no other tombstones. A persistent one keeps every tombstone also while
// an older version may be on its disk, and one with XDR conflict resolution (conflict-resolve-writes)
// for tomb-raider-eligible-age, against older shipped versions (namespace/tombstones.ts): these
// drop a tombstone by their own rule only, once the partition is quiet.
import { limits } from '../limits.ts'
import type { Namespace } from '../namespace/namespace.ts'
import type { ClusterDeletes } from '../namespace/tombstones.ts'
import type { LocalCopies } from './local-copies.ts'
import { hasBit, type PartitionPlan } from './partition-plan.ts'

export interface DeleteStamp {
  generation: number
  lastUpdateMs: number
}

export class ClusterTombstones implements ClusterDeletes {
  private readonly copies: LocalCopies
  private readonly planOf: () => PartitionPlan | undefined
  /** Deletes sent to the other owners and not yet confirmed or failed, by digest (latin1). */
  private readonly waiting = new Map<string, number>()

  constructor(copies: LocalCopies, planOf: () => PartitionPlan | undefined) {
    this.copies = copies
    this.planOf = planOf
  }

  private get namespace(): Namespace {
    return this.copies.namespace
  }

  leavesTombstone(pid: number): boolean {
    return this.namespace.mastersPartition(pid) || !this.isQuiet(pid)
  }

  needsTombstones(pid: number): boolean {
    return !this.isQuiet(pid)
  }

  /** A delete went to the other owners; `settled` follows once they answered. */
  sent(digest: Uint8Array): void {
    const key = Buffer.from(digest).toString('latin1')
    this.waiting.set(key, (this.waiting.get(key) ?? 0) + 1)
  }

  /** The other owners answered a delete sent to them: all confirmed it, or not. */
  settled(pid: number, digest: Uint8Array, deleted: DeleteStamp, confirmedByAll: boolean): void {
    const key = Buffer.from(digest).toString('latin1')
    const left = (this.waiting.get(key) ?? 1) - 1
    if (left > 0) this.waiting.set(key, left)
    else this.waiting.delete(key)
    if (confirmedByAll) this.everyOwnerHas(pid, digest, deleted)
  }

  /** Every owner applied the delete: the master's tombstone is needed no more (not while it gathers copies). */
  everyOwnerHas(pid: number, digest: Uint8Array, deleted: DeleteStamp): void {
    const plan = this.planOf()
    if (this.keepsTombstonesItself || plan === undefined || plan.isMerging(pid)) return
    this.namespace.tombstones.dropDelete(pid, digest, deleted)
  }

  /** Drops the tombstones of a memory namespace's partition if it is quiet (see the top of this file). */
  sweep(pid: number): void {
    const tombstones = this.namespace.tombstones
    if (this.keepsTombstonesItself || tombstones.size === 0 || !this.isQuiet(pid)) return
    tombstones.dropPartitionExcept(pid, (digest) => this.waiting.has(digest.toString('latin1')))
  }

  sweepAll(): void {
    if (this.namespace.tombstones.size === 0) return
    for (let pid = 0; pid < limits.partitions; pid++) this.sweep(pid)
  }

  /** Whether the namespace keeps its tombstones for its own reasons (see the top of this file). */
  private get keepsTombstonesItself(): boolean {
    return this.namespace.isPersistent || this.namespace.config.conflictResolveWrites
  }

  private isQuiet(pid: number): boolean {
    const plan = this.planOf()
    return plan !== undefined && plan.isSettled(pid) && !plan.isMerging(pid) && !hasBit(this.copies.dirty, pid)
  }
}
