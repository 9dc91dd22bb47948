// One namespace on this node: its primary index, write blocks, sets and counters. Every record
// read, write and delete of the namespace goes through here, so counters stay exact.
//
// With data files (storage-engine device, or memory backed by files) the blocks also live on disk:
// open() rebuilds the index from them (namespace/restore.ts), deletes leave tombstones so a
// restart cannot bring a deleted record back, and close() writes an index snapshot for a fast
// restart. Set names, truncate times and the eviction void time go to the files' headers.
import { citrusleafSeconds, partitionId, ResultCode, type Env } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import type { NamespaceConfig } from '../config/index.ts'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import { MAX_INDEX_ENTRIES, PrimaryIndex } from '../storage/primary-index.ts'
import { WriteBlocks } from '../storage/write-blocks.ts'
import { DataFiles } from '../storage/data-files.ts'
import { Flusher } from '../storage/flusher.ts'
import { BLOCK_HEADER_BYTES } from '../storage/block-format.ts'
import { checksum } from '../storage/checksum.ts'
import { codecNamed, codecOfFlags, defaultCompressionLevel, loadCodecs, type Codec } from '../storage/compression.ts'
import { newSnapshotId, snapshotPathOf, writeIndexSnapshot } from '../storage/index-snapshot.ts'
import {
  CHECKSUM_START, COMPRESSED_FLAGS, encodedRecordBytes, RECORD_DIGEST_AT, RECORD_HEADER_BYTES, RecordFlag, recordFlags, recordTotalBytes,
  TOMBSTONE_BYTES, writeRecord, writeTombstone, type StoredKey,
} from '../record/layout.ts'
import type { Bin } from '../record/bins.ts'
import { SetRegistry, type SetState } from './sets.ts'
import { restoreNamespace, type RestoreReport } from './restore.ts'

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
  /** Records found damaged on disk at a cold start (skipped). */
  checksumFailures: number
  /** Tombstones defrag found no older version for and dropped. */
  tombstonesDropped: number
  /** Uncompressed and stored bytes of the records written with compression on. */
  compressionInputBytes: number
  compressionOutputBytes: number
}

export class Namespace {
  readonly name: string
  config: NamespaceConfig
  readonly index: PrimaryIndex
  /**
   * Deleted records of a persistent namespace, until no older version of them remains on disk.
   * Their void-time column holds the newest block sequence number that may hold an older version.
   */
  readonly tombstones: PrimaryIndex
  readonly blocks: WriteBlocks
  readonly files: DataFiles | undefined
  readonly flusher: Flusher | undefined
  readonly sets = new SetRegistry()
  /** Defrag's record reads (from the block it empties) and writes (into the block it fills), per file (one entry without files). */
  readonly defragPerFile: { reads: number[]; writes: number[] }
  readonly counters: NamespaceCounters = {
    expiredObjects: 0, evictedObjects: 0, truncatedRecords: 0,
    clientReadSuccess: 0, clientReadNotFound: 0, clientReadError: 0,
    clientWriteSuccess: 0, clientWriteError: 0,
    clientDeleteSuccess: 0, clientDeleteNotFound: 0, clientDeleteError: 0,
    failGeneration: 0, failKeyBusy: 0, failRecordTooBig: 0, stopWritesRejections: 0,
    defragReads: 0, defragWrites: 0, checksumFailures: 0, tombstonesDropped: 0,
    compressionInputBytes: 0, compressionOutputBytes: 0,
  }
  /** Records last updated at or before this time (ms) were truncated namespace-wide. */
  truncateLutMs = 0
  /** Records with a void time before this were evicted; a restart keeps them out. */
  evictVoidTime = 0
  readonly listeners: RecordListener[] = []
  /** Duration of the last expiry sweep. */
  lastNsupCycleMs = 0
  /** What the last open() found on disk. */
  restoreReport: RestoreReport | undefined
  /** The edges this namespace reaches the world through: clock, files. */
  readonly env: Env
  private codec: Codec | undefined
  private scratch = Buffer.alloc(0)

