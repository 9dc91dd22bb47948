// One namespace on this node: the facade over its parts. Every record read, write and delete of the
// namespace goes through here, so counters stay exact.
//
// - record-store.ts: encoding, compression and placement of record bytes in the write blocks;
// - the primary index (storage/primary-index.ts): where each live record is, with its metadata;
// - tombstones.ts: deleted records, while an older version on disk or another copy could bring them back;
// - removeWhere(): the one partition walk of expiry (nsup.ts), eviction (eviction.ts) and truncation
//   (truncation.ts); the defrag copy loop is in storage/defrag.ts;
// - persistence.ts and restore.ts: what the files' headers keep, the index snapshot, the restart.
import { DIGEST_BYTES, citrusleafSeconds, partitionId, ResultCode, type Env } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import type { NamespaceConfig } from '../config/index.ts'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import { MAX_INDEX_ENTRIES, PrimaryIndex } from '../storage/primary-index.ts'
import { WriteBlocks } from '../storage/write-blocks.ts'
import { DataFiles } from '../storage/data-files.ts'
import { Flusher } from '../storage/flusher.ts'
import { codecNamed, loadCodecs } from '../storage/compression.ts'
import type { ChangeReplication } from './change-replication.ts'
import type { ChangeCause } from './change-cause.ts'
import { PersistedMeta } from './persistence.ts'
import { RecordStore, type NewVersion, type RecordLocation } from './record-store.ts'
import type { BinVersions } from '../record/bin-versions.ts'
import { SetRegistry, type SetState } from './sets.ts'
import { InFlightChanges } from './in-flight.ts'
import { restoreNamespace, type RestoreReport } from './restore.ts'
import { Tombstones } from './tombstones.ts'
import { Truncation } from './truncation.ts'

export type { NewVersion, RecordLocation } from './record-store.ts'

/**
 * Told of every change to a record after it happened (secondary indexes keep themselves current
 * this way). A location is undefined when there was no old version, or the record was removed.
 * The old location's bytes stay readable during the call.
 */
export interface RecordListener {
  recordChanged(pid: number, digest: Uint8Array, id: number, before: RecordLocation | undefined, after: RecordLocation | undefined, cause: ChangeCause): void
}

