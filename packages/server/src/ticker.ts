// The periodic ticker log line per namespace, like Aerospike's: objects, memory, throughput.
import type { Logger } from './log.ts'
import type { Namespace } from './namespace/namespace.ts'

export class Ticker {
  private readonly namespaces: Iterable<Namespace>
  private readonly log: Logger
  private timer: NodeJS.Timeout | undefined
  private lastOps = new Map<string, number>()
  private lastMs = Date.now()

  constructor(namespaces: Iterable<Namespace>, log: Logger) {
    this.namespaces = namespaces
    this.log = log
  }

  start(intervalSeconds: number): void {
    this.timer = setInterval(() => this.tick(), intervalSeconds * 1000)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  tick(): void {
    const now = Date.now()
    const seconds = Math.max((now - this.lastMs) / 1000, 0.001)
    this.lastMs = now
    for (const ns of this.namespaces) {
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
