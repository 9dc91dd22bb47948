// The queue of changes waiting to ship: a record changed again before it shipped ships once, and a
// record that shipped less than hot-key-ms ago waits until then, without holding up the others.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ShipQueue } from '../../src/xdr/ship-queue.ts'

const digestOf = (n: number): Buffer => Buffer.alloc(20, n)
const taken = (queue: ShipQueue, nowMs: number, hotKeyMs: number): number[] => queue.take(100, nowMs, nowMs, hotKeyMs).map((change) => {
  queue.settle(change)
  return change.digest[0]!
})

test('a record that shipped less than hot-key-ms ago waits until then; the records behind it do not', () => {
  const queue = new ShipQueue(1000)
  queue.note(digestOf(1), 0, 1000, 1)
  assert.deepEqual(taken(queue, 1000, 100), [1])
  queue.note(digestOf(1), 0, 1010, 2)
  queue.note(digestOf(1), 0, 1020, 3)
  queue.note(digestOf(2), 0, 1030, 3)
  assert.equal(queue.hotKeys, 1)
  assert.deepEqual(taken(queue, 1040, 100), [2], 'record 1 shipped 40 ms ago')
  assert.equal(queue.oldestNotedAtMs, 1010, 'the held change still counts for the shipped point')
  assert.deepEqual(taken(queue, 1099, 100), [])
  assert.deepEqual(taken(queue, 1100, 100), [1], 'once per hot-key-ms, its latest version')
  assert.equal(queue.length, 0)
})

test('hot-key-ms 0 ships every change as soon as it is due', () => {
  const queue = new ShipQueue(1000)
  queue.note(digestOf(1), 0, 1000, 1)
  assert.deepEqual(taken(queue, 1000, 0), [1])
  queue.note(digestOf(1), 0, 1000, 2)
  assert.deepEqual(taken(queue, 1000, 0), [1])
})

test('a change put back after a failed send waits out hot-key-ms too, then ships its bins with a newer change', () => {
  const queue = new ShipQueue(1000)
  queue.note(digestOf(1), 0, 1000, 1, new Set(['a']))
  const [change] = queue.take(10, 1000, 1000, 100)
  queue.note(digestOf(1), 0, 1010, 2, new Set(['b']))
  queue.retry(change!)
  assert.equal(queue.take(10, 1050, 1050, 100).length, 0)
  const [again] = queue.take(10, 1100, 1100, 100)
  assert.deepEqual([...again!.changedBins!].sort(), ['a', 'b'])
})
