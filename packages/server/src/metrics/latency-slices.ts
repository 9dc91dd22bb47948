// The last completed slice of the latency histograms (ticker-interval long, 10 s by default): what
// Aerospike's `latencies:` answers, as operations per second and the share of them over each bucket bound.
import type { Clock, Scheduler, Timer } from '@aerolite/protocol'
import { infoError, type InfoCommand } from '@aerolite/protocol'
import { LATENCY_BUCKETS, type LatencyHistograms } from './latency-histograms.ts'

export class LatencySlices {
  private readonly histograms: LatencyHistograms
  private readonly clock: Clock
  /** Cumulative counts when the current slice began. */
  private readonly atSliceStart: Float64Array
  /** Counts of the last completed slice, per histogram and bucket; undefined before the first ends. */
  private lastSlice: Float64Array | undefined
  private lastSliceSeconds = 0
  private sliceStartMs: number
  private timer: Timer | undefined

  constructor(histograms: LatencyHistograms, clock: Clock) {
    this.histograms = histograms
    this.clock = clock
    this.atSliceStart = histograms.counts.slice()
    this.sliceStartMs = clock.monotonicMs()
  }

  start(scheduler: Scheduler, sliceMs: number): void {
    this.timer = scheduler.every(sliceMs, () => this.endSlice())
  }

  stop(): void {
    this.timer?.cancel()
  }

  /** Closes the current slice: its counts become the last slice's. */
  endSlice(): void {
    const now = this.clock.monotonicMs()
    const counts = this.histograms.counts
    const slice = this.lastSlice ?? new Float64Array(counts.length)
    for (let i = 0; i < counts.length; i++) slice[i] = counts[i]! - this.atSliceStart[i]!
    this.atSliceStart.set(counts)
    this.lastSlice = slice
    this.lastSliceSeconds = Math.max((now - this.sliceStartMs) / 1000, 0.001)
    this.sliceStartMs = now
  }

  /**
   * Operations per second of the last slice at or under each bucket bound (the last entry: all of
   * them), for one histogram; undefined before the first slice has ended.
   */
  ratesAtOrUnder(histogram: number): Float64Array | undefined {
    if (this.lastSlice === undefined) return undefined
    const rates = new Float64Array(LATENCY_BUCKETS)
    let cumulative = 0
    for (let b = 0; b < LATENCY_BUCKETS; b++) {
      cumulative += this.lastSlice[histogram * LATENCY_BUCKETS + b]!
      rates[b] = cumulative / this.lastSliceSeconds
    }
    return rates
  }

  /**
   * `latencies:` and `latencies:hist=NAME`: per histogram `NAME:msec,<ops/s>,<% over 1 ms>,<% over 2 ms>…<% over 65536 ms>`,
   * or `NAME:` before the first slice has ended.
   */
  info(cmd: InfoCommand): string {
    const wanted = cmd.params.get('hist')
    const lines: string[] = []
    for (let h = 0; h < this.histograms.histogramCount; h++) {
      const name = this.histograms.infoNameOf(h)
      if (wanted !== undefined && wanted !== name) continue
      lines.push(`${name}:${this.sliceText(h)}`)
    }
    if (wanted !== undefined && lines.length === 0) return infoError(4, `no histogram "${wanted}" (e.g. {ns}-read, {ns}-write, {ns}-udf, {ns}-query, batch-index)`)
    return lines.join(';')
  }

  private sliceText(histogram: number): string {
    const rates = this.ratesAtOrUnder(histogram)
    if (rates === undefined) return ''
    const total = rates[LATENCY_BUCKETS - 1]!
    const columns = [total.toFixed(1)]
    // Percent of operations over each bound: 1, 2, 4 … 65536 ms.
    for (let b = 0; b < LATENCY_BUCKETS - 1; b++) columns.push(total === 0 ? '0.00' : ((100 * (total - rates[b]!)) / total).toFixed(2))
    return `msec,${columns.join(',')}`
  }
}
