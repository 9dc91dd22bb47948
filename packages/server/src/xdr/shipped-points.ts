// How far each partition of one namespace has shipped to one DC: a record last-update time (ms)
// before which every change of the partition reached the DC. The master of a partition computes
// its point from the changes still queued; it tells the other members every second, and at once
// when it hands the partition over (shipped-points-message.ts); the namespace's files keep the
// lowest point. A node that becomes a partition's master (its old master died or handed it over,
// or the node restarted) ships again every record and tombstone of the partition changed since
// the point: the changes the old master had acknowledged but not shipped. A new master that was
// never told a partition's point waits a little for it, then ships the whole partition again
// (at once when the partition is empty: nothing to ship).
import { limits } from '../limits.ts'
import type { ShipQueue } from './ship-queue.ts'

export interface MastershipChanges {
  /** Newly mastered partitions whose point is known: ship again from `sinceMs` on. */
  takeOver: Array<[pid: number, sinceMs: number]>
  /** Partitions this node took over and no longer masters: their new master needs their points now. */
  handedOver: number[]
}

export class ShippedPoints {
  private readonly points = new Float64Array(limits.partitions)
  /** 1: the point was computed here, told by a member or kept by the files. */
  private readonly known = new Uint8Array(limits.partitions)
  /** Which partitions this node mastered when last asked (follow). */
  private readonly mastered = new Uint8Array(limits.partitions)
  /** Newly mastered partitions waiting to be told their point: since when (monotonic ms), or NaN. */
  private readonly waitingSinceMs = new Float64Array(limits.partitions).fill(NaN)

  constructor(initialMs: number) {
    this.points.fill(initialMs)
  }

  /** Every partition from one point (the one the namespace's files kept), known. */
  reset(pointMs: number): void {
    this.points.fill(pointMs)
    this.known.fill(1)
  }

  /** The initial point counts as known: nothing changed before it needs shipping (a single node, or XDR newly configured). */
  trustInitial(): void {
    this.known.fill(1)
  }

  pointOf(pid: number): number {
    return this.points[pid]!
  }

  /**
   * Recomputes the points of the partitions this node masters (as follow last found them) and of
   * `also`: the last-update time of the oldest change not shipped yet, or now when none waits.
   * Changes a full queue dropped hold every such partition at the time of the oldest of them.
   */
  refresh(queue: ShipQueue, nowMs: number, also: readonly number[] = []): void {
    const mine = new Uint8Array(this.mastered)
    for (const pid of also) mine[pid] = 1
    const floorMs = Math.min(nowMs, queue.recoverSinceMs ?? nowMs)
    for (let pid = 0; pid < limits.partitions; pid++) {
      if (mine[pid] === 0 || this.isWaiting(pid)) continue
      this.points[pid] = floorMs
      this.known[pid] = 1
    }
    for (const change of queue.pending()) {
      if (mine[change.pid] === 1 && !this.isWaiting(change.pid) && change.lastUpdateMs < this.points[change.pid]!) this.points[change.pid] = change.lastUpdateMs
    }
  }

  /** A partition's master told its point; this node's own partitions keep the point it computes once taken over. */
  received(pid: number, pointMs: number): void {
    if (this.mastered[pid] === 1 && !this.isWaiting(pid)) return
    this.points[pid] = pointMs
    this.known[pid] = 1
  }

  /**
   * Follows mastership: partitions newly mastered are taken over once their point is known (0,
   * the whole partition, when nobody told it within `waitMs`, or when the partition holds nothing:
   * the copy of a master that ships is full); partitions no longer mastered are reported for their
   * points to be told at once.
   */
  follow(masters: (pid: number) => boolean, isEmpty: (pid: number) => boolean, monotonicMs: number, waitMs: number): MastershipChanges {
    const changes: MastershipChanges = { takeOver: [], handedOver: [] }
    for (let pid = 0; pid < limits.partitions; pid++) {
      const now = masters(pid) ? 1 : 0
      if (now !== this.mastered[pid]) {
        this.mastered[pid] = now
        if (now === 1) this.waitingSinceMs[pid] = monotonicMs
        else {
          // Handed over before it was taken over: this node's queue says nothing about it.
          if (!this.isWaiting(pid)) changes.handedOver.push(pid)
          this.waitingSinceMs[pid] = NaN
        }
      }
      const since = this.waitingSinceMs[pid]!
      if (Number.isNaN(since)) continue
      if (this.known[pid] === 1) changes.takeOver.push([pid, this.points[pid]!])
      else if (isEmpty(pid) || monotonicMs - since >= waitMs) changes.takeOver.push([pid, 0])
      else continue
      this.waitingSinceMs[pid] = NaN
    }
    return changes
  }

  /** Mastered, not taken over yet: its point is not this node's to tell. */
  private isWaiting(pid: number): boolean {
    return !Number.isNaN(this.waitingSinceMs[pid]!)
  }

  /** The points of the partitions this node masters (taken over) and of `also`, as [pid, ms] pairs. */
  own(also: readonly number[] = []): Array<[number, number]> {
    const out: Array<[number, number]> = []
    for (let pid = 0; pid < limits.partitions; pid++) if (this.mastered[pid] === 1 && !this.isWaiting(pid)) out.push([pid, this.points[pid]!])
    for (const pid of also) out.push([pid, this.points[pid]!])
    return out
  }

  /** The lowest point of all partitions: where a restart of this node resumes. */
  lowest(): number {
    let lowest = Infinity
    for (const point of this.points) if (point < lowest) lowest = point
    return lowest
  }
}
