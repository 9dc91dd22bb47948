// The header at the start of every write block: a magic and the block's sequence number, which
// orders blocks by when they were opened (so a cold start replays versions in write order) and
// seeds the checksums of the block's records.
import { checksum } from './checksum.ts'

const BLOCK_MAGIC = 0x4b4c4257 // "WBLK"
export const BLOCK_HEADER_BYTES = 16

export function writeBlockHeader(target: Buffer, at: number, seq: number): void {
  target.writeUInt32LE(BLOCK_MAGIC, at)
  target.writeUIntLE(seq, at + 8, 6)
  target.writeUInt16LE(0, at + 14)
  target.writeUInt32LE(checksum(target, at + 8, at + 16, 0), at + 4)
}

/** The block's sequence number, or 0 when the bytes are not a block header (a free or never-used block). */
export function readBlockSeq(source: Buffer, at: number): number {
  if (source.length < at + BLOCK_HEADER_BYTES || source.readUInt32LE(at) !== BLOCK_MAGIC) return 0
  if (checksum(source, at + 8, at + 16, 0) !== source.readUInt32LE(at + 4)) return 0
  return source.readUIntLE(at + 8, 6)
}
