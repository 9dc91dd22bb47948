// What this node knows of its own copies of a namespace's partitions: which are full (they hold
// every acknowledged write) and which are dirty (they applied a change other copies may lack).
// Kept in memory only: a node that restarts, or loses its lease, has no full copy until it is
// filled again, because writes went on without it.
import { limits } from '../limits.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { newPartitionBits, setBit, type CopyReport, type PartitionBits } from './partition-plan.ts'

export class LocalCopies {
  readonly namespace: Namespace
  readonly full: PartitionBits = newPartitionBits()
  readonly dirty: PartitionBits = newPartitionBits()

  constructor(namespace: Namespace) {
    this.namespace = namespace
  }

  /** The report this node gives at the start of a view. */
  report(): CopyReport {
    const hasData = newPartitionBits()
    for (let pid = 0; pid < limits.partitions; pid++) setBit(hasData, pid, this.holdsAnything(pid))
    return { full: Uint8Array.from(this.full), hasData, dirty: Uint8Array.from(this.dirty) }
  }

  /** Records or tombstones of the partition are here. */
  holdsAnything(pid: number): boolean {
    return this.namespace.entriesOf(pid).length > 0 || (this.namespace.tombstones.size > 0 && this.namespace.tombstones.index.entriesOf(pid).length > 0)
  }

  /** Writes went (or may have gone) on without this node: no copy of it is full any more. */
  forgetFull(): void {
    this.full.fill(0)
  }
}
