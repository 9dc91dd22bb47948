// The byte layout of one stored record, the same in memory and on disk. Bins are kept exactly as
// the wire's READ ops (u32 size, u8 op, u8 particle type, u8 flags, u8 name length, name, value),
// so a read of all bins copies one contiguous region into the reply.
//
//  0 u32 total bytes (bits 0-23) and flags (bits 24-31)
//  4 u32 checksum: CRC-32 of bytes 8..total, seeded with the write block's sequence number, so a
//        record left over from a block's earlier life never passes for one of its current life
//  8 digest (20 bytes)   28 u16 generation   30 u32 void time   34 u48 last-update ms
// 40 u16 set id          42 u16 bin count    44 [key: u8 particle type, u16 length, bytes] then bins
//
// With flag BIN_VERSIONS, the per-bin versions of conflict-resolve-writes (record/bin-versions.ts)
// lie between the key and the bins.
// A tombstone (a durable delete) is a header with no bins whose void-time field holds the sequence
// number of the newest block that may still hold an older version of the record.
// A compressed record keeps the header as is and replaces key and bins by a u32 length of the
// uncompressed body followed by the compressed body.
import { DIGEST_BYTES, OpType } from '@aerolite/protocol'
import type { Bin } from './bins.ts'
import { binNames } from '../name-cache.ts'
import { binVersionsBytes, binVersionsFit, completeVersions, readBinVersions, storedBinVersionsBytes, writeBinVersions, type BinVersions, type WrittenRecord } from './bin-versions.ts'

export const RECORD_HEADER_BYTES = 44
/** Where the header fields start, for readers that skip the helpers below (the primary index). */
export const RECORD_DIGEST_AT = 8
export const RECORD_GENERATION_AT = 28
export const RECORD_VOID_TIME_AT = 30
export const RECORD_LAST_UPDATE_AT = 34
export const RECORD_SET_ID_AT = 40
export const TOMBSTONE_BYTES = RECORD_HEADER_BYTES
export const RecordFlag = { HAS_KEY: 0x01, TOMBSTONE: 0x02, LZ4: 0x04, ZSTD: 0x08, BIN_VERSIONS: 0x10 } as const
export const COMPRESSED_FLAGS = RecordFlag.LZ4 | RecordFlag.ZSTD
/** The checksum covers everything after itself. */
export const CHECKSUM_START = 8

export interface RecordMeta {
  digest: Uint8Array
  generation: number
  voidTime: number
  lastUpdateMs: number
  setId: number
}

export interface StoredKey {
  particleType: number
  bytes: Buffer
}

export function binWireBytes(bin: Bin): number {
  return 8 + (binNames.bytesOf(bin.name)?.length ?? Buffer.byteLength(bin.name)) + bin.value.length
}

export function encodedRecordBytes(key: StoredKey | undefined, bins: readonly Bin[], versions?: BinVersions): number {
  let size = RECORD_HEADER_BYTES + (key ? 3 + key.bytes.length : 0) + (versions ? binVersionsBytes(versions) : 0)
  for (const bin of bins) size += binWireBytes(bin)
  return size
}

export function writeRecordHeader(target: Buffer, at: number, totalBytes: number, flags: number, meta: RecordMeta, binCount: number): void {
  target.writeUInt32LE(((flags << 24) | totalBytes) >>> 0, at)
  target.writeUInt32LE(0, at + 4)
  // Byte by byte: a subarray view per record written costs more than the 20 copies.
  const digest = meta.digest
  for (let i = 0; i < DIGEST_BYTES; i++) target[at + 8 + i] = digest[i]!
  target.writeUInt16LE(meta.generation, at + 28)
  target.writeUInt32LE(meta.voidTime, at + 30)
  target.writeUIntLE(meta.lastUpdateMs, at + 34, 6)
  target.writeUInt16LE(meta.setId, at + 40)
  target.writeUInt16LE(binCount, at + 42)
}

export function writeRecord(target: Buffer, at: number, totalBytes: number, meta: RecordMeta, key: StoredKey | undefined, bins: readonly Bin[], versions?: BinVersions): void {
  const flags = (key ? RecordFlag.HAS_KEY : 0) | (versions ? RecordFlag.BIN_VERSIONS : 0)
  writeRecordHeader(target, at, totalBytes, flags, meta, bins.length)
  let pos = at + RECORD_HEADER_BYTES
  if (key) {
    target[pos] = key.particleType
    target.writeUInt16LE(key.bytes.length, pos + 1)
    key.bytes.copy(target, pos + 3)
    pos += 3 + key.bytes.length
  }
  if (versions) pos = writeBinVersions(target, pos, versions)
  for (const bin of bins) {
    // A name the request just carried is copied from the cache: encoding a string is a call into C++.
    const cached = binNames.bytesOf(bin.name)
    if (cached !== undefined) for (let i = 0; i < cached.length; i++) target[pos + 8 + i] = cached[i]!
    const nameBytes = cached !== undefined ? cached.length : target.write(bin.name, pos + 8, 'utf8')
    target.writeUInt32BE(4 + nameBytes + bin.value.length, pos)
    target[pos + 4] = OpType.READ
    target[pos + 5] = bin.particleType
    target[pos + 6] = 0
    target[pos + 7] = nameBytes
    bin.value.copy(target, pos + 8 + nameBytes)
    pos += 8 + nameBytes + bin.value.length
  }
}

