// Human lines (progress, summary) and the machine-readable JSON of a run.
import type { HistogramSummary } from './histogram.ts'
import type { Counters } from './counters.ts'
import type { BenchOptions } from './options.ts'
import type { IntervalReport, RunResult } from './runner.ts'

const NS_PER_MS = 1e6

function ms(ns: number): string {
  return (ns / NS_PER_MS).toFixed(3)
}

function pad(text: string, width: number): string {
  return text.padStart(width)
}

export function progressLine(report: IntervalReport): string {
  const { counters, intervalSeconds } = report
  const latency = counters.latencyNs()
  return [
    `${pad(report.elapsedSeconds.toFixed(0), 4)}s`,
    `reads ${pad(Math.round(counters.reads / intervalSeconds).toString(), 7)}/s`,
    `writes ${pad(Math.round(counters.writes / intervalSeconds).toString(), 7)}/s`,
    `errors ${counters.errors}`,
    `timeouts ${counters.timeouts}`,
    `p50 ${ms(latency.valueAtQuantile(0.5))} ms`,
    `p99 ${ms(latency.valueAtQuantile(0.99))} ms`,
  ].join('  ') + '\n'
}

export interface BenchFigures {
  ops: number
  opsPerSecond: number
  readsPerSecond: number
  writesPerSecond: number
  latencyMs: { all: HistogramSummary; reads: HistogramSummary; writes: HistogramSummary }
  generatorCpuMicrosPerOp: number
  serverCpuMicrosPerOp: number | undefined
}

export function figures(result: RunResult): BenchFigures {
  const t = result.total
  const answered = t.reads + t.writes + t.errors
  const seconds = Math.max(result.elapsedSeconds, 1e-9)
  return {
    ops: t.reads + t.writes,
    opsPerSecond: (t.reads + t.writes) / seconds,
    readsPerSecond: t.reads / seconds,
    writesPerSecond: t.writes / seconds,
    latencyMs: { all: inMs(t.latencyNs().summary()), reads: inMs(t.readLatencyNs.summary()), writes: inMs(t.writeLatencyNs.summary()) },
    generatorCpuMicrosPerOp: answered === 0 ? 0 : result.generatorCpuMicros / answered,
    serverCpuMicrosPerOp: result.serverCpuMicros === undefined || answered === 0 ? undefined : result.serverCpuMicros / answered,
  }
}

function inMs(s: HistogramSummary): HistogramSummary {
  return { count: s.count, min: s.min / NS_PER_MS, mean: s.mean / NS_PER_MS, p50: s.p50 / NS_PER_MS, p90: s.p90 / NS_PER_MS, p99: s.p99 / NS_PER_MS, p999: s.p999 / NS_PER_MS, max: s.max / NS_PER_MS }
}

export function summaryText(result: RunResult, options: BenchOptions): string {
  const t = result.total
  const f = figures(result)
  const row = (label: string, s: HistogramSummary): string =>
    `  ${label.padEnd(7)}${[s.p50, s.p90, s.p99, s.p999, s.max].map((v) => pad(v.toFixed(3), 9)).join('')}${pad(String(s.count), 11)}\n`
  let text = `summary: ${f.ops} ops in ${result.elapsedSeconds.toFixed(2)} s = ${Math.round(f.opsPerSecond)} ops/s `
    + `(reads ${Math.round(f.readsPerSecond)}/s, writes ${Math.round(f.writesPerSecond)}/s); `
    + `not found ${t.readsNotFound}, errors ${t.errors}, timeouts ${t.timeouts}\n`
  if (t.errorCodes.size > 0) text += `errors by code: ${[...t.errorCodes].map(([code, n]) => `${code}: ${n}`).join(', ')}\n`
  text += `latency ms     p50      p90      p99    p99.9      max      count\n`
  text += row('all', f.latencyMs.all)
  if (t.reads > 0 && t.writes > 0) text += row('reads', f.latencyMs.reads) + row('writes', f.latencyMs.writes)
  text += `CPU per op: generator ${f.generatorCpuMicrosPerOp.toFixed(1)} µs`
  if (f.serverCpuMicrosPerOp !== undefined) text += `, server (pid ${options.serverPid}) ${f.serverCpuMicrosPerOp.toFixed(1)} µs`
  return text + '\n'
}

export function resultJson(result: RunResult, options: BenchOptions, argv: readonly string[], version: string): unknown {
  const t = result.total
  return {
    tool: `aerolite bench ${version}`,
    command: ['aerolite', 'bench', ...argv].join(' '),
    options: { ...options, help: undefined },
    startedAt: result.startedAt,
    setupMs: result.setupMs,
    elapsedSeconds: result.elapsedSeconds,
    cluster: result.cluster,
    totals: counts(t),
    ...figures(result),
    latencyHistogramNs: { subBucketBits: t.readLatencyNs.subBucketBits, buckets: t.latencyNs().buckets() },
    intervals: result.intervals.map((i) => ({ ...i, p50Ms: i.p50Ns / NS_PER_MS, p99Ms: i.p99Ns / NS_PER_MS, p50Ns: undefined, p99Ns: undefined })),
    serverPid: options.serverPid,
  }
}

function counts(t: Counters): Record<string, unknown> {
  return { reads: t.reads, readsNotFound: t.readsNotFound, writes: t.writes, errors: t.errors, timeouts: t.timeouts, errorsByCode: Object.fromEntries(t.errorCodes) }
}
