// Aerospike's value order has one implementation (ops/cdt/order.ts) and three callers: list and
// map ops (compareElements, which throws on bad msgpack), expression compares (compareMsgpack,
// which answers ERROR and reports maps without key order) and index contexts (compareValues on
// decoded values). These tests hold each caller to what it did before it shared the order.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Double, GeoJson, MsgpackExt, packValue, type Value } from '@aerolite/protocol'
import { limits } from '../../src/limits.ts'
import { compareElements } from '../../src/ops/cdt/order.ts'
import { CompareResult, compareMsgpack } from '../../src/ops/exp/msgpack-compare.ts'
import { compareValues, equalTo, sortValues } from '../../src/sindex/value-order.ts'
import { assertCode, WILDCARD } from './cdt/cdt-helpers.ts'

/**
 * The order index contexts used before, over decoded values (maps compared in key order): an
 * independent oracle for the byte order on values that can be stored.
 */
function decodedOrder(a: Value, b: Value): number {
  const rank = (v: Value): number => {
    if (v === null) return 0
    if (typeof v === 'boolean') return 1
    if (typeof v === 'number' || typeof v === 'bigint') return 2
    if (typeof v === 'string') return 3
    if (Array.isArray(v)) return 4
    if (v instanceof Map) return 5
    if (Buffer.isBuffer(v)) return 6
    if (v instanceof Double) return 7
    return 8
  }
  const ra = rank(a)
  const rb = rank(b)
  if (ra !== rb) return Math.sign(ra - rb)
  switch (ra) {
    case 1: return Math.sign(Number(a) - Number(b))
    case 2: return BigInt(a as number | bigint) < BigInt(b as number | bigint) ? -1 : BigInt(a as number | bigint) > BigInt(b as number | bigint) ? 1 : 0
    case 3: return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string))
    case 4: {
      const x = a as Value[]
      const y = b as Value[]
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = decodedOrder(x[i]!, y[i]!)
        if (c !== 0) return c
      }
      return Math.sign(x.length - y.length)
    }
    case 5: {
      const byKey = (m: Map<Value, Value>) => [...m].sort((p, q) => decodedOrder(p[0], q[0]))
      const x = byKey(a as Map<Value, Value>)
      const y = byKey(b as Map<Value, Value>)
      if (x.length !== y.length) return Math.sign(x.length - y.length)
      for (let i = 0; i < x.length; i++) {
        const c = decodedOrder(x[i]![0], y[i]![0]) || decodedOrder(x[i]![1], y[i]![1])
        if (c !== 0) return c
      }
      return 0
    }
    case 6: return Buffer.compare(a as Buffer, b as Buffer)
    case 7: return Math.sign((a as Double).value - (b as Double).value)
    case 8: return (a as GeoJson).json < (b as GeoJson).json ? -1 : (a as GeoJson).json > (b as GeoJson).json ? 1 : 0
  }
  return 0
}

const scalar: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer({ min: -300, max: 300 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.string({ maxLength: 3 }), fc.uint8Array({ maxLength: 3 }).map((b) => Buffer.from(b)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => new Double(d)), fc.constantFrom('{}', '{"a":1}').map((j) => new GeoJson(j)),
)
const mapKey: fc.Arbitrary<Value> = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 2 }))
const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.uniqueArray(fc.tuple(mapKey, tie('value')), { maxLength: 3, selector: ([k]) => (typeof k === 'string' ? `s${k}` : `i${k}`) }).map((entries) => new Map(entries)),
  ),
}))

test('list and map ops, expressions and index contexts order values as the decoded-value order did', () => {
  fc.assert(fc.property(value, value, (a, b) => {
    const expected = decodedOrder(a, b)
    assert.equal(compareValues(a, b), expected)
    // Maps are packed in insertion order; ops and expressions see them as stored (sorted) maps do.
    const sorted = (v: Value): Buffer => packValue(sortMaps(v))
    assert.equal(compareElements(sorted(a), sorted(b)), expected)
    assert.equal(compareMsgpack(sorted(a), 0, sorted(b), 0).result, expected)
  }), { numRuns: 2000 })
})

function sortMaps(v: Value): Value {
  if (Array.isArray(v)) return v.map(sortMaps)
  if (v instanceof Map) return new Map([...v].sort((p, q) => decodedOrder(p[0], q[0])).map(([k, x]) => [k, sortMaps(x)]))
  return v
}

test('index contexts: maps equal whatever order their entries arrived in; rank sorts in value order', () => {
  const ab = new Map<Value, Value>([['a', 1], ['b', 2]])
  const ba = new Map<Value, Value>([['b', 2], ['a', 1]])
  assert.equal(compareValues(ab, ba), 0)
  assert.equal(equalTo(ab)(ba), true)
  assert.equal(equalTo(ab)(new Map<Value, Value>([['a', 1]])), false)
  assert.deepEqual(sortValues([new Double(1.5), 'x', 3, null, [1]], (v) => v), [null, 3, 'x', [1], new Double(1.5)])
})

test('expressions: bad msgpack compares as ERROR and maps without key order are reported', () => {
  const one = packValue(1)
  assert.equal(compareMsgpack(Buffer.of(0xc1), 0, one, 0).result, CompareResult.ERROR)
  assert.equal(compareMsgpack(Buffer.of(0x92, 0x01), 0, packValue([1, 2]), 0).result, CompareResult.ERROR)
  const unordered = packValue(new Map([[1, 1]]))
  const keyOrdered = packValue(new Map<Value, Value>([[new MsgpackExt(0x01, Buffer.alloc(0)), null], [1, 1]]))
  assert.deepEqual(compareMsgpack(unordered, 0, unordered, 0), { result: CompareResult.EQUAL, unorderedMap: true })
  assert.deepEqual(compareMsgpack(keyOrdered, 0, keyOrdered, 0), { result: CompareResult.EQUAL, unorderedMap: false })
  assert.equal(compareMsgpack(unordered, 0, keyOrdered, 0).result, CompareResult.EQUAL)
  assert.equal(compareMsgpack(packValue(new Map()), 0, one, 0).unorderedMap, false)
  // Only maps the comparison reaches count: here the first elements already differ.
  assert.equal(compareMsgpack(packValue([1, new Map([[1, 1]])]), 0, packValue([2, new Map([[1, 1]])]), 0).unorderedMap, false)
  assert.equal(compareMsgpack(packValue([1, new Map([[1, 1]])]), 0, packValue([1, new Map([[1, 2]])]), 0).unorderedMap, true)
  assert.equal(compareMsgpack(packValue(WILDCARD), 0, packValue('anything'), 0).result, CompareResult.EQUAL)
})

test('nesting past limits.maxMsgpackDepth is refused: ERROR in expressions, PARAMETER_ERROR in ops', () => {
  const nested = (levels: number): Buffer => Buffer.concat([Buffer.alloc(levels, 0x91), Buffer.of(0x01)])
  const ok = nested(limits.maxMsgpackDepth)
  const deep = nested(limits.maxMsgpackDepth + 1)
  assert.equal(compareMsgpack(ok, 0, ok, 0).result, CompareResult.EQUAL)
  assert.equal(compareMsgpack(deep, 0, deep, 0).result, CompareResult.ERROR)
  assert.equal(compareElements(ok, ok), 0)
  assertCode(4, () => compareElements(deep, deep))
  assertCode(4, () => compareElements(Buffer.of(0xc1), Buffer.of(0x01)))
})
