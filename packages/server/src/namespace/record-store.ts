// The bytes of records in write blocks: a version is encoded (record/layout.ts), compressed when the
// namespace asks for it, sealed with its checksum and placed in the current write block; reading
// it back gives the uncompressed layout wherever it lies (memory or disk).
import type { Bin } from '../record/bins.ts'
import type { BinVersions } from '../record/bin-versions.ts'
import {
  CHECKSUM_START, COMPRESSED_FLAGS, encodedRecordBytes, RECORD_HEADER_BYTES, recordFlags, recordTotalBytes, tombstoneBytes,
  writeRecord, writeTombstone, type StoredKey,
} from '../record/layout.ts'
import { checksum } from '../storage/checksum.ts'
import { decompressRecord, defaultCompressionLevel, type Codec } from '../storage/compression.ts'
import type { Flusher } from '../storage/flusher.ts'
import type { WriteBlocks } from '../storage/write-blocks.ts'

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
  /** Per-bin versions, kept under conflict-resolve-writes (record/bin-versions.ts). */
  binVersions?: BinVersions
  /** Its size uncompressed, when the caller measured it already (0 or absent: measured here). */
  encodedBytes?: number
}

/** Where a version was placed and how many bytes it takes there. */
export interface PlacedVersion {
  block: number
  offset: number
  bytes: number
}

/** What a tombstone records of the deleted version. */
export interface TombstoneMeta {
  digest: Uint8Array
  generation: number
  /** The newest block sequence number that may hold an older version of the record. */
  voidTime: number
  lastUpdateMs: number
  setId: number
  /** The bin versions of a record deleted by bin convergence. */
  binVersions?: BinVersions
}

/** Counts of compressed writes, kept by the namespace's counters. */
export interface CompressionCounters {
  compressionInputBytes: number
  compressionOutputBytes: number
}

export class RecordStore {
  readonly blocks: WriteBlocks
  private readonly flusher: Flusher | undefined
  /** Checksums are checked only when records are read back from files; without files none are set. */
  private readonly sealsRecords: boolean
  private readonly counters: CompressionCounters
  private codec: Codec | undefined
  private scratch = Buffer.alloc(0)

  constructor(blocks: WriteBlocks, flusher: Flusher | undefined, sealsRecords: boolean, counters: CompressionCounters) {
    this.blocks = blocks
    this.flusher = flusher
    this.sealsRecords = sealsRecords
    this.counters = counters
  }

  /** The codec new versions are compressed with (undefined: none). */
  useCodec(codec: Codec | undefined): void {
    this.codec = codec
  }

  /** Bytes a version takes uncompressed. */
  encodedBytes(version: NewVersion): number {
    return encodedRecordBytes(version.key, version.bins, version.binVersions)
  }

  /** Encodes (and compresses) a version into the current write block. level 0 = the codec's default. */
  write(digest: Uint8Array, version: NewVersion, compressionLevel: number): PlacedVersion {
    // The commit road measured the version and refused it past the namespace's one size bound (commands/commit.ts).
    const size = version.encodedBytes || encodedRecordBytes(version.key, version.bins, version.binVersions)
    const meta = { digest, generation: version.generation, voidTime: version.voidTime, lastUpdateMs: version.lastUpdateMs, setId: version.setId }
    const codec = this.codec
    if (codec === undefined) {
      const loc = this.blocks.reserve(size)
      const buf = this.blocks.buffer(loc.block)
      writeRecord(buf, loc.offset, size, meta, version.key, version.bins, version.binVersions)
      return this.sealed(buf, loc.block, loc.offset, size)
    }
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, this.scratch.length * 2, 4096))
    const scratch = this.scratch
    writeRecord(scratch, 0, size, meta, version.key, version.bins, version.binVersions)
    const level = compressionLevel || defaultCompressionLevel(codec.name)
    const compressed = codec.compress(scratch.subarray(RECORD_HEADER_BYTES, size), level)
    const packedBytes = RECORD_HEADER_BYTES + 4 + compressed.length
    this.counters.compressionInputBytes += size
    if (packedBytes >= size) {
      this.counters.compressionOutputBytes += size
      const loc = this.blocks.reserve(size)
      const buf = this.blocks.buffer(loc.block)
      scratch.copy(buf, loc.offset, 0, size)
      return this.sealed(buf, loc.block, loc.offset, size)
    }
    this.counters.compressionOutputBytes += packedBytes
    const loc = this.blocks.reserve(packedBytes)
    const buf = this.blocks.buffer(loc.block)
    scratch.copy(buf, loc.offset, 0, RECORD_HEADER_BYTES)
    buf.writeUInt32LE((((recordFlags(scratch, 0) | codec.flag) << 24) | packedBytes) >>> 0, loc.offset)
    buf.writeUInt32LE(size - RECORD_HEADER_BYTES, loc.offset + RECORD_HEADER_BYTES)
    compressed.copy(buf, loc.offset + RECORD_HEADER_BYTES + 4)
    return this.sealed(buf, loc.block, loc.offset, packedBytes)
  }

  /** Writes a tombstone into the current write block. */
  writeTombstone(meta: TombstoneMeta): PlacedVersion {
    const size = tombstoneBytes(meta.binVersions)
    const loc = this.blocks.reserve(size)
    const buf = this.blocks.buffer(loc.block)
    writeTombstone(buf, loc.offset, meta, meta.binVersions)
    return this.sealed(buf, loc.block, loc.offset, size)
  }

  /** Copies a stored record (as it is, compressed or not) into the current write block (defrag). */
  copy(from: Buffer, at: number, size: number): PlacedVersion {
    const loc = this.blocks.reserve(size)
    const target = this.blocks.buffer(loc.block)
    from.copy(target, loc.offset, at, at + size)
    return this.sealed(target, loc.block, loc.offset, size)
  }

  /** The record's bytes at a location, in the uncompressed layout (record/layout.ts). */
  read(block: number, offset: number): RecordLocation {
    const stored = this.blocks.recordAt(block, offset)
    const flags = recordFlags(stored.buf, stored.at)
    if ((flags & COMPRESSED_FLAGS) === 0) return stored
    return decompressRecord(stored.buf, stored.at, flags)
  }

  private sealed(buf: Buffer, block: number, offset: number, bytes: number): PlacedVersion {
    // The checksum is seeded with the block's sequence number, so a record read from a reused block is told apart.
    if (this.sealsRecords) buf.writeUInt32LE(checksum(buf, offset + CHECKSUM_START, offset + recordTotalBytes(buf, offset), this.blocks.seqOf(block)), offset + 4)
    this.flusher?.noteWrite()
    return { block, offset, bytes }
  }

}
