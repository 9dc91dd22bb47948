// Defragmentation: blocks whose live bytes fell under defrag-lwm-pct have their live records
// copied forward, a bounded number of bytes per event-loop turn so client commands keep flowing.
// Defrag also waits while the disk is behind (the write queue is over max-write-cache), so it never
// takes the disk from client writes.
import type { Timer } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import { limits } from '../limits.ts'
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
      ns.sweepTombstones()
      for (const block of ns.blocks.sparseBlocks(ns.config.storage.defragLwmPct)) {
        while (ns.writeQueueFull()) await new Promise<void>((resolve) => scheduler.after(limits.defragBackoffMs, resolve))
        const seq = ns.blocks.seqOf(block)
        // The block is read from disk off the event loop, then emptied a slice per turn; between
        // slices client commands run, so a block's copying never stalls them for long.
        const bytes = await ns.blocks.blockBytesAsync(block)
        for (let at = BLOCK_HEADER_BYTES; at >= 0; ) {
          try {
            at = ns.defragBlock(block, bytes, seq, at, limits.defragSliceBytes)
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
