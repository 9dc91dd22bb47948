// The expiry sweep (Aerospike's "nsup"): every nsup-period seconds, walk the partitions a few at a
// time and remove expired records, yielding to clients between steps.
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from './namespace.ts'

export class ExpirySweeper {
  private readonly namespace: Namespace
  private readonly log: Logger
  private timer: NodeJS.Timeout | undefined
  private running = false
  private stopped = false

  constructor(namespace: Namespace, log: Logger) {
    this.namespace = namespace
    this.log = log
  }

  /** (Re)schedules from the namespace's current nsup-period; 0 disables the sweep. */
  schedule(): void {
    clearInterval(this.timer)
    this.timer = undefined
    const periodSeconds = this.namespace.config.nsupPeriodSeconds
    if (periodSeconds === 0 || this.stopped) return
    this.timer = setInterval(() => void this.sweep(), periodSeconds * 1000)
    this.timer.unref()
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
  }

  /** One full pass over the namespace; resolves with the number of records removed. */
  async sweep(): Promise<number> {
    if (this.running) return 0
    this.running = true
    const startedMs = Date.now()
    let removed = 0
    try {
      for (let pid = 0; pid < limits.partitions && !this.stopped; pid++) {
        removed += expirePartition(this.namespace, pid)
        if ((pid + 1) % limits.nsupPartitionsPerTurn === 0) await new Promise((resolve) => setImmediate(resolve))
      }
    } finally {
      this.running = false
    }
    this.namespace.lastNsupCycleMs = Date.now() - startedMs
    if (removed > 0) this.log.info({ ns: this.namespace.name, removed, durationMs: Date.now() - startedMs }, 'nsup: removed expired records')
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
