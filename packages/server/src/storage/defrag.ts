// Defragmentation: blocks whose live bytes fell under defrag-lwm-pct have their live records
// copied forward, a bounded number per event-loop turn so client commands keep flowing.
import { limits } from '../limits.ts'
import type { Namespace } from '../namespace/namespace.ts'

export class Defragmenter {
  private readonly namespace: Namespace
  private timer: NodeJS.Timeout | undefined
  private running = false

  constructor(namespace: Namespace) {
    this.namespace = namespace
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.run(), intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** Number of blocks waiting for defrag (the defrag queue). */
  queueLength(): number {
    return this.namespace.blocks.sparseBlocks(this.namespace.config.storage.defragLwmPct).length
  }

  async run(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      let budget = limits.defragRecordsPerTurn
      for (const block of this.namespace.blocks.sparseBlocks(this.namespace.config.storage.defragLwmPct)) {
        budget -= this.namespace.defragBlock(block)
        if (budget <= 0) {
          await new Promise((resolve) => setImmediate(resolve))
          budget = limits.defragRecordsPerTurn
        }
      }
    } finally {
      this.running = false
    }
  }
}
