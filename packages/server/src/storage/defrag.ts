// Defragmentation: blocks whose live bytes fell under defrag-lwm-pct have their live records
// copied forward, a bounded number of bytes per event-loop turn so client commands keep flowing.
// Defrag also waits while the disk is behind (the write queue is over max-write-cache), so it never
// takes the disk from client writes.
import { partitionId, type Timer } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import { limits } from '../limits.ts'
import { RECORD_DIGEST_AT, RECORD_HEADER_BYTES, RecordFlag, recordFlags, recordTotalBytes } from '../record/layout.ts'
import { BLOCK_HEADER_BYTES } from './block-format.ts'
import type { Namespace } from '../namespace/namespace.ts'

export class Defragmenter {
  private readonly namespace: Namespace
  private timer: Timer | undefined
  private running = false

  constructor(namespace: Namespace) {
    this.namespace = namespace
  }

  start(intervalMs: number): void {
    this.timer = this.namespace.env.scheduler.every(intervalMs, () => void this.run())
  }

  stop(): void {
    this.timer?.cancel()
  }

  /** Number of blocks waiting for defrag (Aerospike's defrag_q). */
  queueLength(): number {
    return this.namespace.blocks.sparseBlocks(this.namespace.config.storage.defragLwmPct).length
  }

  async run(): Promise<void> {
    if (this.running) return
    this.running = true
    const ns = this.namespace
    const scheduler = ns.env.scheduler
    try {
      ns.counters.tombstonesDropped += ns.tombstones.sweep()
      for (const block of ns.blocks.sparseBlocks(ns.config.storage.defragLwmPct)) {
        while (ns.writeQueueFull()) await new Promise<void>((resolve) => scheduler.after(limits.defragBackoffMs, resolve))
        // Freed since the list was made (a truncate or deletes emptied it while earlier blocks were copied).
        if (!ns.blocks.isAllocated(block)) continue
        const seq = ns.blocks.seqOf(block)
        // The block is read from disk off the event loop, then emptied a slice per turn; between
        // slices client commands run, so a block's copying never stalls them for long.
        const bytes = await ns.blocks.blockBytesAsync(block)
        for (let at = BLOCK_HEADER_BYTES; at >= 0; ) {
          try {
            at = defragBlock(ns, block, bytes, seq, at, limits.defragSliceBytes)
          } catch (err) {
            // No free block to copy into: the blocks freed meanwhile let the next run go on.
            if (err instanceof CommandError) return
            throw err
          }
          await scheduler.yieldTurn()
        }
      }
    } finally {
      this.running = false
    }
  }
}

/**
 * Copies the live records of a sparse block forward so the block is freed; buf is the block's
 * bytes, read when its sequence number was seq (a block freed and reused meanwhile is skipped).
 * Reads the block from offset `from` until it has copied `budgetBytes`, and returns the offset
 * to go on from, or -1 once the block is done.
 */
export function defragBlock(ns: Namespace, block: number, buf: Buffer, seq: number, from = BLOCK_HEADER_BYTES, budgetBytes = Infinity): number {
  const blocks = ns.blocks
  if (!blocks.isAllocated(block) || blocks.seqOf(block) !== seq) return -1
  const end = Math.min(blocks.fillOf(block), buf.length)
  const tombstones = ns.tombstones
  // A tombstone is needed while a block that may hold an older version of its record is on disk.
  let oldestOtherSeq = -1
  let copied = 0
  for (let at = from; at + RECORD_HEADER_BYTES <= end; ) {
    if (copied >= budgetBytes) return at
    const size = recordTotalBytes(buf, at)
    if (size < RECORD_HEADER_BYTES) break
    const digestAt = at + RECORD_DIGEST_AT
    const pid = partitionId(buf, digestAt)
    ns.counters.defragReads++
    ns.defragPerFile.reads[ns.fileOf(block)]!++
    const tombstone = (recordFlags(buf, at) & RecordFlag.TOMBSTONE) !== 0
    const index = tombstone ? tombstones.index : ns.index
    const id = index.findLocated(pid, buf, digestAt, block, at)
    if (id >= 0) {
      if (tombstone && oldestOtherSeq < 0) {
        const seqs = blocks.oldestSeqsOnDisk()
        oldestOtherSeq = block === seqs.oldestBlock ? seqs.second : seqs.oldest
      }
      if (tombstone && !tombstones.isNeeded(pid, id, oldestOtherSeq)) {
        index.remove(pid, id)
        ns.counters.tombstonesDropped++
      } else {
        const placed = ns.records.copy(buf, at, size)
        index.setLocation(id, placed.block, placed.offset, size)
        ns.counters.defragWrites++
        ns.defragPerFile.writes[ns.fileOf(placed.block)]!++
        copied += size
      }
      // Releasing the last live record frees the block; stop reading it then.
      blocks.release(block, size)
      if (!blocks.isAllocated(block)) return -1
    }
    at += size
  }
  return -1
}
