// Fast restart: a clean shutdown writes the primary index (and the tombstones) to a file beside the
// first data file, and records the snapshot's id in the file headers. The next start loads it
// instead of scanning every block, after checking that each block it names still carries the same
// sequence number on disk and that no block on disk is newer than the snapshot; the id is cleared
// from the headers before the node accepts a write, so a snapshot is never used twice.
import { DIGEST_BYTES, type Disk, type Random } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { checksum } from './checksum.ts'
import type { PrimaryIndex } from './primary-index.ts'

const MAGIC = Buffer.from('ALINDEX1', 'latin1')
const VERSION = 1
const HEADER_BYTES = 48
const BLOCK_BYTES = 24
const ENTRY_BYTES = DIGEST_BYTES + 2 + 4 + 6 + 2 + 4 + 4 + 4
const SET_BYTES = 16
/** Entries per chunk: the file is streamed through one buffer, never held whole. */
const ENTRIES_PER_CHUNK = 16384

export interface SnapshotBlock {
  block: number
  seq: number
  fill: number
  liveBytes: number
}

export interface SnapshotSet {
  id: number
  objects: number
  dataUsedBytes: number
}

export interface IndexSnapshot {
  blocks: SnapshotBlock[]
  sets: SnapshotSet[]
}

export function snapshotPathOf(firstDataFile: string): string {
  return `${firstDataFile}.index`
}

export function newSnapshotId(random: Random): string {
  const bytes = Buffer.alloc(8)
  random.fill(bytes)
  return bytes.toString('hex')
}

/** Writes the snapshot durably (temporary file, fsync, rename), streaming the entries in chunks. */
export function writeIndexSnapshot(disk: Disk, path: string, id: string, snapshot: IndexSnapshot, live: PrimaryIndex, tombstones: PrimaryIndex): void {
  const header = Buffer.alloc(HEADER_BYTES)
  MAGIC.copy(header, 0)
  header.writeUInt32LE(VERSION, 8)
  header.write(id, 16, 16, 'latin1')
  header.writeUInt32LE(snapshot.blocks.length, 32)
  header.writeUInt32LE(snapshot.sets.length, 36)
  header.writeUInt32LE(live.size, 40)
  header.writeUInt32LE(tombstones.size, 44)
  const tables = Buffer.alloc(snapshot.blocks.length * BLOCK_BYTES + snapshot.sets.length * SET_BYTES)
  let at = 0
  for (const b of snapshot.blocks) {
    tables.writeUInt32LE(b.block, at)
    tables.writeUInt32LE(b.fill, at + 4)
    tables.writeDoubleLE(b.seq, at + 8)
    tables.writeDoubleLE(b.liveBytes, at + 16)
    at += BLOCK_BYTES
  }
  for (const s of snapshot.sets) {
    tables.writeUInt32LE(s.id, at)
    tables.writeUInt32LE(s.objects, at + 4)
    tables.writeDoubleLE(s.dataUsedBytes, at + 8)
    at += SET_BYTES
  }
  const temp = `${path}.tmp`
  const fd = disk.open(temp, 'w')
  try {
    let position = HEADER_BYTES
    const put = (bytes: Buffer): void => {
      for (let done = 0; done < bytes.length; ) done += disk.writeSync(fd, bytes, done, bytes.length - done, position + done)
      position += bytes.length
    }
    let crc = checksum(header, 16, HEADER_BYTES, 0)
    crc = checksum(tables, 0, tables.length, crc)
    put(tables)
    const chunk = Buffer.allocUnsafe(ENTRIES_PER_CHUNK * ENTRY_BYTES)
    let fill = 0
    const flush = (): void => {
      crc = checksum(chunk, 0, fill, crc)
      put(chunk.subarray(0, fill))
      fill = 0
    }
    for (const index of [live, tombstones]) {
      for (let pid = 0; pid < limits.partitions; pid++) {
        for (const entry of index.entriesOf(pid)) {
          if (fill === chunk.length) flush()
          index.digestInto(entry, chunk, fill)
          chunk.writeUInt16LE(index.generation(entry), fill + 20)
          chunk.writeUInt32LE(index.voidTime(entry), fill + 22)
          chunk.writeUIntLE(index.lastUpdateMs(entry), fill + 26, 6)
          chunk.writeUInt16LE(index.setId(entry), fill + 32)
          chunk.writeUInt32LE(index.block(entry), fill + 34)
          chunk.writeUInt32LE(index.offset(entry), fill + 38)
          chunk.writeUInt32LE(index.sizeOf(entry), fill + 42)
          fill += ENTRY_BYTES
        }
      }
    }
    flush()
    // The header goes last: its checksum covers everything after it.
    header.writeUInt32LE(crc, 12)
    position = 0
    put(header)
    disk.fsync(fd)
  } finally {
    disk.close(fd)
  }
  disk.rename(temp, path)
}

/**
 * Reads the snapshot with the given id: its blocks and sets, and (after its checksum and size are
 * checked) a load() that fills the (empty) indexes. Returns undefined, touching nothing, when the
 * file is missing, damaged or another snapshot; the caller then scans the blocks. The entries are
 * streamed twice through one chunk buffer (checksum and partition counts, then the entries): a
 * buffer the size of the file would cost a page fault per 4 KiB.
 */
