// Who does what with each partition of a namespace in one view, computed the same way on every node
// from the partition table and what every member said about its copies in the exchange:
//   - a FULL copy holds every acknowledged write of the partition;
//   - the working master is the first node in succession order with a full copy (the natural master
//     once its fill is done; until then a replica or a former owner acts for it);
//   - owners without a full copy are filled by the working master, and receive its writes meanwhile
//     (a copy that holds nothing of a partition whose full copy holds nothing, or that no member
//     holds anything of, is full already);
//   - with no full copy anywhere (the whole cluster restarted, or every full copy died), the natural
//     master gathers every member's records first (a merge) and refuses writes until it has them;
//     it also gathers from members whose copies are DIRTY (they applied a change some other copy may
//     lack: a write whose replication failed), so all copies converge on it;
//   - a working master whose copy is DIRTY refills the other owners (they may lack its changes);
//   - members that are neither owners nor the working master drop their copy once the owners are full.
// The plan then changes only as fills finish: the filled owner becomes full, and mastership moves
// back to the natural master when the working master hands it over (a handoff, never two at once).
import { PARTITION_COUNT } from '@aerolite/protocol'

/** Who owns each partition in a view: member indexes in succession order, owners first. */
export interface Ownership {
  /** The view's members (only their count matters here). */
  readonly members: ArrayLike<unknown>
  /** Copies per partition, capped by the number of members. */
  readonly replicationFactor: number
  /** Every member, in the partition's succession order (the first replicationFactor are its owners). */
  succession(pid: number): ArrayLike<number>
}

/** One bit per partition: bit p is byte p >> 3, mask 0x80 >> (p & 7) (the order of Aerospike's replica bitmaps). */
export type PartitionBits = Uint8Array

export const PARTITION_BITS_BYTES = PARTITION_COUNT / 8

export function newPartitionBits(): PartitionBits {
  return new Uint8Array(PARTITION_BITS_BYTES)
}

export function hasBit(bits: PartitionBits, pid: number): boolean {
  return (bits[pid >> 3]! & (0x80 >> (pid & 7))) !== 0
}

export function setBit(bits: PartitionBits, pid: number, on: boolean): void {
  const mask = 0x80 >> (pid & 7)
  bits[pid >> 3] = on ? bits[pid >> 3]! | mask : bits[pid >> 3]! & ~mask
}

/** What one member said about its copies of a namespace's partitions at the start of a view. */
export interface CopyReport {
  full: PartitionBits
  /** The member holds records (or tombstones) of the partition: worth gathering when no copy is full. */
  hasData: PartitionBits
  /** The member applied a change of the partition that other copies may lack. */
  dirty: PartitionBits
}

/**
 * Whether a member's copy counts as full in a new plan: it says so, or the partition is empty (a
 * clean full copy holds nothing) and the copy is clean and holds nothing too. (A function, not a
 * closure per partition: a plan is made for 4096 partitions on every view change.)
 */
function reportsFull(report: CopyReport, pid: number, empty: boolean): boolean {
  return hasBit(report.full, pid) || (empty && !hasBit(report.hasData, pid) && !hasBit(report.dirty, pid))
}

export class PartitionPlan {
  readonly ownership: Ownership
  /** Member index acting as master of each partition. */
  private readonly masters = new Int16Array(PARTITION_COUNT)
  /** Per member, whether its copy of each partition is full. */
  private readonly full: PartitionBits[]
  /** Per member, whether it holds anything of each partition. */
  private readonly hasData: PartitionBits[]
  /** Per member, whether its copy may hold changes the others lack. */
  private readonly dirty: PartitionBits[]
  /** Partitions whose master gathers other copies before it accepts writes. */
  private readonly merging = newPartitionBits()
  /** Changes since the plan was made: answers derived from the plan (replica bitmaps) are cached by it. */
  private changes = 0

  /** The plan at the start of a view; `reports` are indexed like the view's members. */
  constructor(ownership: Ownership, reports: readonly CopyReport[]) {
    if (reports.length !== ownership.members.length) throw new Error(`a plan needs one copy report per member: ${reports.length} for ${ownership.members.length}`)
    this.ownership = ownership
    this.full = reports.map(() => newPartitionBits())
    this.hasData = reports.map((r) => Uint8Array.from(r.hasData))
    this.dirty = reports.map((r) => Uint8Array.from(r.dirty))
    const rf = ownership.replicationFactor
    for (let pid = 0; pid < PARTITION_COUNT; pid++) {
      const order = ownership.succession(pid)
      let master = -1
      for (let i = 0; i < order.length && master < 0; i++) if (hasBit(reports[order[i]!]!.full, pid)) master = order[i]!
      // A clean full copy that holds nothing says the partition is empty: a clean copy that holds
      // nothing is then as full as it (no fill to send, and the natural master may act at once).
      const empty = master >= 0 && !hasBit(reports[master]!.hasData, pid) && !hasBit(reports[master]!.dirty, pid)
      if (empty) {
        master = -1
        for (let i = 0; i < order.length && master < 0; i++) if (reportsFull(reports[order[i]!]!, pid, empty)) master = order[i]!
      }
      if (master >= 0) {
        // A full copy stays full only where writes keep reaching it: on the owners and the master.
        // A dirty master applied changes (a delete, say) the other copies may lack: they are filled
        // again, which replaces them.
        const masterDirty = hasBit(reports[master]!.dirty, pid)
        for (let i = 0; i < order.length; i++) {
          const member = order[i]!
          if ((member === master || (i < rf && !masterDirty)) && reportsFull(reports[member]!, pid, empty)) setBit(this.full[member]!, pid, true)
        }
      } else {
        master = order[0]!
        setBit(this.full[master]!, pid, true)
        // No copy is full: every copy may hold what the others lack.
        let anyData = hasBit(this.hasData[master]!, pid)
        for (let i = 1; i < order.length; i++) {
          if (!hasBit(this.hasData[order[i]!]!, pid)) continue
          setBit(this.dirty[order[i]!]!, pid, true)
          anyData = true
        }
        // Nothing anywhere (a new cluster): the owners' empty copies are all alike.
        if (!anyData) for (let i = 1; i < rf; i++) setBit(this.full[order[i]!]!, pid, true)
      }
      this.masters[pid] = master
      for (let i = 0; i < order.length; i++) if (order[i] !== master && hasBit(this.dirty[order[i]!]!, pid)) setBit(this.merging, pid, true)
    }
  }

