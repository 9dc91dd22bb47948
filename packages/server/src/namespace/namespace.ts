// One namespace on this node: its primary index, write blocks, sets and counters. Every record
// read, write and delete of the namespace goes through here, so counters stay exact.
import { partitionId } from '@aerolite/protocol'
import type { NamespaceConfig } from '../config/index.ts'
import { limits } from '../limits.ts'
import { type Clock, nowCitrusleaf } from '../clock.ts'
import { PrimaryIndex } from '../storage/primary-index.ts'
import { WriteBlocks } from '../storage/write-blocks.ts'
import { encodedRecordBytes, recordDigest, recordTotalBytes, writeRecord, type StoredKey } from '../record/layout.ts'
import type { Bin } from '../record/bins.ts'
import { SetRegistry, type SetState } from './sets.ts'

export interface RecordLocation {
  buf: Buffer
  at: number
}

export interface NewVersion {
  generation: number
  voidTime: number
  lastUpdateMs: number
  setId: number
  key: StoredKey | undefined
  bins: readonly Bin[]
}

/**
 * Told of every change to a record after it happened (secondary indexes keep themselves current
 * this way). A location is undefined when there was no old version, or the record was removed.
 * The old location's bytes stay readable during the call.
 */
export interface RecordListener {
  recordChanged(digest: Uint8Array, id: number, before: RecordLocation | undefined, after: RecordLocation | undefined): void
}

export interface NamespaceCounters {
  expiredObjects: number
  evictedObjects: number
  truncatedRecords: number
  clientReadSuccess: number
  clientReadNotFound: number
  clientReadError: number
  clientWriteSuccess: number
  clientWriteError: number
  clientDeleteSuccess: number
  clientDeleteNotFound: number
  clientDeleteError: number
  failGeneration: number
  failKeyBusy: number
  failRecordTooBig: number
  stopWritesRejections: number
  defragReads: number
  defragWrites: number
}

export class Namespace {
  readonly name: string
  config: NamespaceConfig
  readonly index: PrimaryIndex
  readonly blocks: WriteBlocks
  readonly sets = new SetRegistry()
  readonly counters: NamespaceCounters = {
    expiredObjects: 0, evictedObjects: 0, truncatedRecords: 0,
    clientReadSuccess: 0, clientReadNotFound: 0, clientReadError: 0,
    clientWriteSuccess: 0, clientWriteError: 0,
    clientDeleteSuccess: 0, clientDeleteNotFound: 0, clientDeleteError: 0,
    failGeneration: 0, failKeyBusy: 0, failRecordTooBig: 0, stopWritesRejections: 0,
    defragReads: 0, defragWrites: 0,
  }
  /** Records last updated at or before this time (ms) were truncated namespace-wide. */
  truncateLutMs = 0
  readonly listeners: RecordListener[] = []
  /** Duration of the last expiry sweep. */
  lastNsupCycleMs = 0
  private readonly clock: Clock

  constructor(config: NamespaceConfig, clock: Clock) {
    this.name = config.name
    this.config = config
    this.clock = clock
    this.index = new PrimaryIndex(limits.partitions)
    this.blocks = new WriteBlocks(config.storage.writeBlockSizeBytes)
  }

  get objects(): number {
    return this.index.size
  }

  nowMs(): number {
    return this.clock.nowMs()
  }

  nowVoidTime(): number {
    return nowCitrusleaf(this.clock)
  }

  /** Live (unexpired) entry id of a digest, or -1. Expired records are invisible at once. */
  find(digest: Uint8Array): number {
    const pid = partitionId(digest)
    const id = this.index.find(pid, digest)
    if (id < 0) return -1
    const voidTime = this.index.voidTime(id)
    // Aerospike expires a record once its void time is in the past, not during that second.
    if (voidTime !== 0 && voidTime < this.nowVoidTime()) return -1
    return id
  }

  /** Entry id whether expired or not (writes replace expired versions in place). */
  findAny(digest: Uint8Array): number {
    return this.index.find(partitionId(digest), digest)
  }

  location(id: number): RecordLocation {
    return { buf: this.blocks.buffer(this.index.block(id)), at: this.index.offset(id) }
  }

  setOf(id: number): SetState | undefined {
    return this.sets.byIdOf(this.index.setId(id))
  }

  /** Bytes a version would occupy, for max-record-size and space checks before writing. */
  versionBytes(version: NewVersion): number {
    return encodedRecordBytes(version.key, version.bins)
  }

