// Deleted records, remembered while something could still bring them back: in a persistent
// namespace an older version on disk (a cold restart), and in a cluster another copy of the
// partition (a merge; cluster/cluster-tombstones.ts says which partitions and deletes), and under
// XDR conflict resolution a shipped write older than the delete (commands/xdr-conflict.ts). Each
// tombstone is a small record in the write blocks and an entry in an index of its own, whose
// void-time column holds the newest block sequence number that may hold an older version.
import { DIGEST_BYTES } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { PrimaryIndex } from '../storage/primary-index.ts'
import type { WriteBlocks } from '../storage/write-blocks.ts'
import type { RecordStore } from './record-store.ts'
import type { BinVersions } from '../record/bin-versions.ts'
import { recordBinVersions, TOMBSTONE_BYTES } from '../record/layout.ts'

/** What the cluster needs of a namespace's tombstones (cluster/cluster-tombstones.ts). */
export interface ClusterDeletes {
  /** Whether a delete in the partition must leave a tombstone for the other copies. */
  leavesTombstone(pid: number): boolean
  /** Whether another copy of the partition may still bring back a record one of its tombstones deleted. */
  needsTombstones(pid: number): boolean
}

export class Tombstones {
  readonly index: PrimaryIndex
  /** Set when the namespace is part of a cluster. */
  cluster: ClusterDeletes | undefined
  private readonly blocks: WriteBlocks
  private readonly records: RecordStore
  /** Versions of records are on disk: a tombstone is needed while an older one may be there. */
  private readonly onDisk: boolean
  /** Tombstones of deletes made after this time (ms) are kept whatever the disk holds (tomb-raider-eligible-age). */
  private readonly youngSinceMs: () => number

  constructor(index: PrimaryIndex, records: RecordStore, onDisk: boolean, youngSinceMs: () => number) {
    this.index = index
    this.blocks = records.blocks
    this.records = records
    this.onDisk = onDisk
    this.youngSinceMs = youngSinceMs
  }

  get size(): number {
    return this.index.size
  }

  /** Leaves a tombstone for a record deleted now; olderSeq is the sequence number of the block of its last version. */
  leave(pid: number, digest: Uint8Array, generation: number, setId: number, olderSeq: number, lastUpdateMs: number, binVersions?: BinVersions): void {
    const voidTime = Math.min(olderSeq, 0xffffffff)
    const placed = this.records.writeTombstone({ digest, generation, voidTime: olderSeq, lastUpdateMs, setId, binVersions })
    const tomb = this.index.insert(pid, digest, 0, placed.block, placed.offset, placed.bytes)
    this.index.setMeta(tomb, generation, voidTime, lastUpdateMs, setId)
  }

  /** The generation and last-update time of the delete a digest's tombstone remembers, if it has one. */
  deleteOf(pid: number, digest: Uint8Array): { generation: number; lastUpdateMs: number } | undefined {
    if (this.index.size === 0) return undefined
    const tomb = this.index.find(pid, digest)
    return tomb < 0 ? undefined : { generation: this.index.generation(tomb), lastUpdateMs: this.index.lastUpdateMs(tomb) }
  }

  /** The newest block sequence number that may hold an older version, as the digest's tombstone knows it (0: none). */
  olderSeqOf(pid: number, digest: Uint8Array): number {
    if (this.index.size === 0) return 0
    const tomb = this.index.find(pid, digest)
    return tomb < 0 ? 0 : this.index.voidTime(tomb)
  }

  /** The bin versions a digest's tombstone keeps (a record deleted by bin convergence), if any. */
  binVersionsOf(pid: number, digest: Uint8Array): BinVersions | undefined {
    if (this.index.size === 0) return undefined
    const tomb = this.index.find(pid, digest)
    return tomb < 0 ? undefined : this.binVersionsAt(tomb)
  }

