import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { PARTITION_COUNT } from '@aerolite/protocol'
import { ReplicasFormatError, encodeBitmap, holdsPartition, parseReplicas } from '../src/index.ts'

const ALL = Buffer.alloc(512, 0xff).toString('base64')

describe('parseReplicas', () => {
  test('a single node owning everything (the wire reference example)', () => {
    assert.equal(ALL.length, 684)
    const [entry, ...rest] = parseReplicas(`test:0,1,${ALL}`)
    assert.equal(rest.length, 0)
    assert.equal(entry!.namespace, 'test')
    assert.equal(entry!.regime, 0)
    assert.equal(entry!.bitmaps.length, 1)
    for (let pid = 0; pid < PARTITION_COUNT; pid++) assert.ok(holdsPartition(entry!.bitmaps[0]!, pid))
  })

  test('several namespaces, two replica columns, SC regime', () => {
    const even = encodeBitmap(Array.from({ length: 2048 }, (_, i) => i * 2))
    const odd = encodeBitmap(Array.from({ length: 2048 }, (_, i) => i * 2 + 1))
    const entries = parseReplicas(`a:0,2,${even},${odd};b:3,1,${odd}`)
    assert.deepEqual(entries.map((e) => [e.namespace, e.regime, e.bitmaps.length]), [['a', 0, 2], ['b', 3, 1]])
    assert.ok(holdsPartition(entries[0]!.bitmaps[0]!, 0))
    assert.ok(!holdsPartition(entries[0]!.bitmaps[0]!, 1))
    assert.ok(holdsPartition(entries[0]!.bitmaps[1]!, 4095))
  })

  test('bit order is MSB first: partition 0 is 0x80 of byte 0', () => {
    const bitmap = Buffer.from(encodeBitmap([0, 9]), 'base64')
    assert.equal(bitmap[0], 0x80)
    assert.equal(bitmap[1], 0x40)
  })

  test('encode then parse gives back the same partitions', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 4095 }), { maxLength: 200 }), (pids) => {
      const [entry] = parseReplicas(`ns:0,1,${encodeBitmap(pids)}`)
      const owned = new Set(pids)
      for (let pid = 0; pid < PARTITION_COUNT; pid++) assert.equal(holdsPartition(entry!.bitmaps[0]!, pid), owned.has(pid))
    }), { interruptAfterTimeLimit: 2000, numRuns: 50 })
  })

  test('an empty value has no namespaces', () => {
    assert.deepEqual(parseReplicas(''), [])
  })

  for (const [value, pattern] of [
    [`${ALL}`, /does not start with a namespace name/],
    [`:0,1,${ALL}`, /does not start with a namespace name/],
    [`${'n'.repeat(32)}:0,1,${ALL}`, /does not start with a namespace name/],
    [`test:0,1`, /is not "<regime>,<count>,<bitmap>/],
    [`test:x,1,${ALL}`, /is not "<regime>,<count>,<bitmap>/],
    [`test:0,0,${ALL}`, /replica count 0/],
    [`test:0,2,${ALL}`, /declares 2 bitmaps and has 1/],
    [`test:0,1,${ALL.slice(4)}`, /680 characters of base64, expected 684/],
    [`test:0,1,${'*'.repeat(684)}`, /expected 684/],
  ] as const) {
    test(`rejects ${value.slice(0, 30)}`, () => {
      assert.throws(() => parseReplicas(value), (err: unknown) => err instanceof ReplicasFormatError && pattern.test(err.message))
    })
  }
})