/**
 * A tombstone; meta.voidTime bounds the blocks that may still hold a version it hides (a sequence
 * number past 32 bits is stored as the largest one, which keeps the tombstone). A record deleted by
 * bin convergence keeps its bin versions (a "bin cemetery": xdr/bin-convergence.ts).
 */
export function writeTombstone(target: Buffer, at: number, meta: RecordMeta, versions?: BinVersions): void {
  const flags = RecordFlag.TOMBSTONE | (versions ? RecordFlag.BIN_VERSIONS : 0)
  writeRecordHeader(target, at, tombstoneBytes(versions), flags, { ...meta, voidTime: Math.min(meta.voidTime, 0xffffffff) }, 0)
  if (versions) writeBinVersions(target, at + RECORD_HEADER_BYTES, versions)
}

export function tombstoneBytes(versions: BinVersions | undefined): number {
  return TOMBSTONE_BYTES + (versions ? binVersionsBytes(versions) : 0)
}

export function recordTotalBytes(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) & 0xffffff
}

export function recordFlags(buf: Buffer, at: number): number {
  return buf[at + 3]!
}

export function recordChecksum(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at + 4)
}

export function recordGeneration(buf: Buffer, at: number): number {
  return buf.readUInt16LE(at + 28)
}

export function recordVoidTime(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at + 30)
}

export function recordLastUpdateMs(buf: Buffer, at: number): number {
  return buf.readUIntLE(at + 34, 6)
}

export function recordSetId(buf: Buffer, at: number): number {
  return buf.readUInt16LE(at + 40)
}

export function recordBinCount(buf: Buffer, at: number): number {
  return buf.readUInt16LE(at + 42)
}

export function recordDigest(buf: Buffer, at: number): Buffer {
  return buf.subarray(at + 8, at + 8 + DIGEST_BYTES)
}

export function recordKey(buf: Buffer, at: number): StoredKey | undefined {
  if ((buf[at + 3]! & RecordFlag.HAS_KEY) === 0) return undefined
  const pos = at + RECORD_HEADER_BYTES
  const length = buf.readUInt16LE(pos + 1)
  return { particleType: buf[pos]!, bytes: buf.subarray(pos + 3, pos + 3 + length) }
}

/** Offset after the key: where the bin versions begin, when the record has them. */
function recordKeyEnd(buf: Buffer, at: number): number {
  const pos = at + RECORD_HEADER_BYTES
  return (buf[at + 3]! & RecordFlag.HAS_KEY) === 0 ? pos : pos + 3 + buf.readUInt16LE(pos + 1)
}

/** Offset where the bins (wire READ ops) begin. */
export function recordBinsStart(buf: Buffer, at: number): number {
  const pos = recordKeyEnd(buf, at)
  return (buf[at + 3]! & RecordFlag.BIN_VERSIONS) === 0 ? pos : pos + storedBinVersionsBytes(buf, pos)
}

/** The record's per-bin versions (conflict-resolve-writes), undefined when it keeps none. */
export function recordBinVersions(buf: Buffer, at: number): BinVersions | undefined {
  return (buf[at + 3]! & RecordFlag.BIN_VERSIONS) === 0 ? undefined : readBinVersions(buf, recordKeyEnd(buf, at))
}

/** The record's bins with a version for each and for each bin tombstone; a bin with none is as old as the record, made by `srcId`. */
export function recordVersionedBins(buf: Buffer, at: number, srcId: number): WrittenRecord {
  const bins = readBins(buf, at)
  return { bins, versions: completeVersions(bins, recordBinVersions(buf, at), { lastUpdateMs: recordLastUpdateMs(buf, at), srcId }) }
}

/** Whether the key, bin versions and bins a record's header announces fill its size exactly (uncompressed layout). */
export function recordFitsItsSize(buf: Buffer, at: number): boolean {
  const end = at + recordTotalBytes(buf, at)
  if ((recordFlags(buf, at) & RecordFlag.HAS_KEY) !== 0 && at + RECORD_HEADER_BYTES + 3 > end) return false
  const keyEnd = recordKeyEnd(buf, at)
  if (keyEnd > end) return false
  if ((recordFlags(buf, at) & RecordFlag.BIN_VERSIONS) !== 0 && !binVersionsFit(buf, keyEnd, end)) return false
  let pos = recordBinsStart(buf, at)
  for (let bins = recordBinCount(buf, at); bins > 0; bins--) {
    if (pos + 8 > end) return false
    const size = buf.readUInt32BE(pos)
    if (size < 4) return false
    pos += 4 + size
  }
  return pos === end
}

/** Decodes the bins of a stored record into a working copy; values are views into the block. */
export function readBins(buf: Buffer, at: number): Bin[] {
  const count = recordBinCount(buf, at)
  const bins: Bin[] = new Array(count)
  let pos = recordBinsStart(buf, at)
  for (let i = 0; i < count; i++) {
    const size = buf.readUInt32BE(pos)
    const nameBytes = buf[pos + 7]!
    bins[i] = {
      name: binNames.decode(buf, pos + 8, pos + 8 + nameBytes),
      particleType: buf[pos + 5]!,
      value: buf.subarray(pos + 8 + nameBytes, pos + 4 + size),
    }
    pos += 4 + size
  }
  return bins
}
