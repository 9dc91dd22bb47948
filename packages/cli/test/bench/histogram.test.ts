import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Histogram } from '../../src/bench/histogram.ts'

const QUANTILES = [0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 1]

/** The oracle: the ceil(q*n)-th smallest value (at least the first). */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!
}

function filled(values: readonly number[], options?: ConstructorParameters<typeof Histogram>[0]): Histogram {
  const h = new Histogram(options)
  for (const v of values) h.record(v)
  return h
}

describe('Histogram', () => {
  test('an empty histogram reports zeros', () => {
    const h = new Histogram()
    assert.deepEqual(h.summary(), { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 })
    assert.deepEqual(h.buckets(), [])
  })

  test('values below 2^subBucketBits are exact', () => {
    const values = Array.from({ length: 256 }, (_, i) => i)
    const h = filled(values)
    for (const q of QUANTILES) assert.equal(h.valueAtQuantile(q), exactQuantile(values, q), `q=${q}`)
  })

  test('bucket index and range agree, and buckets tile the value range without gaps', () => {
    const h = new Histogram({ subBucketBits: 4, maxValueBits: 20 })
    let expectedLow = 0
    for (let i = 0; i <= h.bucketIndex(2 ** 20 - 1); i++) {
      const { low, high } = h.bucketRange(i)
      assert.equal(low, expectedLow, `bucket ${i} starts where the previous ended`)
      assert.equal(h.bucketIndex(low), i)
      assert.equal(h.bucketIndex(high), i)
      expectedLow = high + 1
    }
    assert.equal(expectedLow, 2 ** 20)
  })

  test('indexes values above 2^32 (clz32 alone cannot)', () => {
    const h = new Histogram({ maxValueBits: 50 })
    for (const v of [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 12345, 2 ** 40 + 7, 2 ** 50 - 1]) {
      const { low, high } = h.bucketRange(h.bucketIndex(v))
      assert.ok(low <= v && v <= high, `${v} in [${low}, ${high}]`)
    }
  })

  test('percentiles are within 1/2^(subBucketBits-1) above the sorted-array oracle', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.nat(300), fc.nat(100_000), fc.nat(2 ** 40)), { minLength: 1, maxLength: 400 }),
      fc.integer({ min: 2, max: 10 }),
      (values, subBucketBits) => {
        const h = filled(values, { subBucketBits, maxValueBits: 44 })
        const sorted = [...values].sort((a, b) => a - b)
        const relative = 1 / 2 ** (subBucketBits - 1)
        for (const q of QUANTILES) {
          const exact = exactQuantile(sorted, q)
          const reported = h.valueAtQuantile(q)
          assert.ok(reported >= exact, `q=${q}: ${reported} < oracle ${exact}`)
          assert.ok(reported - exact <= exact * relative, `q=${q}: ${reported} too far above oracle ${exact}`)
        }
        assert.equal(h.valueAtQuantile(1), sorted.at(-1))
        assert.equal(h.min, sorted[0])
        assert.equal(h.max, sorted.at(-1))
        assert.equal(h.count, values.length)
      },
    ), { interruptAfterTimeLimit: 3000, numRuns: 300 })
  })

  test('percentiles never decrease with the quantile', () => {
    fc.assert(fc.property(fc.array(fc.nat(10_000_000), { minLength: 1, maxLength: 300 }), (values) => {
      const h = filled(values)
      let previous = -1
      for (let q = 0; q <= 1.0001; q += 0.01) {
        const v = h.valueAtQuantile(q)
        assert.ok(v >= previous)
        previous = v
      }
    }), { interruptAfterTimeLimit: 2000 })
  })

  test('adding histograms equals recording everything into one', () => {
    fc.assert(fc.property(fc.array(fc.nat(1e9)), fc.array(fc.nat(1e9)), (a, b) => {
      const merged = filled(a)
      merged.add(filled(b))
      const direct = filled([...a, ...b])
      assert.deepEqual(merged.summary(), direct.summary())
      assert.deepEqual(merged.buckets(), direct.buckets())
    }), { interruptAfterTimeLimit: 2000 })
  })

  test('mean is exact; fractions round; negatives count as 0; values past the range keep an exact max', () => {
    const h = new Histogram({ subBucketBits: 8, maxValueBits: 10 })
    h.record(1.4)
    h.record(-3)
    h.record(5000)
    assert.equal(h.min, 0)
    assert.equal(h.max, 5000)
    assert.equal(h.mean, 5001 / 3)
    assert.equal(h.valueAtQuantile(1), 5000)
    assert.equal(h.valueAtQuantile(0.5), 1)
  })

  test('reset empties it; shapes must match to add', () => {
    const h = filled([1, 2, 3])
    h.reset()
    assert.equal(h.count, 0)
    assert.equal(h.valueAtQuantile(0.5), 0)
    assert.throws(() => h.add(new Histogram({ subBucketBits: 5 })), /different shapes/)
    assert.throws(() => new Histogram({ subBucketBits: 1 }), /subBucketBits/)
    assert.throws(() => new Histogram({ maxValueBits: 60 }), /maxValueBits/)
  })

  test('buckets() lists non-empty buckets by their highest value', () => {
    const h = filled([3, 3, 1000, 1001])
    const buckets = h.buckets()
    assert.deepEqual(buckets[0], [3, 2])
    assert.equal(buckets.reduce((n, [, c]) => n + c, 0), 4)
  })
})
