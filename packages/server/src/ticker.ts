// The periodic ticker log line per namespace, like Aerospike's: objects, memory, throughput.
import type { Env, Timer } from '@aerolite/protocol'
import type { Logger } from './log.ts'
import type { Namespace } from './namespace/namespace.ts'

export class Ticker {
  /** The map itself, walked afresh on every tick (an iterator would be spent after the first). */
  private readonly namespaces: ReadonlyMap<string, Namespace>
  private readonly log: Logger
  private readonly env: Env
  private timer: Timer | undefined
  private lastOps = new Map<string, number>()
  private lastMs: number

  constructor(namespaces: ReadonlyMap<string, Namespace>, log: Logger, env: Env) {
    this.namespaces = namespaces
    this.log = log
    this.env = env
    this.lastMs = env.clock.monotonicMs()
  }

  start(intervalSeconds: number): void {
    this.timer = this.env.scheduler.every(intervalSeconds * 1000, () => this.tick())
  }

  stop(): void {
    this.timer?.cancel()
  }

  tick(): void {
    const now = this.env.clock.monotonicMs()
    const seconds = Math.max((now - this.lastMs) / 1000, 0.001)
    this.lastMs = now
    for (const ns of this.namespaces.values()) {
      const c = ns.counters
      const ops = c.clientReadSuccess + c.clientReadNotFound + c.clientReadError + c.clientWriteSuccess + c.clientWriteError +
        c.clientDeleteSuccess + c.clientDeleteNotFound + c.clientDeleteError
      const opsPerSecond = Math.round((ops - (this.lastOps.get(ns.name) ?? 0)) / seconds)
      this.lastOps.set(ns.name, ops)
      this.log.info({
        ns: ns.name,
        objects: ns.objects,
        dataUsedBytes: ns.blocks.liveBytes,
        dataAllocatedBytes: ns.blocks.allocatedBytes,
        indexBytes: ns.indexMemoryBytes,
        usedPct: Number(ns.usedPct().toFixed(2)),
        opsPerSecond,
        expired: c.expiredObjects,
        stopWrites: ns.isStopWrites(),
      }, 'ticker')
    }
  }
}
