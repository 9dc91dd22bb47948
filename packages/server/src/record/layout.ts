// The byte layout of one stored record. Bins are kept exactly as the wire's READ ops
// (u32 size, u8 op, u8 particle type, u8 flags, u8 name length, name, value), so a read of all bins
// copies one contiguous region into the reply.
//
//  0 u32 total bytes      4 u8 flags        5 u8 reserved     6 u16 bin count
//  8 digest (20 bytes)   28 u16 generation 30 u32 void time  34 u48 last-update ms
// 40 u16 set id          42 [key: u8 particle type, u16 length, bytes] then bins
import { DIGEST_BYTES, OpType } from '@aerolite/protocol'
import type { Bin } from './bins.ts'

export const RECORD_HEADER_BYTES = 42
export const RecordFlag = { HAS_KEY: 0x01 } as const

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
  return 8 + Buffer.byteLength(bin.name) + bin.value.length
}

export function encodedRecordBytes(key: StoredKey | undefined, bins: readonly Bin[]): number {
  let size = RECORD_HEADER_BYTES + (key ? 3 + key.bytes.length : 0)
  for (const bin of bins) size += binWireBytes(bin)
  return size
}

export function writeRecord(target: Buffer, at: number, totalBytes: number, meta: RecordMeta, key: StoredKey | undefined, bins: readonly Bin[]): void {
  target.writeUInt32LE(totalBytes, at)
  target[at + 4] = key ? RecordFlag.HAS_KEY : 0
  target[at + 5] = 0
  target.writeUInt16LE(bins.length, at + 6)
  target.set(meta.digest.subarray(0, DIGEST_BYTES), at + 8)
  target.writeUInt16LE(meta.generation, at + 28)
  target.writeUInt32LE(meta.voidTime, at + 30)
  target.writeUIntLE(meta.lastUpdateMs, at + 34, 6)
  target.writeUInt16LE(meta.setId, at + 40)
  let pos = at + RECORD_HEADER_BYTES
  if (key) {
    target[pos] = key.particleType
    target.writeUInt16LE(key.bytes.length, pos + 1)
    key.bytes.copy(target, pos + 3)
    pos += 3 + key.bytes.length
  }
  for (const bin of bins) {
    const nameBytes = target.write(bin.name, pos + 8, 'utf8')
    target.writeUInt32BE(4 + nameBytes + bin.value.length, pos)
    target[pos + 4] = OpType.READ
    target[pos + 5] = bin.particleType
    target[pos + 6] = 0
    target[pos + 7] = nameBytes
    bin.value.copy(target, pos + 8 + nameBytes)
    pos += 8 + nameBytes + bin.value.length
  }
}

export function recordTotalBytes(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at)
}

export function recordBinCount(buf: Buffer, at: number): number {
  return buf.readUInt16LE(at + 6)
}

export function recordDigest(buf: Buffer, at: number): Buffer {
  return buf.subarray(at + 8, at + 8 + DIGEST_BYTES)
}

export function recordKey(buf: Buffer, at: number): StoredKey | undefined {
  if ((buf[at + 4]! & RecordFlag.HAS_KEY) === 0) return undefined
  const pos = at + RECORD_HEADER_BYTES
  const length = buf.readUInt16LE(pos + 1)
  return { particleType: buf[pos]!, bytes: buf.subarray(pos + 3, pos + 3 + length) }
}

/** Offset where the bins (wire READ ops) begin. */
export function recordBinsStart(buf: Buffer, at: number): number {
  const pos = at + RECORD_HEADER_BYTES
  return (buf[at + 4]! & RecordFlag.HAS_KEY) === 0 ? pos : pos + 3 + buf.readUInt16LE(pos + 1)
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
      name: buf.toString('utf8', pos + 8, pos + 8 + nameBytes),
      particleType: buf[pos + 5]!,
      value: buf.subarray(pos + 8 + nameBytes, pos + 4 + size),
    }
    pos += 4 + size
  }
  return bins
}
