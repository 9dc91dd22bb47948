// Latency histograms of client commands, as Aerospike keeps them: per namespace read, write, udf
// and query, and one node-wide batch-index. Buckets are powers of two of milliseconds (≤1, ≤2, ≤4
// … ≤65536, and over). Recording is one index computation and two additions in typed arrays; the
// text for `latencies:` and /metrics is built only when asked.

/** Bucket upper bounds in ms: 2^0 … 2^16. A last bucket holds what is over 65536 ms. */
export const LATENCY_BOUNDS_MS: readonly number[] = Array.from({ length: 17 }, (_, i) => 2 ** i)
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1

export const NAMESPACE_LATENCY_KINDS = ['read', 'write', 'udf', 'query'] as const
export type NamespaceLatencyKind = (typeof NAMESPACE_LATENCY_KINDS)[number]
export const LATENCY_KIND_COUNT = NAMESPACE_LATENCY_KINDS.length
/** The index of a namespace kind in NAMESPACE_LATENCY_KINDS. */
export const LatencyKind = { read: 0, write: 1, udf: 2, query: 3 } as const satisfies Record<NamespaceLatencyKind, number>

/** One histogram's name as `latencies:` gives it: `{ns}-read` …, or `batch-index`. */
export interface HistogramName {
  /** Undefined for the node-wide batch-index histogram. */
  namespace: string | undefined
  kind: NamespaceLatencyKind | 'batch-index'
}

/** The bucket of a duration: ≤1 ms is bucket 0, (2^(i-1), 2^i] ms is bucket i, over 65536 ms the last. */
export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0
  const whole = Math.ceil(Math.min(ms, 2 ** 30))
  return Math.min(LATENCY_BUCKETS - 1, 32 - Math.clz32(whole - 1))
}

export class LatencyHistograms {
  readonly namespaces: readonly string[]
  /** Counts per histogram and bucket (not cumulative), since the node started. */
  readonly counts: Float64Array
  /** Total ms per histogram. */
  readonly sumsMs: Float64Array

  constructor(namespaces: readonly string[]) {
    this.namespaces = namespaces
    const histograms = namespaces.length * LATENCY_KIND_COUNT + 1
    this.counts = new Float64Array(histograms * LATENCY_BUCKETS)
    this.sumsMs = new Float64Array(histograms)
  }

  get histogramCount(): number {
    return this.sumsMs.length
  }

  /** The histogram of a namespace (its index in `namespaces`) and kind. */
  static histogramOf(namespaceIndex: number, kind: number): number {
    return namespaceIndex * LATENCY_KIND_COUNT + kind
  }

  /** The node-wide batch-index histogram. */
  get batchIndex(): number {
    return this.sumsMs.length - 1
  }

  record(histogram: number, ms: number): void {
    this.counts[histogram * LATENCY_BUCKETS + latencyBucket(ms)]! += 1
    this.sumsMs[histogram]! += ms
  }

  nameOf(histogram: number): HistogramName {
    if (histogram === this.batchIndex) return { namespace: undefined, kind: 'batch-index' }
    const perNamespace = LATENCY_KIND_COUNT
    return { namespace: this.namespaces[Math.floor(histogram / perNamespace)], kind: NAMESPACE_LATENCY_KINDS[histogram % perNamespace]! }
  }

  /** The name `latencies:` answers for a histogram: `{test}-read`, `batch-index`. */
  infoNameOf(histogram: number): string {
    const { namespace, kind } = this.nameOf(histogram)
    return namespace === undefined ? kind : `{${namespace}}-${kind}`
  }
}
