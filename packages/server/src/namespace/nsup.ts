// The expiry sweep (Aerospike's "nsup"): every nsup-period seconds, walk the partitions a few at a
// time and remove expired records, yielding to clients between steps.
import type { Timer } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from './namespace.ts'

export class ExpirySweeper {
  private readonly namespace: Namespace
  private readonly log: Logger
  private timer: Timer | undefined
  private running = false
  private stopped = false

  constructor(namespace: Namespace, log: Logger) {
    this.namespace = namespace
    this.log = log
  }

  /** (Re)schedules from the namespace's current nsup-period; 0 disables the sweep. */
  schedule(): void {
    this.timer?.cancel()
    this.timer = undefined
    const periodSeconds = this.namespace.config.nsupPeriodSeconds
    if (periodSeconds === 0 || this.stopped) return
    this.timer = this.namespace.env.scheduler.every(periodSeconds * 1000, () => void this.sweep())
  }

  stop(): void {
    this.stopped = true
    this.timer?.cancel()
  }

  /** One full pass over the namespace; resolves with the number of records removed. */
  async sweep(): Promise<number> {
    if (this.running) return 0
    this.running = true
    const { clock, scheduler } = this.namespace.env
    const startedMs = clock.monotonicMs()
    const objectsAtStart = this.namespace.objects
    let removed = 0
    try {
      for (let pid = 0; pid < limits.partitions && !this.stopped; pid++) {
        if (this.namespace.mastersPartition(pid)) removed += expirePartition(this.namespace, pid)
        if ((pid + 1) % limits.nsupPartitionsPerTurn === 0) await scheduler.yieldTurn()
      }
    } finally {
      this.running = false
    }
    const durationMs = Math.round(clock.monotonicMs() - startedMs)
    this.namespace.lastNsupCycleMs = durationMs
    this.namespace.lastNsupCycleDeletedPct = objectsAtStart === 0 ? 0 : (100 * removed) / objectsAtStart
    if (removed > 0) this.log.info({ ns: this.namespace.name, removed, durationMs }, 'nsup: removed expired records')
    return removed
  }
}

/** Removes every expired record of one partition; returns how many. */
export function expirePartition(ns: Namespace, pid: number): number {
  const now = ns.nowVoidTime()
  const removed = ns.removeWhere(pid, (id) => {
    const voidTime = ns.voidTimeOf(id)
    return voidTime !== 0 && voidTime < now
  }, 'expiry')
  ns.counters.expiredObjects += removed
  return removed
}