  constructor(config: NamespaceConfig, env: Env, log?: Logger) {
    this.name = config.name
    this.config = config
    this.env = env
    const storage = config.storage
    const dataInMemory = storage.engine === 'memory'
    let capacityBlocks = Math.max(1, Math.ceil(storage.dataSizeBytes / storage.writeBlockSizeBytes))
    if (storage.files.length > 0) {
      this.files = new DataFiles({ namespace: config.name, paths: storage.files, fileSizeBytes: storage.fileSizeBytes, blockSizeBytes: storage.writeBlockSizeBytes, disk: env.disk })
      capacityBlocks = Math.min(capacityBlocks, this.files.capacityBlocks)
    }
    this.blocks = new WriteBlocks(storage.writeBlockSizeBytes, { capacityBlocks, files: this.files, dataInMemory })
    const units = Math.max(1, storage.files.length)
    this.defragPerFile = { reads: new Array<number>(units).fill(0), writes: new Array<number>(units).fill(0) }
    // Records in memory carry their own metadata; the index then holds only where they are.
    this.index = new PrimaryIndex(limits.partitions, dataInMemory ? this.blocks : undefined)
    this.tombstones = new PrimaryIndex(limits.partitions, dataInMemory ? this.blocks : undefined)
    if (this.files !== undefined) {
      if (log === undefined) throw new Error(`namespace ${config.name}: a namespace with files needs a logger`)
      this.flusher = new Flusher(this.blocks, this.files, { flushMaxMs: storage.flushMaxMs, commitToDevice: storage.commitToDevice, log, namespace: config.name, env })
      this.blocks.sink = this.flusher
      this.sets.onCreate = (names) => {
        // A set id must be on disk before any record that uses it.
        try {
          this.persistMeta(names)
        } catch (err) {
          throw new CommandError(ResultCode.SERVER_ERROR, err instanceof Error ? err.message : String(err))
        }
      }
    }
  }

  get objects(): number {
    return this.index.size
  }

  get isPersistent(): boolean {
    return this.files !== undefined
  }

  /** Loads codecs, opens and locks the files, and rebuilds the index from them. */
  async open(log: Logger): Promise<void> {
    if (this.config.storage.compression !== 'none' || this.files !== undefined) await loadCodecs()
    this.codec = codecNamed(this.config.storage.compression)
    if (this.files === undefined || this.flusher === undefined) return
    const { meta } = this.files.open()
    try {
      this.restoreReport = restoreNamespace(this, meta, log)
      // From here on the snapshot (if one was used) no longer matches the blocks.
      this.persistMeta()
      if (this.evictVoidTime > 0) for (let pid = 0; pid < limits.partitions; pid++) this.evictPartition(pid, this.evictVoidTime)
    } catch (err) {
      this.files.close()
      throw err
    }
    this.flusher.start()
  }

  /** Writes everything to disk, saves the index for a fast restart, closes and unlocks the files. */
  async close(log: Logger): Promise<void> {
    if (this.files === undefined || this.flusher === undefined) return
    this.flusher.stop()
    try {
      await this.flusher.flushAll()
      const id = newSnapshotId(this.env.random)
      const startedMs = this.env.clock.monotonicMs()
      writeIndexSnapshot(this.env.disk, snapshotPathOf(this.files.paths[0]!), id, this.snapshotState(), this.index, this.tombstones)
      this.persistMeta(this.sets.names(), id)
      log.info({ ns: this.name, objects: this.objects, ms: Math.round(this.env.clock.monotonicMs() - startedMs) }, 'index snapshot written for a fast restart')
    } catch (err) {
      log.error({ ns: this.name, err: err instanceof Error ? err.message : String(err) }, 'clean shutdown failed; the next start scans the blocks')
    } finally {
      this.files.close()
    }
  }

  /** Resolves once this namespace's writes so far are durable, when commit-to-device asks for it. */
  whenDurable(): Promise<void> | undefined {
    return this.config.storage.commitToDevice ? this.flusher?.whenDurable() : undefined
  }

  /** Records set names, truncate times and the eviction void time in the files' headers. */
  persistMeta(setNames: readonly string[] = this.sets.names(), cleanSnapshotId: string | null = null): void {
    if (this.files === undefined) return
    const setTruncateLutMs: Record<string, number> = {}
    for (const set of this.sets.all()) if (set.truncateLutMs > 0) setTruncateLutMs[set.name] = set.truncateLutMs
    this.files.writeMeta({ sets: [...setNames], truncateLutMs: this.truncateLutMs, setTruncateLutMs, evictVoidTime: this.evictVoidTime, cleanSnapshotId })
  }