export function readIndexSnapshot(disk: Disk, path: string, id: string): { snapshot: IndexSnapshot; load(live: PrimaryIndex, tombstones: PrimaryIndex): void } | undefined {
  if (!disk.exists(path)) return undefined
  const fd = disk.open(path, 'r')
  try {
    const fileBytes = disk.stat(fd).sizeBytes
    const header = readAt(disk, fd, 0, Math.min(HEADER_BYTES, fileBytes))
    if (header.length < HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC) || header.readUInt32LE(8) !== VERSION) return undefined
    if (header.toString('latin1', 16, 32) !== id) return undefined
    const blockCount = header.readUInt32LE(32)
    const setCount = header.readUInt32LE(36)
    const liveCount = header.readUInt32LE(40)
    const tombCount = header.readUInt32LE(44)
    const entriesAt = HEADER_BYTES + blockCount * BLOCK_BYTES + setCount * SET_BYTES
    if (fileBytes !== entriesAt + (liveCount + tombCount) * ENTRY_BYTES) return undefined
    const tables = readAt(disk, fd, HEADER_BYTES, entriesAt - HEADER_BYTES)
    const counts = [new Uint32Array(limits.partitions), new Uint32Array(limits.partitions)] as const
    let crc = checksum(header, 16, HEADER_BYTES, 0)
    crc = checksum(tables, 0, tables.length, crc)
    const complete = forEachChunk(disk, fd, entriesAt, liveCount + tombCount, (chunk, first, n) => {
      crc = checksum(chunk, 0, n * ENTRY_BYTES, crc)
      for (let i = 0; i < n; i++) counts[first + i < liveCount ? 0 : 1][partitionAt(chunk, i * ENTRY_BYTES)]!++
    })
    if (!complete || crc !== header.readUInt32LE(12)) return undefined
    const snapshot: IndexSnapshot = { blocks: [], sets: [] }
    let at = 0
    for (let i = 0; i < blockCount; i++, at += BLOCK_BYTES) {
      snapshot.blocks.push({ block: tables.readUInt32LE(at), fill: tables.readUInt32LE(at + 4), seq: tables.readDoubleLE(at + 8), liveBytes: tables.readDoubleLE(at + 16) })
    }
    for (let i = 0; i < setCount; i++, at += SET_BYTES) {
      snapshot.sets.push({ id: tables.readUInt32LE(at), objects: tables.readUInt32LE(at + 4), dataUsedBytes: tables.readDoubleLE(at + 8) })
    }
    return {
      snapshot,
      load(live, tombstones) {
        for (let pid = 0; pid < limits.partitions; pid++) {
          live.presize(pid, counts[0][pid]!)
          tombstones.presize(pid, counts[1][pid]!)
        }
        const again = disk.open(path, 'r')
        try {
          const complete = forEachChunk(disk, again, entriesAt, liveCount + tombCount, (chunk, first, n) => {
            for (let i = 0, pos = 0; i < n; i++, pos += ENTRY_BYTES) {
              const index = first + i < liveCount ? live : tombstones
              const entry = index.insert(partitionAt(chunk, pos), chunk, pos, chunk.readUInt32LE(pos + 34), chunk.readUInt32LE(pos + 38), chunk.readUInt32LE(pos + 42))
              index.setMeta(entry, chunk.readUInt16LE(pos + 20), chunk.readUInt32LE(pos + 22), chunk.readUIntLE(pos + 26, 6), chunk.readUInt16LE(pos + 32))
            }
          })
          // The file was checked moments ago, in the node's own locked directory.
          if (!complete) throw new Error(`index snapshot ${path} was cut short while loading`)
        } finally {
          disk.close(again)
        }
      },
    }
  } finally {
    disk.close(fd)
  }
}

function partitionAt(chunk: Buffer, pos: number): number {
  return (chunk[pos]! | (chunk[pos + 1]! << 8)) & (limits.partitions - 1)
}

function readAt(disk: Disk, fd: number, position: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const n = disk.readSync(fd, out, done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return out.subarray(0, done)
}

/**
 * Calls visit(chunk, index of its first entry, entries in it) over `count` entries from `position`;
 * false if the file ends first.
 */
function forEachChunk(disk: Disk, fd: number, position: number, count: number, visit: (chunk: Buffer, first: number, n: number) => void): boolean {
  const chunk = Buffer.allocUnsafe(ENTRIES_PER_CHUNK * ENTRY_BYTES)
  for (let first = 0; first < count; first += ENTRIES_PER_CHUNK) {
    const n = Math.min(ENTRIES_PER_CHUNK, count - first)
    let done = 0
    while (done < n * ENTRY_BYTES) {
      const read = disk.readSync(fd, chunk, done, n * ENTRY_BYTES - done, position + first * ENTRY_BYTES + done)
      if (read === 0) return false
      done += read
    }
    visit(chunk, first, n)
  }
  return true
}

export function removeIndexSnapshot(disk: Disk, path: string): void {
  disk.remove(path)
}
