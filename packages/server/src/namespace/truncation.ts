// Truncation in the background. The truncate info command only moves the cutoff (the namespace's or
// a set's truncate time) and answers, as Aerospike's does; from then on lookups treat records last
// updated before the cutoff as gone (Namespace.isLive), and this sweep removes them partition by
// partition, yielding between slices so client commands keep flowing. A truncate arriving during a
// sweep makes it walk every partition once more.
import type { Scheduler } from '../env/env.ts'
import { limits } from '../limits.ts'
import type { Namespace } from './namespace.ts'

export class Truncation {
  /** True from a truncate until its sweep is done: lookups check truncate times meanwhile. */
  sweeping = false
  private readonly namespace: Namespace
  private readonly scheduler: Scheduler
  private again = false
  private nextPid = 0
  private running: Promise<void> | undefined
  private readonly isTruncated: (id: number) => boolean

  constructor(namespace: Namespace, scheduler: Scheduler) {
    this.namespace = namespace
    this.scheduler = scheduler
    this.isTruncated = (id) => namespace.isTruncated(id)
  }

  /** Starts (or restarts) the sweep after a cutoff moved. */
  sweep(): void {
    this.sweeping = true
    if (this.running !== undefined) {
      this.again = true
      return
    }
    this.nextPid = 0
    this.running = this.run().finally(() => {
      this.running = undefined
    })
  }

  /** Resolves once no sweep is running. */
  async whenDone(): Promise<void> {
    while (this.running !== undefined) await this.running
  }

  /** Ends a running sweep now, in this turn (a clean shutdown, before the index snapshot). */
  finishNow(): void {
    if (!this.sweeping) return
    this.again = false
    this.removeFrom(0, limits.partitions)
    this.nextPid = limits.partitions
    this.sweeping = false
  }

  private async run(): Promise<void> {
    for (;;) {
      while (this.nextPid < limits.partitions) {
        // Yield first: the truncate command answers before any record is removed.
        await this.scheduler.yieldTurn()
        const from = this.nextPid
        this.nextPid = Math.min(limits.partitions, from + limits.truncatePartitionsPerTurn)
        this.removeFrom(from, this.nextPid)
      }
      if (!this.again) break
      this.again = false
      this.nextPid = 0
    }
    this.sweeping = false
  }

  private removeFrom(fromPid: number, toPid: number): void {
    const ns = this.namespace
    let removed = 0
    for (let pid = fromPid; pid < toPid; pid++) removed += ns.removeWhere(pid, this.isTruncated, 'truncate')
    ns.counters.truncatedRecords += removed
  }
}
