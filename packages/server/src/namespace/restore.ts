// Bringing a persistent namespace back at start. After a clean shutdown the index snapshot is
// loaded (fast restart) once it is verified against the blocks on disk; otherwise every block is
// scanned in the order it was written (cold start) and the last version written of each digest
// wins. Write order rather than generation decides, because on one node it is exact: generations
// wrap at 65535 and restart at 1 when a record is created again after a delete. Damaged records
// are reported and skipped; a torn tail is dropped.
import { DIGEST_BYTES, partitionId } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import {
  RecordFlag, recordFlags, recordGeneration, recordLastUpdateMs, recordSetId, recordVoidTime,
} from '../record/layout.ts'
import { BLOCK_HEADER_BYTES, readBlockSeq } from '../storage/block-format.ts'
import { scanBlock } from '../storage/block-scan.ts'
import type { FileMeta } from '../storage/file-header.ts'
import { readIndexSnapshot, removeIndexSnapshot, snapshotPathOf } from '../storage/index-snapshot.ts'
import type { PrimaryIndex } from '../storage/primary-index.ts'
import type { Namespace } from './namespace.ts'

export interface RestoreReport {
  /** fresh: the files were new; fast: loaded the index snapshot; cold: scanned the blocks. */
  mode: 'fresh' | 'fast' | 'cold'
  blocks: number
  objects: number
  tombstones: number
  checksumFailures: number
  tornTailBytes: number
  durationMs: number
}

export function restoreNamespace(ns: Namespace, meta: FileMeta | undefined, log: Logger): RestoreReport {
  const startedMs = ns.env.clock.monotonicMs()
  const files = ns.files!
  if (meta === undefined) {
    ns.blocks.finishRestore()
    return report(ns, 'fresh', 0, 0, 0, startedMs, log)
  }
  ns.sets.restore(meta.sets)
  ns.truncateLutMs = meta.truncateLutMs
  for (const [name, lutMs] of Object.entries(meta.setTruncateLutMs)) {
    const set = ns.sets.get(name)
    if (set !== undefined) set.truncateLutMs = lutMs
  }
  ns.evictVoidTime = meta.evictVoidTime
  for (const [dc, pointMs] of Object.entries(meta.xdrShippedMs ?? {})) ns.xdrShippedMs.set(dc, pointMs)
  const seqs = readBlockSeqs(ns)
  const snapshotPath = snapshotPathOf(files.paths[0]!)
  if (meta.cleanSnapshotId !== null) {
    const fast = fastRestart(ns, seqs, snapshotPath, meta.cleanSnapshotId, log)
    removeIndexSnapshot(ns.env.disk, snapshotPath)
    if (fast) return report(ns, 'fast', countBlocks(seqs), 0, 0, startedMs, log)
  } else {
    removeIndexSnapshot(ns.env.disk, snapshotPath)
  }
  const { checksumFailures, tornTailBytes } = coldStart(ns, seqs, log)
  return report(ns, 'cold', countBlocks(seqs), checksumFailures, tornTailBytes, startedMs, log)
}

function report(ns: Namespace, mode: RestoreReport['mode'], blocks: number, checksumFailures: number, tornTailBytes: number, startedMs: number, log: Logger): RestoreReport {
  const result: RestoreReport = {
    mode, blocks, objects: ns.index.size, tombstones: ns.tombstones.size, checksumFailures, tornTailBytes, durationMs: Math.round(ns.env.clock.monotonicMs() - startedMs),
  }
  log.info({ ns: ns.name, ...result }, `storage: ${mode} start`)
  return result
}

function countBlocks(seqs: Float64Array): number {
  let n = 0
  for (const seq of seqs) if (seq > 0) n++
  return n
}

/** The sequence number on disk of every block of the files (0 = free or never written). */
function readBlockSeqs(ns: Namespace): Float64Array {
  const files = ns.files!
  const seqs = new Float64Array(files.capacityBlocks)
  const header = Buffer.alloc(BLOCK_HEADER_BYTES)
  for (let b = 0; b < seqs.length; b++) {
    header.fill(0)
    files.read(b, 0, header, 0, BLOCK_HEADER_BYTES)
    seqs[b] = readBlockSeq(header, 0)
  }
  return seqs
}

function readBlock(ns: Namespace, block: number): Buffer {
  const buf = ns.blocks.takeBuffer().fill(0)
  ns.files!.read(block, 0, buf, 0, buf.length)
  return buf
}

function fastRestart(ns: Namespace, seqs: Float64Array, path: string, snapshotId: string, log: Logger): boolean {
  const found = readIndexSnapshot(ns.env.disk, path, snapshotId)
  if (found === undefined) {
    log.warn({ ns: ns.name, path }, 'index snapshot missing or damaged; scanning the blocks instead')
    return false
  }
  const listed = new Map(found.snapshot.blocks.map((b) => [b.block, b.seq]))
  for (let b = 0; b < seqs.length; b++) {
    if ((listed.get(b) ?? 0) !== seqs[b]) {
      log.warn({ ns: ns.name, block: b }, 'index snapshot does not match the blocks on disk; scanning the blocks instead')
      return false
    }
  }
  for (const b of found.snapshot.blocks) {
    ns.blocks.restoreBlock(b.block, b.seq, b.fill, ns.blocks.dataInMemory ? readBlock(ns, b.block) : undefined)
    ns.blocks.claim(b.block, b.liveBytes)
  }
  found.load(ns.index, ns.tombstones.index)
  for (const s of found.snapshot.sets) {
    const set = ns.sets.byIdOf(s.id)
    if (set !== undefined) {
      set.objects = s.objects
      set.dataUsedBytes = s.dataUsedBytes
    }
  }
  ns.blocks.finishRestore()
  return true
}

