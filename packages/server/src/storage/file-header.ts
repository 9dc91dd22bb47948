// The header region at the start of every data file: two slots, each holding the namespace's
// persistent metadata as JSON behind a magic, a format version, a generation and a checksum. Writes
// alternate between the slots and the newest valid one wins, so a torn header write loses nothing.
import { limits } from '../limits.ts'
import { checksum } from './checksum.ts'

export const FILE_MAGIC = Buffer.from('AEROLITE', 'latin1')
export const FILE_FORMAT_VERSION = 1
/** Bytes before the first write block. */
export const FILE_HEADER_BYTES = limits.dataFileHeaderBytes
const SLOT_BYTES = FILE_HEADER_BYTES / 2
const SLOT_PREFIX_BYTES = 24

/** What survives a restart besides the records themselves. */
export interface FileMeta {
  namespace: string
  fileIndex: number
  fileCount: number
  blockSizeBytes: number
  fileSizeBytes: number
  /** Set names in id order: set id n is sets[n - 1]. */
  sets: string[]
  truncateLutMs: number
  setTruncateLutMs: Record<string, number>
  /** Records with a void time before this were evicted. */
  evictVoidTime: number
  /** Set by a clean shutdown: the id of the index snapshot written then. */
  cleanSnapshotId: string | null
  /** Per XDR DC: the record last-update time (ms) from which shipping resumes (absent in files older than it). */
  xdrShippedMs?: Record<string, number>
}

export type HeaderRead =
  | { kind: 'empty' }
  | { kind: 'foreign' }
  | { kind: 'newer'; version: number }
  | { kind: 'valid'; generation: number; meta: FileMeta }

/** Reads the newest valid slot of a header region. */
export function decodeFileHeader(region: Buffer): HeaderRead {
  let best: { generation: number; meta: FileMeta } | undefined
  let sawMagic = false
  let newer = 0
  for (let slot = 0; slot < 2; slot++) {
    const at = slot * SLOT_BYTES
    if (region.length < at + SLOT_PREFIX_BYTES) continue
    if (!region.subarray(at, at + FILE_MAGIC.length).equals(FILE_MAGIC)) continue
    sawMagic = true
    const version = region.readUInt32LE(at + 8)
    if (version > FILE_FORMAT_VERSION) {
      newer = Math.max(newer, version)
      continue
    }
    const generation = region.readUInt32LE(at + 12)
    const length = region.readUInt32LE(at + 16)
    const start = at + SLOT_PREFIX_BYTES
    if (length > SLOT_BYTES - SLOT_PREFIX_BYTES || start + length > region.length) continue
    if (checksum(region, start, start + length, 0) !== region.readUInt32LE(at + 20)) continue
    try {
      const meta = JSON.parse(region.toString('utf8', start, start + length)) as FileMeta
      if (best === undefined || generation > best.generation) best = { generation, meta }
    } catch {
      // A slot that passed its checksum but is not JSON was not written by us.
    }
  }
  if (best !== undefined) return { kind: 'valid', ...best }
  if (newer > 0) return { kind: 'newer', version: newer }
  if (sawMagic || region.some((byte) => byte !== 0)) return { kind: 'foreign' }
  return { kind: 'empty' }
}

/** The bytes of one slot and where it goes; generation picks the slot. */
export function encodeFileHeaderSlot(meta: FileMeta, generation: number): { position: number; bytes: Buffer } {
  const json = Buffer.from(JSON.stringify(meta), 'utf8')
  if (json.length > SLOT_BYTES - SLOT_PREFIX_BYTES) throw new RangeError(`file metadata of ${json.length} bytes does not fit its ${SLOT_BYTES}-byte slot`)
  const bytes = Buffer.alloc(SLOT_PREFIX_BYTES + json.length)
  FILE_MAGIC.copy(bytes, 0)
  bytes.writeUInt32LE(FILE_FORMAT_VERSION, 8)
  bytes.writeUInt32LE(generation >>> 0, 12)
  bytes.writeUInt32LE(json.length, 16)
  bytes.writeUInt32LE(checksum(json, 0, json.length, 0), 20)
  json.copy(bytes, SLOT_PREFIX_BYTES)
  return { position: (generation % 2) * SLOT_BYTES, bytes }
}
