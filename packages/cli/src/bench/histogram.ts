// A log-linear histogram in the manner of HdrHistogram: values below 2^subBucketBits get one bucket
// each; above, every power-of-two range is cut into 2^(subBucketBits-1) equal buckets, so a reported
// percentile is within 1/2^(subBucketBits-1) of the true value (0.8% with the default 8 bits).
// Recording is a few integer operations and one array increment; nothing is allocated.

const TWO_POW_32 = 4294967296

export interface HistogramOptions {
  /** Exact below 2^subBucketBits; relative error at most 2^-(subBucketBits-1) above. 2..16. */
  subBucketBits?: number
  /** Values at or above 2^maxValueBits are counted in the last bucket (max stays exact). 8..52. */
  maxValueBits?: number
}

export interface HistogramSummary {
  count: number
  min: number
  mean: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
}

export class Histogram {
  readonly subBucketBits: number
  readonly maxValueBits: number
  private readonly subBucketCount: number
  private readonly halfCount: number
  private readonly maxTrackable: number
  private readonly counts: Float64Array
  private total = 0
  private sum = 0
  private minValue = Number.POSITIVE_INFINITY
  private maxValue = 0

  constructor(options: HistogramOptions = {}) {
    const subBucketBits = options.subBucketBits ?? 8
    const maxValueBits = options.maxValueBits ?? 44
    if (!Number.isInteger(subBucketBits) || subBucketBits < 2 || subBucketBits > 16) throw new RangeError(`subBucketBits ${subBucketBits} is not an integer in 2..16`)
    if (!Number.isInteger(maxValueBits) || maxValueBits < subBucketBits || maxValueBits > 52) throw new RangeError(`maxValueBits ${maxValueBits} is not an integer in ${subBucketBits}..52`)
    this.subBucketBits = subBucketBits
    this.maxValueBits = maxValueBits
    this.subBucketCount = 2 ** subBucketBits
    this.halfCount = this.subBucketCount / 2
    this.maxTrackable = 2 ** maxValueBits - 1
    this.counts = new Float64Array(this.bucketIndex(this.maxTrackable) + 1)
  }

  get count(): number {
    return this.total
  }

  get max(): number {
    return this.maxValue
  }

  get min(): number {
    return this.total === 0 ? 0 : this.minValue
  }

  get mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total
  }

  /** Records a non-negative value; fractions are rounded, negatives count as 0. */
  record(value: number): void {
    const v = value > 0 ? Math.round(value) : 0
    const clamped = v <= this.maxTrackable ? v : this.maxTrackable
    this.counts[this.bucketIndex(clamped)]!++
    this.total++
    this.sum += v
    if (v < this.minValue) this.minValue = v
    if (v > this.maxValue) this.maxValue = v
  }

  /** The bucket a value falls in. */
  bucketIndex(value: number): number {
    if (value < this.subBucketCount) return value
    const exponent = value < TWO_POW_32 ? 31 - Math.clz32(value) : 63 - Math.clz32(Math.floor(value / TWO_POW_32))
    const shift = exponent - this.subBucketBits + 1
    const mantissa = value < TWO_POW_32 ? value >>> shift : Math.floor(value / 2 ** shift)
    return this.subBucketCount + (shift - 1) * this.halfCount + (mantissa - this.halfCount)
  }

  /** The smallest and largest value of a bucket. */
  bucketRange(index: number): { low: number; high: number } {
    if (index < this.subBucketCount) return { low: index, high: index }
    const k = index - this.subBucketCount
    const shift = Math.floor(k / this.halfCount) + 1
    const mantissa = (k % this.halfCount) + this.halfCount
    return { low: mantissa * 2 ** shift, high: (mantissa + 1) * 2 ** shift - 1 }
  }

  /**
   * The value at quantile q (0..1): the highest value of the bucket holding the ceil(q*count)-th
   * smallest recorded value, capped at the largest value recorded (exactly the max for the last
   * rank). 0 when empty.
   */
  valueAtQuantile(q: number): number {
    if (this.total === 0) return 0
    const rank = Math.max(1, Math.ceil(Math.min(Math.max(q, 0), 1) * this.total))
    if (rank === this.total) return this.maxValue
    const last = this.counts.length - 1
    let seen = 0
    for (let i = 0; i < last; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return Math.min(this.bucketRange(i).high, this.maxValue)
    }
    // The last bucket also holds every value past the range.
    return this.maxValue
  }

  summary(): HistogramSummary {
    return {
      count: this.total,
      min: this.min,
      mean: this.mean,
      p50: this.valueAtQuantile(0.5),
      p90: this.valueAtQuantile(0.9),
      p99: this.valueAtQuantile(0.99),
      p999: this.valueAtQuantile(0.999),
      max: this.maxValue,
    }
  }

  /** Adds another histogram's counts (same shape) into this one. */
  add(other: Histogram): void {
    if (other.subBucketBits !== this.subBucketBits || other.maxValueBits !== this.maxValueBits) throw new RangeError('histograms of different shapes cannot be added')
    if (other.total === 0) return
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!
    this.total += other.total
    this.sum += other.sum
    if (other.minValue < this.minValue) this.minValue = other.minValue
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue
  }

  reset(): void {
    this.counts.fill(0)
    this.total = 0
    this.sum = 0
    this.minValue = Number.POSITIVE_INFINITY
    this.maxValue = 0
  }

  /** Non-empty buckets as [highest value of the bucket, count], for machine-readable output. */
  buckets(): [number, number][] {
    const out: [number, number][] = []
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]! > 0) out.push([this.bucketRange(i).high, this.counts[i]!])
    return out
  }
}
