// Walks the records of one block read back from disk, verifying each checksum. A record that fails
// is told apart by what follows it: if a valid record of the block's current life follows, the
// failure is corruption in the middle (reported, the bad bytes skipped, the records after it kept);
// if nothing valid follows, it is the torn tail of a write cut short by a crash (dropped) — but
// only in the blocks that were being written when the node stopped; anywhere else it is corruption.
import { CHECKSUM_START, COMPRESSED_FLAGS, RECORD_HEADER_BYTES, RecordFlag, recordChecksum, recordFitsItsSize, recordTotalBytes } from '../record/layout.ts'
import { BLOCK_HEADER_BYTES } from './block-format.ts'
import { checksum } from './checksum.ts'
import { decompressRecord } from './compression.ts'

const KNOWN_FLAGS = RecordFlag.HAS_KEY | RecordFlag.TOMBSTONE | RecordFlag.BIN_VERSIONS | COMPRESSED_FLAGS

export interface BlockScanResult {
  /** End of the last valid record: where the block's good bytes stop. */
  fill: number
  /** Byte ranges that failed their checksum with valid records after them (or in a block that cannot be torn). */
  corrupt: Array<{ at: number; bytes: number }>
  /** Bytes dropped as a torn tail. */
  tornTailBytes: number
}

/** True when a valid record of this block's life starts at `at`. */
export function isValidRecord(buf: Buffer, at: number, limit: number, seq: number): boolean {
  if (at + RECORD_HEADER_BYTES > limit) return false
  const total = recordTotalBytes(buf, at)
  if (total < RECORD_HEADER_BYTES || at + total > limit) return false
  if ((buf[at + 3]! & ~KNOWN_FLAGS) !== 0) return false
  return checksum(buf, at + CHECKSUM_START, at + total, seq) === recordChecksum(buf, at) && isWellFormed(buf, at)
}

/**
 * The checksum leaves out the size and flags word: a record it accepts must still hold what its
 * flags announce (a key, bins filling its size, a body that decompresses), or it is damaged.
 */
function isWellFormed(buf: Buffer, at: number): boolean {
  const flags = buf[at + 3]!
  if ((flags & COMPRESSED_FLAGS) === 0) return recordFitsItsSize(buf, at)
  if ((flags & COMPRESSED_FLAGS) === COMPRESSED_FLAGS) return false
  try {
    const whole = decompressRecord(buf, at, flags)
    return recordFitsItsSize(whole.buf, whole.at)
  } catch {
    return false
  }
}

/**
 * Calls onRecord(at, totalBytes) for every valid record of the block in order.
 * mayBeTorn: the block was among those being written when the node stopped.
 */
export function scanBlock(buf: Buffer, limit: number, seq: number, mayBeTorn: boolean, onRecord: (at: number, totalBytes: number) => void): BlockScanResult {
  const result: BlockScanResult = { fill: BLOCK_HEADER_BYTES, corrupt: [], tornTailBytes: 0 }
  let at = BLOCK_HEADER_BYTES
  while (at + 4 <= limit) {
    const total = recordTotalBytes(buf, at)
    // A zero size is the end marker written after the last record.
    if (total === 0 && buf[at + 3] === 0) break
    if (isValidRecord(buf, at, limit, seq)) {
      onRecord(at, total)
      at += total
      result.fill = at
      continue
    }
    const next = nextValidRecord(buf, at + 1, limit, seq)
    if (next < 0) {
      if (mayBeTorn) result.tornTailBytes = limit - at
      else result.corrupt.push({ at, bytes: endOfDamage(buf, at, limit) - at })
      break
    }
    result.corrupt.push({ at, bytes: next - at })
    at = next
  }
  return result
}

/** Where a damaged tail ends: the end marker if one follows, else the end of the block. */
function endOfDamage(buf: Buffer, at: number, limit: number): number {
  const total = recordTotalBytes(buf, at)
  return total >= RECORD_HEADER_BYTES && at + total <= limit ? at + total : limit
}

function nextValidRecord(buf: Buffer, from: number, limit: number, seq: number): number {
  for (let at = from; at + RECORD_HEADER_BYTES <= limit; at++) {
    // Cheap filters first: a plausible size and flags, a non-zero generation or a tombstone.
    const flags = buf[at + 3]!
    if ((flags & ~KNOWN_FLAGS) !== 0) continue
    const total = recordTotalBytes(buf, at)
    if (total < RECORD_HEADER_BYTES || at + total > limit) continue
    if (isValidRecord(buf, at, limit, seq)) return at
  }
  return -1
}