  /** Percent of data-size used by live records. */
  usedPct(): number {
    return (this.blocks.liveBytes * 100) / this.config.storage.dataSizeBytes
  }

  isStopWrites(): boolean {
    const limitPct = this.config.storage.stopWritesUsedPct
    return limitPct > 0 && this.usedPct() >= limitPct
  }

  /** Writes a new version of a record; existingId is the entry being replaced or -1. Returns the entry id. */
  store(digest: Uint8Array, existingId: number, version: NewVersion): number {
    const pid = partitionId(digest)
    const size = encodedRecordBytes(version.key, version.bins)
    const loc = this.blocks.reserve(size)
    writeRecord(this.blocks.buffer(loc.block), loc.offset, size, { digest, ...version }, version.key, version.bins)
    let id = existingId
    let before: RecordLocation | undefined
    if (id >= 0) {
      before = this.location(id)
      this.forgetVersion(id)
    } else {
      id = this.index.insert(pid, digest)
    }
    this.index.setMeta(id, version.generation, version.voidTime, version.lastUpdateMs, version.setId)
    this.index.setLocation(id, loc.block, loc.offset)
    const set = this.sets.byIdOf(version.setId)
    if (set) {
      set.objects++
      set.dataUsedBytes += size
    }
    if (this.listeners.length > 0) {
      const after = { buf: this.blocks.buffer(loc.block), at: loc.offset }
      for (const listener of this.listeners) listener.recordChanged(digest, id, before, after)
    }
    return id
  }

  /** Removes a record from the index and frees its bytes. */
  remove(id: number, digest: Uint8Array): void {
    const before = this.listeners.length > 0 ? this.location(id) : undefined
    this.forgetVersion(id)
    this.index.remove(partitionId(digest), id)
    for (const listener of this.listeners) listener.recordChanged(digest, id, before, undefined)
  }

  /** Drops the accounting of an entry's current version (its bytes become dead space). */
  private forgetVersion(id: number): void {
    const block = this.index.block(id)
    const at = this.index.offset(id)
    const size = recordTotalBytes(this.blocks.buffer(block), at)
    const set = this.setOf(id)
    if (set) {
      set.objects--
      set.dataUsedBytes -= size
    }
    this.blocks.release(block, size)
  }

  /** Removes every expired record of one partition; returns how many. */
  expirePartition(pid: number): number {
    const now = this.nowVoidTime()
    let removed = 0
    for (const id of this.index.entriesOf(pid)) {
      const voidTime = this.index.voidTime(id)
      if (voidTime !== 0 && voidTime < now) {
        const { buf, at } = this.location(id)
        this.remove(id, recordDigest(buf, at))
        removed++
      }
    }
    this.counters.expiredObjects += removed
    return removed
  }

  /** Deletes records of one partition last updated before cutoffMs (of one set, or all). */
  truncatePartition(pid: number, setId: number | undefined, cutoffMs: number): number {
    let removed = 0
    for (const id of this.index.entriesOf(pid)) {
      if (setId !== undefined && this.index.setId(id) !== setId) continue
      if (this.index.lastUpdateMs(id) >= cutoffMs) continue
      const { buf, at } = this.location(id)
      this.remove(id, recordDigest(buf, at))
      removed++
    }
    this.counters.truncatedRecords += removed
    return removed
  }

  /** Copies the live records of a sparse block forward so the block is freed. Returns records moved. */
  defragBlock(block: number): number {
    if (!this.blocks.isAllocated(block)) return 0
    const buf = this.blocks.buffer(block)
    const end = this.blocks.fillOf(block)
    let moved = 0
    for (let at = 0; at < end; ) {
      const size = recordTotalBytes(buf, at)
      const digest = recordDigest(buf, at)
      this.counters.defragReads++
      const id = this.index.find(partitionId(digest), digest)
      if (id >= 0 && this.index.block(id) === block && this.index.offset(id) === at) {
        const loc = this.blocks.reserve(size)
        buf.copy(this.blocks.buffer(loc.block), loc.offset, at, at + size)
        this.index.setLocation(id, loc.block, loc.offset)
        this.counters.defragWrites++
        moved++
        // Releasing the last live record frees the block; stop reading it then.
        this.blocks.release(block, size)
        if (!this.blocks.isAllocated(block)) break
      }
      at += size
    }
    return moved
  }
}