  nowMs(): number {
    return this.env.clock.nowMs()
  }

  nowVoidTime(): number {
    return citrusleafSeconds(this.env.clock.nowMs())
  }

  /** The file a block is in (0 without files). */
  fileOf(block: number): number {
    return this.files?.fileOf(block) ?? 0
  }

  /** Live (unexpired) entry id of a digest, or -1. Expired records are invisible at once. */
  find(digest: Uint8Array): number {
    const id = this.index.find(partitionId(digest), digest)
    return id >= 0 && this.isLive(id) ? id : -1
  }

  /** Whether an entry's version has not expired. */
  isLive(id: number): boolean {
    const voidTime = this.index.voidTime(id)
    // Aerospike expires a record once its void time is in the past, not during that second.
    return voidTime === 0 || voidTime >= this.nowVoidTime()
  }

  /** Entry id whether expired or not (writes replace expired versions in place). */
  findAny(digest: Uint8Array): number {
    return this.index.find(partitionId(digest), digest)
  }

  /** The record's bytes in the uncompressed layout (record/layout.ts). */
  location(id: number): RecordLocation {
    const stored = this.blocks.recordAt(this.index.block(id), this.index.offset(id))
    const flags = recordFlags(stored.buf, stored.at)
    if ((flags & COMPRESSED_FLAGS) === 0) return stored
    return this.decompress(stored, flags)
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

  /** Percent of the write-block space free for new writes (free blocks and the rest of the current one). */
  availPct(): number {
    const blocks = this.blocks
    const blockBytes = blocks.blockSizeBytes
    const current = blocks.currentBlock
    const restOfCurrent = current >= 0 ? blockBytes - blocks.fillOf(current) : 0
    return ((blocks.freeBlockCount * blockBytes + restOfCurrent) * 100) / (blocks.capacityBlocks * blockBytes)
  }

  isStopWrites(): boolean {
    const storage = this.config.storage
    if (this.flusher?.ioError !== undefined) return true
    if (storage.stopWritesUsedPct > 0 && this.usedPct() >= storage.stopWritesUsedPct) return true
    return storage.stopWritesAvailPct > 0 && this.availPct() < storage.stopWritesAvailPct
  }

  /** Writes a new version of a record; existingId is the entry being replaced or -1. Returns the entry id. */
  store(digest: Uint8Array, existingId: number, version: NewVersion): number {
    this.checkDevice()
    if (existingId < 0 && this.index.isFull) throw new CommandError(ResultCode.SERVER_FULL, `the index holds its most records (${MAX_INDEX_ENTRIES})`)
    const pid = partitionId(digest)
    const loc = this.writeVersion(digest, version)
    let id = existingId
    let before: RecordLocation | undefined
    if (id >= 0) {
      if (this.listeners.length > 0) before = this.location(id)
      this.forgetVersion(id)
    } else {
      const tomb = this.tombstones.find(pid, digest)
      if (tomb >= 0) this.dropTombstone(pid, tomb)
      id = this.index.insert(pid, digest, 0, loc.block, loc.offset, loc.bytes)
    }
    this.index.setMeta(id, version.generation, version.voidTime, version.lastUpdateMs, version.setId)
    this.index.setLocation(id, loc.block, loc.offset, loc.bytes)
    const set = this.sets.byIdOf(version.setId)
    if (set) {
      set.objects++
      set.dataUsedBytes += loc.bytes
    }
    if (this.listeners.length > 0) {
      const after = this.location(id)
      for (const listener of this.listeners) listener.recordChanged(digest, id, before, after)
    }
    return id
  }

  /** Deletes a record; a persistent namespace leaves a tombstone so a restart cannot bring it back. */
  remove(id: number, digest: Uint8Array): void {
    const pid = partitionId(digest)
    const before = this.listeners.length > 0 ? this.location(id) : undefined
    if (this.files !== undefined) this.writeTombstoneFor(pid, id, digest)
    this.removeEntry(pid, id)
    for (const listener of this.listeners) listener.recordChanged(digest, id, before, undefined)
  }

  /** Removes a record without a tombstone (truncation: the persisted truncate time keeps it out). */
  private drop(id: number, digest: Uint8Array): void {
    const before = this.listeners.length > 0 ? this.location(id) : undefined
    this.removeEntry(partitionId(digest), id)
    for (const listener of this.listeners) listener.recordChanged(digest, id, before, undefined)
  }

  /** Stored bytes of an entry's current version. */
  storedBytes(index: PrimaryIndex, id: number): number {
    return index.sizeOf(id)
  }

  /** Drops the accounting of an entry's current version (its bytes become dead space). */
  private forgetVersion(id: number): void {
    this.releaseVersion(this.index.block(id), this.index.sizeOf(id), this.setOf(id))
  }

  private releaseVersion(block: number, size: number, set: SetState | undefined): void {
    if (set) {
      set.objects--
      set.dataUsedBytes -= size
    }
    this.blocks.release(block, size)
  }

  /** Removes an entry, then frees its bytes (the index may read the record while removing it). */
  private removeEntry(pid: number, id: number): void {
    const block = this.index.block(id)
    const size = this.index.sizeOf(id)
    const set = this.setOf(id)
    this.index.remove(pid, id)
    this.releaseVersion(block, size, set)
  }

  private dropTombstone(pid: number, tomb: number): void {
    const block = this.tombstones.block(tomb)
    const size = this.tombstones.sizeOf(tomb)
    this.tombstones.remove(pid, tomb)
    this.blocks.release(block, size)
  }

  private writeTombstoneFor(pid: number, id: number, digest: Uint8Array): void {
    // Every older version of the record lies in a block no newer than its current one.
    const olderSeq = this.blocks.seqOf(this.index.block(id))
    const loc = this.blocks.reserve(TOMBSTONE_BYTES)
    const buf = this.blocks.buffer(loc.block)
    const meta = { digest, generation: this.index.generation(id), voidTime: olderSeq, lastUpdateMs: this.nowMs(), setId: this.index.setId(id) }
    writeTombstone(buf, loc.offset, meta)
    this.seal(buf, loc.offset, loc.block)
    const tomb = this.tombstones.insert(pid, digest, 0, loc.block, loc.offset, TOMBSTONE_BYTES)
    this.tombstones.setMeta(tomb, meta.generation, Math.min(olderSeq, 0xffffffff), meta.lastUpdateMs, meta.setId)
    this.flusher?.noteWrite()
  }

  /** The disk is behind: defrag waits rather than add to the write queue. */
  writeQueueFull(): boolean {
    const flusher = this.flusher
    return flusher !== undefined && flusher.writeQueueLength * this.blocks.blockSizeBytes > this.config.storage.maxWriteCacheBytes
  }

  /** Refuses a write the storage cannot take now, before anything changes. */
  private checkDevice(): void {
    const flusher = this.flusher
    if (flusher === undefined) return
    if (flusher.ioError !== undefined) throw new CommandError(ResultCode.SERVER_FULL, `storage write failed: ${flusher.ioError.message}`)
    if (this.writeQueueFull()) {
      throw new CommandError(ResultCode.DEVICE_OVERLOAD, 'write queue is over max-write-cache')
    }
  }

  /** Encodes (and compresses) a version into the current write block. */
  private writeVersion(digest: Uint8Array, version: NewVersion): { block: number; offset: number; bytes: number } {
    const size = encodedRecordBytes(version.key, version.bins)
    // A block holds its header too: a record as large as the block itself cannot be stored.
    if (size > this.blocks.blockSizeBytes - BLOCK_HEADER_BYTES) throw new CommandError(ResultCode.RECORD_TOO_BIG, `record of ${size} bytes does not fit a write block`)
    const meta = { digest, ...version }
    const codec = this.codec
    if (codec === undefined) {
      const loc = this.blocks.reserve(size)
      const buf = this.blocks.buffer(loc.block)
      writeRecord(buf, loc.offset, size, meta, version.key, version.bins)
      return this.sealed(buf, loc, size)
    }
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, this.scratch.length * 2, 4096))
    const scratch = this.scratch
    writeRecord(scratch, 0, size, meta, version.key, version.bins)
    const level = this.config.storage.compressionLevel || defaultCompressionLevel(codec.name)
    const compressed = codec.compress(scratch.subarray(RECORD_HEADER_BYTES, size), level)
    const packedBytes = RECORD_HEADER_BYTES + 4 + compressed.length
    this.counters.compressionInputBytes += size
    if (packedBytes >= size) {
      this.counters.compressionOutputBytes += size
      const loc = this.blocks.reserve(size)
      const buf = this.blocks.buffer(loc.block)
      scratch.copy(buf, loc.offset, 0, size)
      return this.sealed(buf, loc, size)
    }
    this.counters.compressionOutputBytes += packedBytes
    const loc = this.blocks.reserve(packedBytes)
    const buf = this.blocks.buffer(loc.block)
    scratch.copy(buf, loc.offset, 0, RECORD_HEADER_BYTES)
    buf.writeUInt32LE((((recordFlags(scratch, 0) | codec.flag) << 24) | packedBytes) >>> 0, loc.offset)
    buf.writeUInt32LE(size - RECORD_HEADER_BYTES, loc.offset + RECORD_HEADER_BYTES)
    compressed.copy(buf, loc.offset + RECORD_HEADER_BYTES + 4)
    return this.sealed(buf, loc, packedBytes)
  }

  private sealed(buf: Buffer, loc: { block: number; offset: number }, bytes: number): { block: number; offset: number; bytes: number } {
    this.seal(buf, loc.offset, loc.block)
    this.flusher?.noteWrite()
    return { block: loc.block, offset: loc.offset, bytes }
  }

  /**
   * Sets the checksum of the record at `at`, seeded with its block's sequence number. Checksums
   * are checked only when records are read back from files, so records that never reach one go
   * without.
   */
  private seal(buf: Buffer, at: number, block: number): void {
    if (this.files === undefined) return
    buf.writeUInt32LE(checksum(buf, at + CHECKSUM_START, at + recordTotalBytes(buf, at), this.blocks.seqOf(block)), at + 4)
  }

  private decompress(stored: RecordLocation, flags: number): RecordLocation {
    const { buf, at } = stored
    const codec = codecOfFlags(flags)!
    const bodyBytes = buf.readUInt32LE(at + RECORD_HEADER_BYTES)
    const body = codec.decompress(buf.subarray(at + RECORD_HEADER_BYTES + 4, at + recordTotalBytes(buf, at)))
    if (body.length !== bodyBytes) throw new Error(`namespace ${this.name}: a compressed record decompressed to ${body.length} bytes, not ${bodyBytes}`)
    const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + bodyBytes)
    buf.copy(out, 0, at, at + RECORD_HEADER_BYTES)
    out.writeUInt32LE((((flags & ~COMPRESSED_FLAGS) << 24) | out.length) >>> 0, 0)
    body.copy(out, RECORD_HEADER_BYTES)
    return { buf: out, at: 0 }
  }

  /** Removes every expired record of one partition; returns how many. */
  expirePartition(pid: number): number {
    const now = this.nowVoidTime()
    let removed = 0
    for (const id of this.index.entriesOf(pid)) {
      const voidTime = this.index.voidTime(id)
      if (voidTime !== 0 && voidTime < now) {
        this.remove(id, this.digestOf(id))
        removed++
      }
    }
    this.counters.expiredObjects += removed
    return removed
  }

  /** Removes the records of one partition whose void time is before voidTime (eviction); returns how many. */
  evictPartition(pid: number, voidTime: number): number {
    let removed = 0
    for (const id of this.index.entriesOf(pid)) {
      const recordVoidTime = this.index.voidTime(id)
      if (recordVoidTime !== 0 && recordVoidTime < voidTime) {
        this.remove(id, this.digestOf(id))
        removed++
      }
    }
    this.counters.evictedObjects += removed
    return removed
  }

  /** Deletes the records last updated before cutoffMs (of one set, or all) and remembers the cutoff. */
  truncate(setName: string | undefined, cutoffMs: number): number {
    let setId: number | undefined
    if (setName !== undefined) {
      const set = this.sets.get(setName)
      if (set === undefined) return 0
      set.truncateLutMs = Math.max(set.truncateLutMs, cutoffMs)
      setId = set.id
    } else {
      this.truncateLutMs = Math.max(this.truncateLutMs, cutoffMs)
    }
    this.persistMeta()
    let removed = 0
    for (let pid = 0; pid < limits.partitions; pid++) removed += this.truncatePartition(pid, setId, cutoffMs)
    return removed
  }

  /** Deletes records of one partition last updated before cutoffMs (of one set, or all). */
  truncatePartition(pid: number, setId: number | undefined, cutoffMs: number): number {
    let removed = 0
    for (const id of this.index.entriesOf(pid)) {
      if (setId !== undefined && this.index.setId(id) !== setId) continue
      if (this.index.lastUpdateMs(id) >= cutoffMs) continue
      this.drop(id, this.digestOf(id))
      removed++
    }
    this.counters.truncatedRecords += removed
    return removed
  }

  private digestOf(id: number): Buffer {
    const digest = Buffer.allocUnsafe(20)
    this.index.digestInto(id, digest)
    return digest
  }

  /**
   * Copies the live records of a sparse block forward so the block is freed; buf is the block's
   * bytes, read when its sequence number was seq (a block freed and reused meanwhile is skipped).
   * Reads the block from offset `from` until it has copied `budgetBytes`, and returns the offset
   * to go on from, or -1 once the block is done.
   */
  defragBlock(block: number, buf: Buffer, seq: number, from = BLOCK_HEADER_BYTES, budgetBytes = Infinity): number {
    if (!this.blocks.isAllocated(block) || this.blocks.seqOf(block) !== seq) return -1
    const end = Math.min(this.blocks.fillOf(block), buf.length)
    // A tombstone is needed while a block that may hold an older version of its record is on disk.
    let oldestOtherSeq = -1
    let copied = 0
    for (let at = from; at + RECORD_HEADER_BYTES <= end; ) {
      if (copied >= budgetBytes) return at
      const size = recordTotalBytes(buf, at)
      if (size < RECORD_HEADER_BYTES) break
      const digestAt = at + RECORD_DIGEST_AT
      const pid = partitionId(buf, digestAt)
      this.counters.defragReads++
      this.defragPerFile.reads[this.fileOf(block)]!++
      const tombstone = (recordFlags(buf, at) & RecordFlag.TOMBSTONE) !== 0
      const index = tombstone ? this.tombstones : this.index
      const id = index.findLocated(pid, buf, digestAt, block, at)
      if (id >= 0) {
        if (tombstone && oldestOtherSeq < 0) {
          const seqs = this.blocks.oldestSeqsOnDisk()
          oldestOtherSeq = block === seqs.oldestBlock ? seqs.second : seqs.oldest
        }
        if (tombstone && this.tombstones.voidTime(id) < oldestOtherSeq) {
          this.tombstones.remove(pid, id)
          this.counters.tombstonesDropped++
        } else {
          const loc = this.blocks.reserve(size)
          const target = this.blocks.buffer(loc.block)
          buf.copy(target, loc.offset, at, at + size)
          this.seal(target, loc.offset, loc.block)
          this.flusher?.noteWrite()
          index.setLocation(id, loc.block, loc.offset, size)
          this.counters.defragWrites++
          this.defragPerFile.writes[this.fileOf(loc.block)]!++
          copied += size
        }
        // Releasing the last live record frees the block; stop reading it then.
        this.blocks.release(block, size)
        if (!this.blocks.isAllocated(block)) return -1
      }
      at += size
    }
    return -1
  }

  /**
   * Drops every tombstone no older version of which can remain on disk; their bytes become dead
   * space, so blocks full of tombstones empty out too. Returns how many were dropped.
   */
  sweepTombstones(): number {
    if (this.tombstones.size === 0) return 0
    const { oldest, oldestBlock, second } = this.blocks.oldestSeqsOnDisk()
    let dropped = 0
    for (let pid = 0; pid < limits.partitions; pid++) {
      for (const tomb of this.tombstones.entriesOf(pid)) {
        const block = this.tombstones.block(tomb)
        if (this.tombstones.voidTime(tomb) < (block === oldestBlock ? second : oldest)) {
          this.dropTombstone(pid, tomb)
          dropped++
        }
      }
    }
    this.counters.tombstonesDropped += dropped
    return dropped
  }

  /** Per-block and per-set state an index snapshot needs besides the index itself. */
  private snapshotState(): Parameters<typeof writeIndexSnapshot>[3] {
    const blocks = []
    for (let b = 0; b < this.blocks.highestBlock; b++) {
      if (!this.blocks.isAllocated(b)) continue
      blocks.push({ block: b, seq: this.blocks.seqOf(b), fill: this.blocks.fillOf(b), liveBytes: this.blocks.liveOf(b) })
    }
    const sets = this.sets.all().map((set) => ({ id: set.id, objects: set.objects, dataUsedBytes: set.dataUsedBytes }))
    return { blocks, sets }
  }
}