  /** Counts the changes to the plan (merges, fills, handoffs, drops): the same version, the same answers. */
  get version(): number {
    return this.changes
  }

  /** The member acting as master of the partition. */
  master(pid: number): number {
    return this.masters[pid]!
  }

  /** The partition's owners (natural master first). */
  owners(pid: number): number[] {
    const order = this.ownership.succession(pid)
    const owners: number[] = []
    for (let i = 0; i < this.ownership.replicationFactor; i++) owners.push(order[i]!)
    return owners
  }

  isFull(member: number, pid: number): boolean {
    return hasBit(this.full[member]!, pid)
  }

  /** The master gathers the other members' copies before it accepts writes. */
  isMerging(pid: number): boolean {
    return hasBit(this.merging, pid)
  }

  /** Members whose copies the master gathers (while merging): the dirty ones. */
  mergeSources(pid: number): number[] {
    if (!this.isMerging(pid)) return []
    const master = this.master(pid)
    const sources: number[] = []
    const order = this.ownership.succession(pid)
    for (let i = 0; i < order.length; i++) if (order[i] !== master && hasBit(this.dirty[order[i]!]!, pid)) sources.push(order[i]!)
    return sources
  }

  /** Owners without a full copy: the master fills them (once it is full itself). */
  fillTargets(pid: number): number[] {
    const master = this.master(pid)
    return this.owners(pid).filter((m) => m !== master && !this.isFull(m, pid))
  }

  /** Members every write of the partition is sent to by its master: the owners other than the master. */
  writeTargets(pid: number): number[] {
    const master = this.master(pid)
    return this.owners(pid).filter((m) => m !== master)
  }

  /** Members holding a copy they no longer need once every owner is full: not an owner, not the master. */
  surplusHolders(pid: number): number[] {
    const owners = this.owners(pid)
    const master = this.master(pid)
    const surplus: number[] = []
    for (let m = 0; m < this.ownership.members.length; m++) if (m !== master && !owners.includes(m) && hasBit(this.hasData[m]!, pid)) surplus.push(m)
    return surplus
  }

  /** Every owner holds a full copy and the natural master acts: nothing left to move for the partition. */
  isSettled(pid: number): boolean {
    const order = this.ownership.succession(pid)
    if (order[0] !== this.master(pid)) return false
    for (let i = 0; i < this.ownership.replicationFactor; i++) if (!this.isFull(order[i]!, pid)) return false
    return true
  }

  /**
   * The master has gathered every dirty copy (each record it took was also sent on to the owners,
   * like any write): it accepts writes now.
   */
  mergeDone(pid: number): void {
    this.changes++
    setBit(this.merging, pid, false)
    for (let m = 0; m < this.ownership.members.length; m++) setBit(this.dirty[m]!, pid, false)
  }

  /** An owner's fill is done: its copy is full. */
  fillDone(member: number, pid: number): void {
    this.changes++
    setBit(this.full[member]!, pid, true)
    setBit(this.hasData[member]!, pid, true)
  }

  /** Mastership moves to `member` (a full owner ahead of the current master in succession order). */
  handOver(pid: number, member: number): void {
    if (!this.isFull(member, pid)) throw new Error(`partition ${pid}: mastership can only go to a full copy`)
    const former = this.masters[pid]!
    this.changes++
    this.masters[pid] = member
    // A former master that is not an owner receives no more writes: its copy is stale from now on.
    // It is a surplus copy to drop even if it reported holding nothing at the start of the view:
    // as master it took writes, and records it gathered in a merge.
    if (former !== member && !this.owners(pid).includes(former)) {
      setBit(this.full[former]!, pid, false)
      setBit(this.hasData[former]!, pid, true)
    }
  }

  /** A surplus copy was dropped. */
  dropped(member: number, pid: number): void {
    this.changes++
    setBit(this.hasData[member]!, pid, false)
    setBit(this.full[member]!, pid, false)
  }

  /** Who acts for the partition by replica index: the master, then the other owners with full copies. */
  actingOwners(pid: number): number[] {
    const master = this.master(pid)
    const order = this.ownership.succession(pid)
    const acting = [master]
    for (let i = 0; i < this.ownership.replicationFactor; i++) {
      const member = order[i]!
      if (member !== master && this.isFull(member, pid)) acting.push(member)
    }
    return acting
  }

  /** Every partition is settled (as far as this node has heard). */
  allSettled(): boolean {
    for (let pid = 0; pid < PARTITION_COUNT; pid++) if (!this.isSettled(pid)) return false
    return true
  }

  /** The owner a master should hand over to once it is full: the first owner ahead of the master in succession order. */
  handoverTarget(pid: number): number | undefined {
    const natural = this.ownership.succession(pid)[0]!
    return natural === this.master(pid) ? undefined : natural
  }
}
