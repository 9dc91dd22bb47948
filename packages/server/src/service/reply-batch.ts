// Replies leave at the end of the event-loop turn that answered them, all connections' together.
// Each reply written as soon as it is ready woke the client's process once per reply (on loopback
// the kernel does the wake-up inside the server's write); written back to back, the replies of one
// turn find that process awake after the first. Measured in bench/results/issue-15-performance.md.
import type { Network } from '@aerolite/protocol'

export interface BatchedWriter {
  /** Writes the replies held for this turn. */
  flushReplies(): void
}

export class ReplyBatch {
  private readonly network: Pick<Network, 'turnEnd'>
  /** The writers of this turn: the first count slots (the array and the callback are made once). */
  private readonly waiting: (BatchedWriter | undefined)[] = []
  private count = 0
  private readonly flushAll = (): void => this.flush()

  constructor(network: Pick<Network, 'turnEnd'>) {
    this.network = network
  }

  /** Called by a writer when it holds its first reply of the turn. */
  add(writer: BatchedWriter): void {
    if (this.count === 0) this.network.turnEnd(this.flushAll)
    this.waiting[this.count++] = writer
  }

  private flush(): void {
    // The count is read on every step: a writer that joined during the flush is flushed in it.
    for (let i = 0; i < this.count; i++) {
      const writer = this.waiting[i]!
      this.waiting[i] = undefined
      writer.flushReplies()
    }
    this.count = 0
  }
}
