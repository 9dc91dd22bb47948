// The partitions a node has to send in the current view (fills it owes as master, copies a merging
// master pulls), queued per receiver and sent at most `capacity()` at once (migrate-threads;
// 0 pauses them). When a receiver refuses one (too many partitions wait for its incoming slots
// already, or its plan is not computed yet) or a send fails, that receiver is left alone for
// limits.migrationRetryMs, or until a partition sent to it finishes, with the refused partition back
// at the head of its queue: the migration waits, it does not fail, and a busy receiver is not asked
// for every queued partition in turn.
import type { Scheduler, Timer } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import { INCOMING_FULL, MigrationRefusedError } from './migration.ts'

export interface OutgoingMigration {
  ns: string
  /** The receiving node. */
  to: string
  /** Sends the partition; rejects when it stopped (the view changed, or the receiver refused or failed). */
  send: () => Promise<void>
}

interface Running {
  migration: OutgoingMigration
  epoch: number
}

export class OutgoingMigrations {
  private readonly scheduler: Scheduler
  private readonly log: Logger
  private readonly capacity: () => number
  /** Per receiver, in the order queued. */
  private readonly queues = new Map<string, OutgoingMigration[]>()
  /** Receivers waiting out a refusal. */
  private readonly resting = new Map<string, Timer>()
  private readonly running = new Set<Running>()
  /** Changes with every clear(): what a former view queued is not sent again. */
  private epoch = 0

  constructor(scheduler: Scheduler, log: Logger, capacity: () => number) {
    this.scheduler = scheduler
    this.log = log
    this.capacity = capacity
  }

  add(migration: OutgoingMigration): void {
    const queue = this.queues.get(migration.to)
    if (queue === undefined) this.queues.set(migration.to, [migration])
    else queue.push(migration)
  }

  /** Starts queued partitions while there is room, taking receivers in turn. */
  run(): void {
    while (this.running.size < this.capacity()) {
      const to = this.nextReceiver()
      if (to === undefined) return
      const queue = this.queues.get(to)!
      const migration = queue.shift()!
      // Moved to the back: the next start goes to another receiver.
      this.queues.delete(to)
      if (queue.length > 0) this.queues.set(to, queue)
      this.start(migration)
    }
  }

  private nextReceiver(): string | undefined {
    for (const to of this.queues.keys()) if (!this.resting.has(to)) return to
    return undefined
  }

  private start(migration: OutgoingMigration): void {
    const running = { migration, epoch: this.epoch }
    this.running.add(running)
    migration.send().then(() => {
      // The receiver's slot for it is free now: a receiver that refused may take the next one.
      this.resting.get(migration.to)?.cancel()
      this.resting.delete(migration.to)
    }, (err: unknown) => {
      if (running.epoch !== this.epoch) return
      if (!(err instanceof MigrationRefusedError && err.code === INCOMING_FULL)) {
        this.log.info({ to: migration.to, err: err instanceof Error ? err.message : String(err) }, 'migration stopped; retrying')
      }
      const queue = this.queues.get(migration.to)
      if (queue === undefined) this.queues.set(migration.to, [migration])
      else queue.unshift(migration)
      this.rest(migration.to)
    }).finally(() => {
      this.running.delete(running)
      this.run()
    })
  }

  private rest(to: string): void {
    if (this.resting.has(to)) return
    this.resting.set(to, this.scheduler.after(limits.migrationRetryMs, () => {
      this.resting.delete(to)
      this.run()
    }))
  }

  /** Forgets every queued partition (a new view plans again); those running stop at their next batch. */
  clear(): void {
    this.epoch++
    this.queues.clear()
    for (const timer of this.resting.values()) timer.cancel()
    this.resting.clear()
  }

  /** Partitions of the namespace (or all) still to send: queued, waiting on a receiver, or being sent. */
  remaining(ns?: string): number {
    let queued = 0
    for (const queue of this.queues.values()) for (const m of queue) if (ns === undefined || m.ns === ns) queued++
    return queued + this.active(ns)
  }

  /** Partitions of the namespace (or all) being sent now. */
  active(ns?: string): number {
    let n = 0
    for (const r of this.running) if (r.epoch === this.epoch && (ns === undefined || r.migration.ns === ns)) n++
    return n
  }
}
