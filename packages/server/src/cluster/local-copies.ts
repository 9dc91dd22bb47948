// What this node knows of its own copies of a namespace's partitions: which are full (they hold
// every acknowledged write), which are dirty (they applied a change other copies may lack), which
// are behind (they missed a replica write this node could not store: reported as not full until a
// view's plan has them filled) and which are unreplicated (dirty since the last report: a change
// made here did not reach every owner, and only the next view's plan repairs that). Kept in memory only: a node that restarts, or loses its
// lease, has no full copy until it is filled again, because writes went on without it (unless every
// member lost its lease at once: then what was full is gathered by a merge, see registeredAgain).
import { limits } from '../limits.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { hasBit, newPartitionBits, setBit, type CopyReport, type PartitionBits } from './partition-plan.ts'

export class LocalCopies {
  readonly namespace: Namespace
  readonly full: PartitionBits = newPartitionBits()
  readonly dirty: PartitionBits = newPartitionBits()
  /** Copies that missed a replica write (the storage refused it): not full, whatever the plan said. */
  readonly behind: PartitionBits = newPartitionBits()
  /** The behind copies as the last report gave them. */
  private reportedBehind: PartitionBits = newPartitionBits()
  /**
   * Copies that turned dirty since the last report: a change this node made (as master) did not
   * reach every owner. The current view's plan does not know, and nothing in it repairs them.
   */
  private readonly unreplicated: PartitionBits = newPartitionBits()
  /** The unreplicated copies as the last report gave them (dirty). */
  private reportedUnreplicated: PartitionBits = newPartitionBits()

  constructor(namespace: Namespace) {
    this.namespace = namespace
  }

  /** The report this node gives at the start of a view. */
  report(): CopyReport {
    const hasData = newPartitionBits()
    for (let pid = 0; pid < limits.partitions; pid++) setBit(hasData, pid, this.holdsAnything(pid))
    const full = Uint8Array.from(this.full)
    for (let i = 0; i < full.length; i++) full[i] = full[i]! & ~this.behind[i]!
    this.reportedBehind = Uint8Array.from(this.behind)
    this.reportedUnreplicated = Uint8Array.from(this.unreplicated)
    return { full, hasData, dirty: Uint8Array.from(this.dirty) }
  }

  /** This copy of the partition lacks a version the master sent: it is full no more. */
  missedWrite(pid: number): void {
    setBit(this.behind, pid, true)
  }

  isBehind(pid: number): boolean {
    return hasBit(this.behind, pid)
  }

  /** Whether any copy is behind. */
  anyBehind(): boolean {
    return this.behind.some((byte) => byte !== 0)
  }

  /**
   * A change of the partition made here did not reach every owner (a replica did not confirm): the
   * copy is dirty, and the copies differ until a view whose report says so.
   */
  changeUnreplicated(pid: number): void {
    setBit(this.dirty, pid, true)
    setBit(this.unreplicated, pid, true)
  }

  /**
   * Every other owner was filled from this master's copy of the partition: it is dirty no more,
   * unless a change made since the last report did not reach them (the next view repairs that).
   */
  refilledOthers(pid: number): void {
    if (!hasBit(this.unreplicated, pid)) setBit(this.dirty, pid, false)
  }

  /**
   * Whether some copy turned dirty since the last report and still is (a merge that gathered it,
   * or a drop, cleans it): the copies differ, and only a new view repairs them.
   */
  anyUnreplicated(): boolean {
    return this.unreplicated.some((byte, i) => (byte & this.dirty[i]!) !== 0)
  }

  /** How many partitions anyUnreplicated() counts. */
  unreplicatedCount(): number {
    let count = 0
    for (let pid = 0; pid < limits.partitions; pid++) if (hasBit(this.unreplicated, pid) && hasBit(this.dirty, pid)) count++
    return count
  }

  /**
   * The view's plan is made from the last report: the copies it gave as behind are filled by that
   * plan (they were not full in it), and those it gave as dirty are refilled from or gathered.
   * Copies that fell behind or turned dirty since then stay so.
   */
  planned(): void {
    for (let i = 0; i < this.behind.length; i++) {
      this.behind[i] = this.behind[i]! & ~this.reportedBehind[i]!
      this.unreplicated[i] = this.unreplicated[i]! & ~this.reportedUnreplicated[i]!
    }
    this.reportedBehind.fill(0)
    this.reportedUnreplicated.fill(0)
  }

  /** Records or tombstones of the partition are here. */
  holdsAnything(pid: number): boolean {
    return this.namespace.entriesOf(pid).length > 0 || (this.namespace.tombstones.size > 0 && this.namespace.tombstones.index.entriesOf(pid).length > 0)
  }

  /**
   * The copies that were full when this node last left the cluster (its lease lost, or a view
   * without it): until it registers again, nobody knows whether they are stale or the best there is.
   */
  private readonly fullWhenLeft: PartitionBits = newPartitionBits()

  /**
   * This node left the cluster (its lease was lost, or a view without it came): writes went (or may
   * have gone) on without it, so no copy of it is full any more. Which were full is remembered
   * until it registers again.
   */
  left(): void {
    for (let i = 0; i < this.full.length; i++) this.fullWhenLeft[i]! |= this.full[i]!
    this.full.fill(0)
  }

  /**
   * This node registered again after a lost lease. If the cluster went on without it, its copies
   * are stale: the full copies out there replace them (a fill), so a delete they missed cannot come
   * back. If instead every member lost its lease, no copy out there is full for certain (the first
   * node back waits a lease TTL at most for the others, then makes its copies full alone): a copy that was full here holds every write acknowledged
   * before the leases were lost, perhaps some no other copy holds, so it is marked dirty and the
   * working master gathers it (a merge) before it takes writes or fills it.
   */
  registeredAgain(clusterWentOn: boolean): void {
    if (!clusterWentOn) {
      for (let pid = 0; pid < limits.partitions; pid++) if (hasBit(this.fullWhenLeft, pid) && this.holdsAnything(pid)) setBit(this.dirty, pid, true)
    }
    this.fullWhenLeft.fill(0)
  }
}
