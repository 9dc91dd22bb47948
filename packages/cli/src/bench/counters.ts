// What the run counts, per interval and in total.
import { Histogram } from './histogram.ts'

export class Counters {
  reads = 0
  readsNotFound = 0
  writes = 0
  errors = 0
  timeouts = 0
  readLatencyNs = new Histogram()
  writeLatencyNs = new Histogram()
  /** Result code -> count, for failed commands. */
  readonly errorCodes = new Map<number, number>()

  countError(resultCode: number): void {
    this.errors++
    this.errorCodes.set(resultCode, (this.errorCodes.get(resultCode) ?? 0) + 1)
  }

  add(other: Counters): void {
    this.reads += other.reads
    this.readsNotFound += other.readsNotFound
    this.writes += other.writes
    this.errors += other.errors
    this.timeouts += other.timeouts
    this.readLatencyNs.add(other.readLatencyNs)
    this.writeLatencyNs.add(other.writeLatencyNs)
    for (const [code, count] of other.errorCodes) this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + count)
  }

  reset(): void {
    this.reads = 0
    this.readsNotFound = 0
    this.writes = 0
    this.errors = 0
    this.timeouts = 0
    this.readLatencyNs.reset()
    this.writeLatencyNs.reset()
    this.errorCodes.clear()
  }

  /** Reads and writes together. */
  latencyNs(): Histogram {
    const all = new Histogram()
    all.add(this.readLatencyNs)
    all.add(this.writeLatencyNs)
    return all
  }
}
