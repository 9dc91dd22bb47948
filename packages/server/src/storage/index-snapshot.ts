// Fast restart: a clean shutdown writes the primary index (and the tombstones) to a file beside the
// first data file, and records the snapshot's id in the file headers. The next start loads it
// instead of scanning every block, after checking that each block it names still carries the same
// sequence number on disk and that no block on disk is newer than the snapshot; the id is cleared
// from the headers before the node accepts a write, so a snapshot is never used twice.
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { DIGEST_BYTES } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { checksum } from './checksum.ts'
import type { PrimaryIndex } from './primary-index.ts'

const MAGIC = Buffer.from('ALINDEX1', 'latin1')
const VERSION = 1
const HEADER_BYTES = 48
const BLOCK_BYTES = 24
const ENTRY_BYTES = DIGEST_BYTES + 2 + 4 + 6 + 2 + 4 + 4 + 4
const SET_BYTES = 16

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

export function newSnapshotId(): string {
  return randomBytes(8).toString('hex')
}

/** Writes the snapshot durably (temporary file, fsync, rename). */
export function writeIndexSnapshot(path: string, id: string, snapshot: IndexSnapshot, live: PrimaryIndex, tombstones: PrimaryIndex): void {
  const entries = live.size + tombstones.size
  const size = HEADER_BYTES + snapshot.blocks.length * BLOCK_BYTES + snapshot.sets.length * SET_BYTES + entries * ENTRY_BYTES
  const out = Buffer.alloc(size)
  MAGIC.copy(out, 0)
  out.writeUInt32LE(VERSION, 8)
  out.write(id, 16, 16, 'latin1')
  out.writeUInt32LE(snapshot.blocks.length, 32)
  out.writeUInt32LE(snapshot.sets.length, 36)
  out.writeUInt32LE(live.size, 40)
  out.writeUInt32LE(tombstones.size, 44)
  let at = HEADER_BYTES
  for (const b of snapshot.blocks) {
    out.writeUInt32LE(b.block, at)
    out.writeUInt32LE(b.fill, at + 4)
    out.writeDoubleLE(b.seq, at + 8)
    out.writeDoubleLE(b.liveBytes, at + 16)
    at += BLOCK_BYTES
  }
  for (const s of snapshot.sets) {
    out.writeUInt32LE(s.id, at)
    out.writeUInt32LE(s.objects, at + 4)
    out.writeDoubleLE(s.dataUsedBytes, at + 8)
    at += SET_BYTES
  }
  for (const index of [live, tombstones]) {
    for (let pid = 0; pid < limits.partitions; pid++) {
      for (const id of index.entriesOf(pid)) {
        index.digestInto(id, out, at)
        out.writeUInt16LE(index.generation(id), at + 20)
        out.writeUInt32LE(index.voidTime(id), at + 22)
        out.writeUIntLE(index.lastUpdateMs(id), at + 26, 6)
        out.writeUInt16LE(index.setId(id), at + 32)
        out.writeUInt32LE(index.block(id), at + 34)
        out.writeUInt32LE(index.offset(id), at + 38)
        out.writeUInt32LE(index.sizeOf(id), at + 42)
        at += ENTRY_BYTES
      }
    }
  }
  out.writeUInt32LE(checksum(out, 16, size, 0), 12)
  const temp = `${path}.tmp`
  const fd = openSync(temp, 'w')
  try {
    let done = 0
    while (done < size) done += writeSync(fd, out, done, size - done)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, path)
}

/**
 * Loads the snapshot with the given id into the (empty) indexes. Returns undefined, touching
 * nothing, when the file is missing, damaged or another snapshot; the caller then scans the blocks.
 */
export function readIndexSnapshot(path: string, id: string): { snapshot: IndexSnapshot; load(live: PrimaryIndex, tombstones: PrimaryIndex): void } | undefined {
  if (!existsSync(path)) return undefined
  const buf = readFileSync(path)
  if (buf.length < HEADER_BYTES || !buf.subarray(0, 8).equals(MAGIC) || buf.readUInt32LE(8) !== VERSION) return undefined
  if (buf.toString('latin1', 16, 32) !== id) return undefined
  if (checksum(buf, 16, buf.length, 0) !== buf.readUInt32LE(12)) return undefined
  const blockCount = buf.readUInt32LE(32)
  const setCount = buf.readUInt32LE(36)
  const liveCount = buf.readUInt32LE(40)
  const tombCount = buf.readUInt32LE(44)
  if (buf.length !== HEADER_BYTES + blockCount * BLOCK_BYTES + setCount * SET_BYTES + (liveCount + tombCount) * ENTRY_BYTES) return undefined
  const snapshot: IndexSnapshot = { blocks: [], sets: [] }
  let at = HEADER_BYTES
  for (let i = 0; i < blockCount; i++, at += BLOCK_BYTES) {
    snapshot.blocks.push({ block: buf.readUInt32LE(at), fill: buf.readUInt32LE(at + 4), seq: buf.readDoubleLE(at + 8), liveBytes: buf.readDoubleLE(at + 16) })
  }
  for (let i = 0; i < setCount; i++, at += SET_BYTES) {
    snapshot.sets.push({ id: buf.readUInt32LE(at), objects: buf.readUInt32LE(at + 4), dataUsedBytes: buf.readDoubleLE(at + 8) })
  }
  const entriesAt = at
  return {
    snapshot,
    load(live, tombstones) {
      const counts = [new Uint32Array(limits.partitions), new Uint32Array(limits.partitions)]
      const pidAt = (pos: number): number => (buf[pos]! | (buf[pos + 1]! << 8)) & (limits.partitions - 1)
      for (let i = 0, pos = entriesAt; i < liveCount + tombCount; i++, pos += ENTRY_BYTES) counts[i < liveCount ? 0 : 1]![pidAt(pos)]!++
      for (let pid = 0; pid < limits.partitions; pid++) {
        live.presize(pid, counts[0]![pid]!)
        tombstones.presize(pid, counts[1]![pid]!)
      }
      let pos = entriesAt
      for (let i = 0; i < liveCount + tombCount; i++, pos += ENTRY_BYTES) {
        const index = i < liveCount ? live : tombstones
        const entry = index.insert(pidAt(pos), buf, pos, buf.readUInt32LE(pos + 34), buf.readUInt32LE(pos + 38), buf.readUInt32LE(pos + 42))
        index.setMeta(entry, buf.readUInt16LE(pos + 20), buf.readUInt32LE(pos + 22), buf.readUIntLE(pos + 26, 6), buf.readUInt16LE(pos + 32))
      }
    },
  }
}

export function removeIndexSnapshot(path: string): void {
  rmSync(path, { force: true })
}
