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
  private waiting: BatchedWriter[] = []

  constructor(network: Pick<Network, 'turnEnd'>) {
    this.network = network
  }

  /** Called by a writer when it holds its first reply of the turn. */
  add(writer: BatchedWriter): void {
    if (this.waiting.length === 0) this.network.turnEnd(() => this.flush())
    this.waiting.push(writer)
  }

  private flush(): void {
    const writers = this.waiting
    this.waiting = []
    for (const writer of writers) writer.flushReplies()
  }
}