/** Chooses entries of a partition walk (removeWhere) by entry id. */
export type EntryPredicate = (id: number) => boolean

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
  /** Commands answered TIMEOUT (a proxy, a replica or the cluster's plans did not answer in time), by kind. */
  clientReadTimeout: number
  clientWriteTimeout: number
  clientDeleteTimeout: number
  clientUdfTimeout: number
  failGeneration: number
  failKeyBusy: number
  failRecordTooBig: number
  /** XDR writes and deletes refused because this cluster holds a newer version (conflict-resolve-writes). */
  failXdrLostConflict: number
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
  /** The primary index: storage, restore and defrag use it; commands read entries through the record view below. */
  readonly index: PrimaryIndex
  readonly tombstones: Tombstones
  readonly blocks: WriteBlocks
  readonly records: RecordStore
  readonly files: DataFiles | undefined
  readonly flusher: Flusher | undefined
  readonly meta: PersistedMeta | undefined
  readonly sets = new SetRegistry()
  readonly truncation: Truncation
  /** Defrag's record reads (from the block it empties) and writes (into the block it fills), per file (one entry without files). */
  readonly defragPerFile: { reads: number[]; writes: number[] }
  readonly counters: NamespaceCounters = {
    expiredObjects: 0, evictedObjects: 0, truncatedRecords: 0,
    clientReadSuccess: 0, clientReadNotFound: 0, clientReadError: 0,
    clientWriteSuccess: 0, clientWriteError: 0,
    clientDeleteSuccess: 0, clientDeleteNotFound: 0, clientDeleteError: 0,
    clientReadTimeout: 0, clientWriteTimeout: 0, clientDeleteTimeout: 0, clientUdfTimeout: 0,
    failGeneration: 0, failKeyBusy: 0, failRecordTooBig: 0, failXdrLostConflict: 0, stopWritesRejections: 0,
    defragReads: 0, defragWrites: 0, checksumFailures: 0, tombstonesDropped: 0,
    compressionInputBytes: 0, compressionOutputBytes: 0,
  }
  /** Records last updated before this time (ms) were truncated namespace-wide. */
  truncateLutMs = 0
  /** Records with a void time before this were evicted; a restart keeps them out. */
  evictVoidTime = 0
  /** Per XDR DC: the last-update time from which shipping resumes after a restart (xdr/shipped-points.ts). */
  readonly xdrShippedMs = new Map<string, number>()
  readonly listeners: RecordListener[] = []
  /** Changes applied but not yet settled, by record (commands on the record queue behind them). */
  readonly inFlight = new InFlightChanges()
  /** The cluster's replication of changes, when the node is in a cluster. */
  replication: ChangeReplication | undefined
  /**
   * Whether this node acts as master of a partition. Expiry and eviction run on masters only (in a
   * cluster their deletes reach the other copies by replication); a single node masters all.
   */
  mastersPartition: (pid: number) => boolean = () => true
  /**
   * XDR ships the partition's changes from this node: it masters the partition and holds every
   * record of it (not a master still gathering the copies of a merge).
   */
  shipsFrom: (pid: number) => boolean = () => true
  /** Duration of the last expiry sweep. */
  lastNsupCycleMs = 0
  /** The share of the namespace's records (at its start) the last expiry sweep removed, in percent. */
  lastNsupCycleDeletedPct = 0
  /** What the last open() found on disk. */
  restoreReport: RestoreReport | undefined
  /** The edges this namespace reaches the world through: clock, timers, randomness, files. */
  readonly env: Env

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
    if (this.files !== undefined) {
      if (log === undefined) throw new Error(`namespace ${config.name}: a namespace with files needs a logger`)
      const meta = new PersistedMeta(this, this.files)
      this.meta = meta
      this.flusher = new Flusher(this.blocks, this.files, {
        flushMaxMs: storage.flushMaxMs, commitToDevice: storage.commitToDevice, log, namespace: config.name, env, beforeBlockWrites: () => meta.writePending(),
      })
      this.blocks.sink = this.flusher
      this.sets.onCreate = () => meta.markPending()
    }
    this.records = new RecordStore(this.blocks, this.flusher, this.files !== undefined, this.counters)
    // Records in memory carry their own metadata; the index then holds only where they are.
    this.index = new PrimaryIndex(limits.partitions, dataInMemory ? this.blocks : undefined)
    this.tombstones = new Tombstones(new PrimaryIndex(limits.partitions, dataInMemory ? this.blocks : undefined), this.records, this.files !== undefined, () => this.nowMs() - this.config.tombRaiderEligibleAgeSeconds * 1000)
    this.truncation = new Truncation(this, env.scheduler)
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
    this.records.useCodec(codecNamed(this.config.storage.compression))
    if (this.files === undefined || this.flusher === undefined) return
    const { meta } = this.files.open()
    try {
      this.restoreReport = restoreNamespace(this, meta, log)
      // From here on the snapshot (if one was used) no longer matches the blocks.
      this.persistMeta()
      const evictBefore = this.evictVoidTime
      if (evictBefore > 0) {
        for (let pid = 0; pid < limits.partitions; pid++) {
          this.counters.evictedObjects += this.removeWhere(pid, (id) => { const voidTime = this.index.voidTime(id); return voidTime !== 0 && voidTime < evictBefore }, 'eviction')
        }
      }
    } catch (err) {
      this.files.close()
      throw err
    }
    this.flusher.start()
  }

  /** Writes everything to disk, saves the index for a fast restart, closes and unlocks the files. */
  /** Closes the files without writing what is in memory, as a killed process leaves them (for tests). */
  abandon(): void {
    this.flusher?.stop()
    this.files?.close()
  }

  async close(log: Logger): Promise<void> {
    // A snapshot holds no truncated record: a fast restart does not look for them.
    this.truncation.finishNow()
    if (this.files === undefined || this.flusher === undefined || this.meta === undefined) return
    this.flusher.stop()
    try {
      await this.flusher.flushAll()
      this.meta.saveIndexSnapshot(log)
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

  /** Records set names, truncate times, the eviction void time and the XDR shipped points in the files' headers (durable on return). */
  persistMeta(): void {
    this.meta?.write()
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

  /** Live entry id of a digest (in partition pid), or -1. Expired and truncated records are invisible at once. */
  find(digest: Uint8Array, pid = partitionId(digest)): number {
    const id = this.index.find(pid, digest)
    return id >= 0 && this.isLive(id) ? id : -1
  }

  /** Whether an entry's version has neither expired nor been truncated. */
  isLive(id: number): boolean {
    const voidTime = this.index.voidTime(id)
    // Aerospike expires a record once its void time is in the past, not during that second.
    if (voidTime !== 0 && voidTime < this.nowVoidTime()) return false
    return !this.truncation.sweeping || !this.isTruncated(id)
  }

  /** Whether an entry was last updated before a truncate cutoff of the namespace or its set. */
  isTruncated(id: number): boolean {
    return this.truncates(this.index.lastUpdateMs(id), this.setOf(id))
  }

  /** Whether a version last updated at lastUpdateMs in set is older than a truncate cutoff. */
  truncates(lastUpdateMs: number, set: SetState | undefined): boolean {
    return lastUpdateMs < this.truncateLutMs || (set !== undefined && lastUpdateMs < set.truncateLutMs)
  }

  /** The last-update time of a write made now in set: never before a truncate cutoff, so a write made after a truncate survives it even when the wall clock stepped back. */
  writeLutMs(set: SetState | undefined): number {
    return Math.max(this.nowMs(), this.truncateLutMs, set === undefined ? 0 : set.truncateLutMs)
  }

  /** Entry id whether expired or not (writes replace expired versions in place). */
  findAny(digest: Uint8Array, pid = partitionId(digest)): number {
    return this.index.find(pid, digest)
  }

  /** The record's bytes in the uncompressed layout (record/layout.ts). */
  location(id: number): RecordLocation {
    return this.records.read(this.index.block(id), this.index.offset(id))
  }

  setOf(id: number): SetState | undefined {
    return this.sets.byIdOf(this.index.setId(id))
  }

  // --- The record view: what commands, info, queries and UDFs read of an entry. ------------------

  generationOf(id: number): number {
    return this.index.generation(id)
  }

  /** Seconds since 2010 at which the record expires; 0 = never. */
  voidTimeOf(id: number): number {
    return this.index.voidTime(id)
  }

  lastUpdateMsOf(id: number): number {
    return this.index.lastUpdateMs(id)
  }

  /** 0 = no set. */
  setIdOf(id: number): number {
    return this.index.setId(id)
  }

  digestInto(id: number, target: Buffer, at = 0): void {
    this.index.digestInto(id, target, at)
  }

  /** Orders an entry's digest against a digest given as bytes (scans and queries resume by digest). */
  compareDigestTo(id: number, digest: Uint8Array, digestAt = 0): number {
    return this.index.compareDigestTo(id, digest, digestAt)
  }

  /** The live entries of a partition in digest order, after the resume digest if one is given. */
  liveEntriesInDigestOrder(pid: number, after: Uint8Array | undefined): number[] {
    const index = this.index
    if (index.partitionSize(pid) === 0) return []
    const now = this.nowVoidTime()
    const truncating = this.truncation.sweeping
    const ids: number[] = []
    for (const id of index.entriesOf(pid)) {
      const voidTime = index.voidTime(id)
      if ((voidTime !== 0 && voidTime < now) || (truncating && this.isTruncated(id))) continue
      if (after === undefined || index.compareDigestTo(id, after) > 0) ids.push(id)
    }
    return ids.sort((a, b) => index.compareDigests(a, b))
  }

  /** Entry ids of a partition, live or not: a copy, safe to walk while entries are removed. */
  entriesOf(pid: number): Int32Array {
    return this.index.entriesOf(pid)
  }

  /** Bytes of memory held by the primary index. */
  get indexMemoryBytes(): number {
    return this.index.memoryBytes
  }

  // ------------------------------------------------------------------------------------------------

  /** Bytes a version would occupy, for max-record-size and space checks before writing. */
  versionBytes(version: NewVersion): number {
    return this.records.encodedBytes(version)
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

  /** Whether the storage takes writes now: its last flush did not fail and its write queue is not over max-write-cache. */
  storageAcceptsWrites(): boolean {
    return this.flusher === undefined || (this.flusher.ioError === undefined && !this.writeQueueFull())
  }

  isStopWrites(): boolean {
    const storage = this.config.storage
    if (this.flusher?.ioError !== undefined) return true
    if (storage.stopWritesUsedPct > 0 && this.usedPct() >= storage.stopWritesUsedPct) return true
    return storage.stopWritesAvailPct > 0 && this.availPct() < storage.stopWritesAvailPct
  }

  /** Writes a new version of a record; existingId is the entry being replaced or -1. Returns the entry id. */
  store(digest: Uint8Array, existingId: number, version: NewVersion, cause: ChangeCause, pid = partitionId(digest)): number {
    this.checkDevice()
    if (existingId < 0 && this.index.isFull) throw new CommandError(ResultCode.SERVER_FULL, `the index holds its most records (${MAX_INDEX_ENTRIES})`)
    const placed = this.records.write(digest, version, this.config.storage.compressionLevel)
    let id = existingId
    let before: RecordLocation | undefined
    if (id >= 0) {
      if (this.listeners.length > 0) before = this.location(id)
      this.releaseVersion(this.index.block(id), this.index.sizeOf(id), this.setOf(id))
    } else {
      if (this.tombstones.size > 0) this.tombstones.dropFor(pid, digest)
      id = this.index.insert(pid, digest, 0, placed.block, placed.offset, placed.bytes)
    }
    this.index.setMeta(id, version.generation, version.voidTime, version.lastUpdateMs, version.setId)
    this.index.setLocation(id, placed.block, placed.offset, placed.bytes)
    const set = this.sets.byIdOf(version.setId)
    if (set) {
      set.objects++
      set.dataUsedBytes += placed.bytes
    }
    if (this.listeners.length > 0) {
      const after = this.location(id)
      for (const listener of this.listeners) listener.recordChanged(pid, digest, id, before, after, cause)
    }
    return id
  }

  /**
   * Deletes a record (`deletedAs`: a delete made elsewhere). A persistent namespace leaves a
   * tombstone so a restart cannot bring it back; in a cluster, one is left while another copy may.
   */
  remove(id: number, digest: Uint8Array, cause: ChangeCause, pid = partitionId(digest), deletedAs?: DeletedAs): void {
    const before = this.listeners.length > 0 ? this.location(id) : undefined
    if (this.keepsDeletes(pid)) {
      // Every older version of the record lies in a block no newer than its current one. A delete
      // made elsewhere is remembered with its own generation and time, for later conflicts.
      const generation = deletedAs?.generation ?? this.index.generation(id)
      this.tombstones.leave(pid, digest, generation, this.index.setId(id), this.blocks.seqOf(this.index.block(id)), deletedAs?.lastUpdateMs ?? this.writeLutMs(this.setOf(id)), deletedAs?.binVersions)
    }
    this.removeEntry(pid, id)
    for (const listener of this.listeners) listener.recordChanged(pid, digest, id, before, undefined, cause)
  }

  /**
   * Whether a delete leaves a tombstone: on disk an older version could come back at a restart; in
   * a cluster another copy could send one; under XDR conflict resolution a shipped write older than
   * the delete may still arrive (kept for tomb-raider-eligible-age without files).
   */
  private keepsDeletes(pid: number): boolean {
    return this.files !== undefined || this.config.conflictResolveWrites || this.tombstones.cluster?.leavesTombstone(pid) === true
  }

  /**
   * Remembers a delete made elsewhere of a record this node does not hold, when it must (a merge:
   * another copy may still send an older version). It replaces the record's tombstone, if any,
   * keeping what that one knew of the blocks that may hold an older version.
   */
  rememberDelete(pid: number, digest: Uint8Array, deleted: DeletedAs, setId: number): void {
    if (!this.keepsDeletes(pid)) return
    const olderSeq = this.tombstones.olderSeqOf(pid, digest)
    this.tombstones.dropFor(pid, digest)
    this.tombstones.leave(pid, digest, deleted.generation, setId, olderSeq, deleted.lastUpdateMs, deleted.binVersions)
  }

  /**
   * The one partition walk of background removal (expiry, eviction, truncation): removes the
   * entries of partition pid the predicate chooses and returns how many. Truncated records get no
   * tombstone: the truncate time persisted in the headers keeps them out after a restart.
   */
  removeWhere(pid: number, predicate: EntryPredicate, cause: ChangeCause): number {
    const digest = Buffer.allocUnsafe(DIGEST_BYTES)
    let removed = 0
    for (const id of this.index.entriesOf(pid)) {
      if (!predicate(id)) continue
      this.index.digestInto(id, digest)
      if (cause === 'truncate' || cause === 'dropped') {
        const before = this.listeners.length > 0 ? this.location(id) : undefined
        this.removeEntry(pid, id)
        for (const listener of this.listeners) listener.recordChanged(pid, digest, id, before, undefined, cause)
      } else {
        this.remove(id, digest, cause, pid)
      }
      removed++
    }
    return removed
  }

  /** Forgets this node's copy of a partition (records and tombstones) without deleting anything: other nodes own it now. */
  dropPartition(pid: number): void {
    this.removeWhere(pid, () => true, 'dropped')
    this.tombstones.dropPartition(pid)
  }

  /** Deletes the records last updated before cutoffMs (of one set, or all): hidden at once, removed by a background sweep. */
  truncate(setName: string | undefined, cutoffMs: number): void {
    if (setName !== undefined) {
      const set = this.sets.get(setName)
      if (set === undefined) return
      set.truncateLutMs = Math.max(set.truncateLutMs, cutoffMs)
    } else {
      this.truncateLutMs = Math.max(this.truncateLutMs, cutoffMs)
    }
    this.persistMeta()
    this.truncation.sweep()
  }

  /** The disk is behind: defrag waits rather than add to the write queue. */
  writeQueueFull(): boolean {
    const flusher = this.flusher
    return flusher !== undefined && flusher.writeQueueLength * this.blocks.blockSizeBytes > this.config.storage.maxWriteCacheBytes
  }

  /** Removes an entry, then frees its bytes (the index may read the record while removing it). */
  private removeEntry(pid: number, id: number): void {
    const block = this.index.block(id)
    const size = this.index.sizeOf(id)
    const set = this.setOf(id)
    this.index.remove(pid, id)
    this.releaseVersion(block, size, set)
  }

  /** Drops the accounting of a version (its bytes become dead space). */
  private releaseVersion(block: number, size: number, set: SetState | undefined): void {
    if (set) {
      set.objects--
      set.dataUsedBytes -= size
    }
    this.blocks.release(block, size)
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
}

/** A delete made elsewhere (or decided by bin convergence), as its tombstone remembers it. */
export interface DeletedAs {
  generation: number
  lastUpdateMs: number
  /** The bin versions of a record deleted by bin convergence (a bin cemetery). */
  binVersions?: BinVersions
}
