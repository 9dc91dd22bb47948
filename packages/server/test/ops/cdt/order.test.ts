import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Double, GeoJson, MsgpackExt, packValue, type Value } from '@aerolite/protocol'
import { compareElements } from '../../../src/ops/cdt/order.ts'
import { canonicalValue } from '../../../src/ops/cdt/canonical.ts'
import { assertCode, INF, WILDCARD } from './cdt-helpers.ts'

const cmp = (a: Value, b: Value): number => compareElements(packValue(a), packValue(b))

test('values order by type: nil, bool, int, string, list, map, blob, double, geojson, infinity', () => {
  const ascending: Value[] = [
    null, false, true, -(2n ** 63n), -1, 0, 2n ** 64n - 1n, '', 'a', 'b', [], [0], new Map([[1, 1]]),
    Buffer.of(0), new Double(-1), new Double(0.5), new GeoJson('{}'), INF,
  ]
  for (let i = 0; i < ascending.length; i++) {
    for (let j = 0; j < ascending.length; j++) {
      assert.equal(cmp(ascending[i]!, ascending[j]!), Math.sign(i - j), `${i} vs ${j}`)
    }
  }
})

test('lists compare element by element then by length; maps by size first', () => {
  assert.equal(cmp([1, 2], [1, 3]), -1)
  assert.equal(cmp([1, 2], [1]), 1)
  assert.equal(cmp([[1, 9]], [[5]]), -1)
  assert.equal(cmp(new Map([[9, 9]]), new Map([[1, 1], [2, 2]])), -1)
  assert.equal(cmp(['abc'], ['abd']), -1)
})

test('a wildcard matches anything from where it stands', () => {
  assert.equal(cmp(WILDCARD, 5), 0)
  assert.equal(cmp([1, WILDCARD], [1, 'x', 3]), 0)
  assert.equal(cmp([2, WILDCARD], [1, 'x']), 1)
})

test('the stored form: shortest integers, sorted maps, refused wildcards and bad keys', () => {
  assert.deepEqual(canonicalValue(Buffer.of(0x91, 0xd0, 0x05)), Buffer.of(0x91, 0x05))
  assert.deepEqual(canonicalValue(packValue(new Map([['b', 1], ['a', 2]]))), packValue(new Map([['a', 2], ['b', 1]])))
  assertCode(4, () => canonicalValue(packValue([WILDCARD])))
  assertCode(4, () => canonicalValue(packValue(new Map([[[1], 1]]))))
  assertCode(4, () => canonicalValue(Buffer.of(0x82, 0xa2, 0x03, 0x61, 0x01, 0xa2, 0x03, 0x61, 0x02)))
  assertCode(4, () => canonicalValue(packValue([new MsgpackExt(1, Buffer.alloc(0)), 2, 1])))
  assertCode(4, () => canonicalValue(Buffer.of(0x92, 0x01)))
})