  /** The bin versions tombstone entry `tomb` keeps, if any. */
  binVersionsAt(tomb: number): BinVersions | undefined {
    // A bare tombstone keeps none: no read (from disk, on a device namespace) to find that out.
    if (this.index.sizeOf(tomb) === TOMBSTONE_BYTES) return undefined
    const { buf, at } = this.records.read(this.index.block(tomb), this.index.offset(tomb))
    return recordBinVersions(buf, at)
  }

  /** Drops the digest's tombstone if it has one (the record is written again). */
  dropFor(pid: number, digest: Uint8Array): void {
    const tomb = this.index.find(pid, digest)
    if (tomb >= 0) this.drop(pid, tomb)
  }

  /** Drops the digest's tombstone if it remembers exactly this delete (not a later one). */
  dropDelete(pid: number, digest: Uint8Array, deleted: { generation: number; lastUpdateMs: number }): void {
    if (this.index.size === 0) return
    const tomb = this.index.find(pid, digest)
    if (tomb >= 0 && this.index.generation(tomb) === deleted.generation && this.index.lastUpdateMs(tomb) === deleted.lastUpdateMs) this.drop(pid, tomb)
  }

  /** Drops the partition's tombstones except those `keep` chooses (by digest). */
  dropPartitionExcept(pid: number, keep: (digest: Buffer) => boolean): void {
    if (this.index.size === 0) return
    const digest = Buffer.allocUnsafe(DIGEST_BYTES)
    for (const tomb of this.index.entriesOf(pid)) {
      this.index.digestInto(tomb, digest)
      if (!keep(digest)) this.drop(pid, tomb)
    }
  }

  /** Drops every tombstone of a partition (the node no longer holds it). */
  dropPartition(pid: number): void {
    if (this.index.size === 0) return
    for (const tomb of this.index.entriesOf(pid)) this.drop(pid, tomb)
  }

  /** Whether a tombstone is still needed when the oldest block on disk other than its own has sequence number oldestOtherSeq. */
  isNeeded(pid: number, tomb: number, oldestOtherSeq: number): boolean {
    if (this.cluster?.needsTombstones(pid) === true) return true
    // Without files a tombstone is left for the cluster (which drops it itself) or for XDR conflict
    // resolution, which needs it until tomb-raider-eligible-age.
    if (!this.onDisk) return this.index.lastUpdateMs(tomb) > this.youngSinceMs()
    return this.index.voidTime(tomb) >= oldestOtherSeq || this.index.lastUpdateMs(tomb) > this.youngSinceMs()
  }

  /**
   * Drops every tombstone no older version of which can remain on disk; their bytes become dead
   * space, so blocks full of tombstones empty out too. Returns how many were dropped.
   */
  sweep(): number {
    if (this.index.size === 0) return 0
    const { oldest, oldestBlock, second } = this.onDisk ? this.blocks.oldestSeqsOnDisk() : { oldest: 0, oldestBlock: -1, second: 0 }
    let dropped = 0
    for (let pid = 0; pid < limits.partitions; pid++) {
      if (this.index.partitionSize(pid) === 0) continue
      for (const tomb of this.index.entriesOf(pid)) {
        if (!this.isNeeded(pid, tomb, this.index.block(tomb) === oldestBlock ? second : oldest)) {
          this.drop(pid, tomb)
          dropped++
        }
      }
    }
    return dropped
  }

  /** Tombstones per set id, counted when asked: durable deletes are rare. */
  countBySet(): Map<number, number> {
    const counts = new Map<number, number>()
    if (this.index.size === 0) return counts
    for (let pid = 0; pid < limits.partitions; pid++) {
      for (const tomb of this.index.entriesOf(pid)) {
        const setId = this.index.setId(tomb)
        counts.set(setId, (counts.get(setId) ?? 0) + 1)
      }
    }
    return counts
  }

  private drop(pid: number, tomb: number): void {
    const block = this.index.block(tomb)
    const size = this.index.sizeOf(tomb)
    this.index.remove(pid, tomb)
    this.blocks.release(block, size)
  }
}