function coldStart(ns: Namespace, seqs: Float64Array, log: Logger): { checksumFailures: number; tornTailBytes: number } {
  const order: number[] = []
  for (let b = 0; b < seqs.length; b++) if (seqs[b]! > 0) order.push(b)
  order.sort((a, b) => seqs[a]! - seqs[b]!)
  const newestSeq = order.length > 0 ? seqs[order[order.length - 1]!]! : 0
  // Only the blocks still being written when the node stopped can end in a torn write: the write
  // queue (bounded by max-write-cache, which defrag also respects) and the current block.
  const tornWindow = Math.ceil(ns.config.storage.maxWriteCacheBytes / ns.blocks.blockSizeBytes) + 4
  let checksumFailures = 0
  let tornTailBytes = 0
  for (const block of order) {
    const seq = seqs[block]!
    const buf = readBlock(ns, block)
    ns.blocks.restoreBlock(block, seq, buf.length, buf)
    const scanned = scanBlock(buf, buf.length, seq, seq > newestSeq - tornWindow, (at, totalBytes) => applyVersion(ns, block, buf, at, totalBytes))
    ns.blocks.setFill(block, scanned.fill)
    for (const damage of scanned.corrupt) {
      checksumFailures++
      log.error({ ns: ns.name, file: fileOf(ns, block), block, offset: damage.at, bytes: damage.bytes },
        'storage: record failed its checksum and was skipped (the records after it were kept); restore the record from a backup or a replica')
    }
    if (scanned.tornTailBytes > 0) {
      tornTailBytes += scanned.tornTailBytes
      log.warn({ ns: ns.name, block, offset: scanned.fill }, 'storage: dropped the torn tail of a write cut short by the last stop')
    }
  }
  ns.counters.checksumFailures += checksumFailures
  dropTruncated(ns)
  countSets(ns)
  ns.blocks.finishRestore()
  return { checksumFailures, tornTailBytes }
}

function fileOf(ns: Namespace, block: number): string {
  const files = ns.files!
  return files.paths[Math.floor(block / files.blocksPerFile)] ?? ''
}

/** The record at buf[at] was written after every version seen so far: it becomes the digest's current one. */
function applyVersion(ns: Namespace, block: number, buf: Buffer, at: number, totalBytes: number): void {
  const digest = buf.subarray(at + 8, at + 8 + DIGEST_BYTES)
  const pid = partitionId(digest)
  const live = ns.index.find(pid, digest)
  const tombstones = ns.tombstones.index
  const tomb = tombstones.find(pid, digest)
  if (live >= 0) ns.blocks.claim(ns.index.block(live), -ns.index.sizeOf(live))
  if (tomb >= 0) ns.blocks.claim(tombstones.block(tomb), -tombstones.sizeOf(tomb))
  const isTombstone = (recordFlags(buf, at) & RecordFlag.TOMBSTONE) !== 0
  let index: PrimaryIndex
  let id: number
  if (isTombstone) {
    if (live >= 0) ns.index.remove(pid, live)
    index = tombstones
    id = tomb >= 0 ? tomb : tombstones.insert(pid, digest, 0, block, at, totalBytes)
  } else {
    if (tomb >= 0) tombstones.remove(pid, tomb)
    index = ns.index
    id = live >= 0 ? live : ns.index.insert(pid, digest, 0, block, at, totalBytes)
  }
  index.setMeta(id, recordGeneration(buf, at), recordVoidTime(buf, at), recordLastUpdateMs(buf, at), recordSetId(buf, at))
  index.setLocation(id, block, at, totalBytes)
  ns.blocks.claim(block, totalBytes)
}

/** Truncation is remembered as a time in the headers; records older than it stay deleted. */
function dropTruncated(ns: Namespace): void {
  for (let pid = 0; pid < limits.partitions; pid++) {
    for (const id of ns.index.entriesOf(pid)) {
      if (ns.isTruncated(id)) {
        ns.blocks.claim(ns.index.block(id), -ns.index.sizeOf(id))
        ns.index.remove(pid, id)
        ns.counters.truncatedRecords++
      }
    }
  }
}

function countSets(ns: Namespace): void {
  for (let pid = 0; pid < limits.partitions; pid++) {
    for (const id of ns.index.entriesOf(pid)) {
      const set = ns.sets.byIdOf(ns.index.setId(id))
      if (set === undefined) continue
      set.objects++
      set.dataUsedBytes += ns.index.sizeOf(id)
    }
  }
}
