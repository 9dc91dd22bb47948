// Reply record_ttl fields carry void times (seconds since 2010-01-01).
// read-touch-ttl-percent decides on elapsed milliseconds, so the whole-second void time of a
// record written late in a second does not make a read touch it early.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Info1, ParticleType } from '@aerolite/protocol'
import { makeNamespace, put, run, write } from './harness.ts'

const CITRUSLEAF_EPOCH_MS = 1262304000000
const NEVER = 0xffffffff

function fakeClock(startMs: number) {
  const clock = { ms: startMs, nowMs: () => clock.ms }
  return clock
}

const readWithTouchPercent = (ns: ReturnType<typeof makeNamespace>, key: string, percent: number) =>
  run(ns, { info1: Info1.READ | Info1.GET_ALL, recordTtl: percent }, key)

test('60% does not touch 3.002 s after a put with ttl 10 made at the end of a second', () => {
  const clock = fakeClock(CITRUSLEAF_EPOCH_MS + 100_999)
  const ns = makeNamespace(() => {}, clock)
  put(ns, 'k', [write('i', ParticleType.INTEGER, Buffer.from([0, 0, 0, 0, 0, 0, 0, 2]))], { recordTtl: 10 })
  clock.ms += 3002
  const first = readWithTouchPercent(ns, 'k', 60)
  assert.equal(first.resultCode, 0)
  // Void time 110 and now 104 leave six whole seconds, yet only 3.002 s of the ttl have passed.
  assert.equal(first.recordTtl, 110, 'untouched')
  clock.ms += 1000 // 4.002 s after the write: 40% of the ttl has passed
  assert.equal(readWithTouchPercent(ns, 'k', 60).recordTtl, 110, 'the touching read reports the record as read')
  assert.equal(readWithTouchPercent(ns, 'k', NEVER).recordTtl, 105 + 10, 'touched')
})

test('80% touches once 20% of the ttl has passed, and 0xffffffff never touches', () => {
  const clock = fakeClock(CITRUSLEAF_EPOCH_MS + 500_000)
  const ns = makeNamespace(() => {}, clock)
  put(ns, 'k', [write('i', ParticleType.INTEGER, Buffer.alloc(8))], { recordTtl: 10 })
  clock.ms += 1999
  assert.equal(readWithTouchPercent(ns, 'k', 80).recordTtl, 510, 'untouched')
  clock.ms += 1001
  assert.equal(readWithTouchPercent(ns, 'k', NEVER).recordTtl, 510, 'never touches')
  readWithTouchPercent(ns, 'k', 80)
  assert.equal(readWithTouchPercent(ns, 'k', NEVER).recordTtl, 503 + 10, 'touched')
})
