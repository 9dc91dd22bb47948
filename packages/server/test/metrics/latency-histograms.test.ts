import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseInfoCommand } from '@aerolite/protocol'
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS, LatencyHistograms, LatencyKind, latencyBucket } from '../../src/metrics/latency-histograms.ts'
import { LatencySlices } from '../../src/metrics/latency-slices.ts'

test('a duration falls in the first bucket whose bound it does not exceed', () => {
  assert.equal(latencyBucket(0), 0)
  assert.equal(latencyBucket(1), 0)
  assert.equal(latencyBucket(1.0001), 1)
  assert.equal(latencyBucket(2), 1)
  assert.equal(latencyBucket(65536), 16)
  assert.equal(latencyBucket(65536.5), 17)
  assert.equal(latencyBucket(1e12), 17)
  assert.equal(latencyBucket(Number.NaN), 0)
  fc.assert(fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (ms) => {
    const b = latencyBucket(ms)
    if (b < LATENCY_BOUNDS_MS.length) assert.ok(ms <= LATENCY_BOUNDS_MS[b]!, `${ms} ≤ ${LATENCY_BOUNDS_MS[b]}`)
    if (b > 0) assert.ok(ms > LATENCY_BOUNDS_MS[b - 1]!, `${ms} > ${LATENCY_BOUNDS_MS[b - 1]}`)
  }))
})

function manualClock(): { clock: { nowMs(): number; monotonicMs(): number }; advance(ms: number): void } {
  let now = 1000
  return { clock: { nowMs: () => now, monotonicMs: () => now }, advance: (ms) => { now += ms } }
}

test('latencies: answers the last completed slice as ops/s and the percent over each bound, as Aerospike does', () => {
  const histograms = new LatencyHistograms(['test', 'bar'])
  const { clock, advance } = manualClock()
  const slices = new LatencySlices(histograms, clock)
  const read = LatencyHistograms.histogramOf(0, LatencyKind.read)
  assert.equal(slices.info(parseInfoCommand('latencies:hist={test}-read')), '{test}-read:', 'no slice has ended yet')
  // 10 s of 100 reads: 90 under 1 ms, 8 of 3 ms, 2 of 100 ms.
  for (let i = 0; i < 90; i++) histograms.record(read, 0.2)
  for (let i = 0; i < 8; i++) histograms.record(read, 3)
  for (let i = 0; i < 2; i++) histograms.record(read, 100)
  histograms.record(histograms.batchIndex, 5)
  advance(10_000)
  slices.endSlice()
  // A later read counts in the next slice, not in the answer.
  histograms.record(read, 0.5)
  const answer = slices.info(parseInfoCommand('latencies:'))
  const lines = answer.split(';')
  assert.deepEqual(lines.map((l) => l.slice(0, l.indexOf(':'))), ['{test}-read', '{test}-write', '{test}-udf', '{test}-query', '{bar}-read', '{bar}-write', '{bar}-udf', '{bar}-query', 'batch-index'])
  const columns = lines[0]!.slice('{test}-read:'.length).split(',')
  assert.equal(columns.length, 2 + 17, 'msec, ops/s and 17 bounds (1 ms … 65536 ms)')
  assert.deepEqual(columns.slice(0, 10), ['msec', '10.0', '10.00', '10.00', '2.00', '2.00', '2.00', '2.00', '2.00', '0.00'])
  assert.equal(lines[8], 'batch-index:msec,0.1,100.00,100.00,100.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00')
  assert.equal(lines[1], `{test}-write:msec,0.0,${Array(17).fill('0.00').join(',')}`)
  const rates = slices.ratesAtOrUnder(read)!
  assert.equal(rates.length, LATENCY_BUCKETS)
  assert.equal(rates[0], 9)
  assert.equal(rates[LATENCY_BUCKETS - 1], 10)
  assert.match(slices.info(parseInfoCommand('latencies:hist=nope')), /^ERROR:4:no histogram "nope"/)
  advance(5000)
  slices.endSlice()
  assert.equal(slices.info(parseInfoCommand('latencies:hist={test}-read')).split(',')[1], '0.2', 'one read in 5 s')
})
