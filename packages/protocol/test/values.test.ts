import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Double, GeoJson, INFINITY, INT64_MAX, INT64_MIN, MsgpackExt, TypedBlob, WILDCARD, intFromBigInt } from '../src/values.ts'

describe('value classes', () => {
  test('hold what they are given', () => {
    assert.equal(new Double(1).value, 1)
    assert.ok(Object.is(new Double(-0).value, -0))
    assert.equal(new GeoJson('{"type":"Point"}').json, '{"type":"Point"}')
    const b = Buffer.from([1])
    const t = new TypedBlob(9, b)
    assert.equal(t.subtype, 9)
    assert.equal(t.bytes, b)
    const e = new MsgpackExt(3, b)
    assert.equal(e.type, 3)
    assert.equal(e.data, b)
  })

  test('WILDCARD and INFINITY are ext type 0xff with data 00 / 01', () => {
    assert.ok(WILDCARD instanceof MsgpackExt)
    assert.equal(WILDCARD.type, 0xff)
    assert.equal(WILDCARD.data.toString('hex'), '00')
    assert.ok(INFINITY instanceof MsgpackExt)
    assert.equal(INFINITY.type, 0xff)
    assert.equal(INFINITY.data.toString('hex'), '01')
  })
})

describe('int64 bounds', () => {
  test('INT64_MIN / INT64_MAX', () => {
    assert.equal(INT64_MIN, -9223372036854775808n)
    assert.equal(INT64_MAX, 9223372036854775807n)
    assert.equal(BigInt.asIntN(64, INT64_MAX + 1n), INT64_MIN)
  })
})

describe('intFromBigInt', () => {
  test('numbers inside the safe range, bigints outside', () => {
    assert.equal(intFromBigInt(0n), 0)
    assert.equal(intFromBigInt(-5n), -5)
    assert.equal(intFromBigInt(BigInt(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER)
    assert.equal(intFromBigInt(BigInt(Number.MIN_SAFE_INTEGER)), Number.MIN_SAFE_INTEGER)
    assert.equal(intFromBigInt(BigInt(Number.MAX_SAFE_INTEGER) + 1n), 9007199254740992n)
    assert.equal(intFromBigInt(BigInt(Number.MIN_SAFE_INTEGER) - 1n), -9007199254740992n)
    assert.equal(intFromBigInt(INT64_MAX), INT64_MAX)
    assert.equal(intFromBigInt(INT64_MIN), INT64_MIN)
  })

  test('property: the value is preserved exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (v) => {
        const r = intFromBigInt(v)
        if (typeof r === 'number') {
          assert.ok(Number.isSafeInteger(r))
          assert.equal(BigInt(r), v)
        } else {
          assert.equal(r, v)
          assert.ok(v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
        }
      }),
      { numRuns: 300 },
    )
  })
})
