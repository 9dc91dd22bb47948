import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomKeys, sequentialKeys } from '../../src/bench/key-chooser.ts'
import { Random } from '../../src/bench/random.ts'

describe('key choosers', () => {
  test('sequential keys cover the range once, then -1', () => {
    const keys = sequentialKeys(3)
    assert.deepEqual([keys.next(), keys.next(), keys.next(), keys.next(), keys.next()], [0, 1, 2, -1, -1])
  })

  test('uniform keys stay in range and spread evenly', () => {
    const keys = randomKeys(10, { kind: 'uniform' }, new Random(7))
    const counts = new Array<number>(10).fill(0)
    for (let i = 0; i < 100_000; i++) counts[keys.next()]!++
    for (const c of counts) assert.ok(c > 9000 && c < 11000, `count ${c}`)
  })

  test('hot,90,10 sends about 90% of commands to the first 10% of keys', () => {
    const keys = randomKeys(1000, { kind: 'hot', opsPercent: 90, keysPercent: 10 }, new Random(3))
    let hot = 0
    for (let i = 0; i < 100_000; i++) {
      const k = keys.next()
      assert.ok(k >= 0 && k < 1000)
      if (k < 100) hot++
    }
    assert.ok(hot > 89_000 && hot < 91_000, `hot ${hot}`)
  })

  test('a hot set of every key is uniform; a tiny range still has one hot key', () => {
    const all = randomKeys(5, { kind: 'hot', opsPercent: 50, keysPercent: 100 }, new Random(1))
    for (let i = 0; i < 1000; i++) assert.ok(all.next() < 5)
    const tiny = randomKeys(3, { kind: 'hot', opsPercent: 100, keysPercent: 1 }, new Random(1))
    for (let i = 0; i < 100; i++) assert.equal(tiny.next(), 0)
  })

  test('the same seed gives the same sequence', () => {
    const a = new Random(99)
    const b = new Random(99)
    for (let i = 0; i < 100; i++) assert.equal(a.nextUint32(), b.nextUint32())
    assert.notEqual(new Random(1).nextUint32(), new Random(2).nextUint32())
  })
})
