import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MapOp } from '../../../src/ops/cdt/op-codes.ts'
import { ReturnType as RT } from '../../../src/ops/cdt/result.ts'
import { apply, assertCode, mapBin, modify, op, read } from './cdt-helpers.ts'

const INVERTED = 0x10000
// Unordered maps may arrive in any key order; key-ordered ones arrive sorted (or are refused).
const sample = (flags = 0) => mapBin(flags === 0 ? [['b', 2], ['a', 3], ['c', 1]] : [['a', 3], ['b', 2], ['c', 1]], flags)

test('maps are kept in key order whatever their flags; put inserts in order', () => {
  assert.deepEqual(modify(sample(), op(MapOp.PUT, 'bb', 9, 0)), { result: 4, bin: [['a', 3], ['b', 2], ['bb', 9], ['c', 1]] })
  assert.deepEqual(modify(sample(1), op(MapOp.PUT, 'a', 0, 1)).bin, [{ flags: 1 }, ['a', 0], ['b', 2], ['c', 1]])
  assert.deepEqual(modify(undefined, op(MapOp.PUT, 1, 'x', 3)), { result: 1, bin: [{ flags: 3 }, [1, 'x']] })
  assertCode(4, () => apply(mapBin([['b', 1], ['a', 2]], 1), op(MapOp.SIZE), 'read'))
})

test('write modes: create-only, update-only, no-fail, partial', () => {
  assertCode(24, () => apply(sample(), op(MapOp.PUT, 'a', 1, 0, 1)))
  assertCode(23, () => apply(sample(), op(MapOp.PUT, 'z', 1, 0, 2)))
  assert.deepEqual(modify(sample(), op(MapOp.PUT, 'a', 1, 0, 1 | 4)), { result: 3, bin: undefined })
  assertCode(23, () => apply(sample(), op(MapOp.REPLACE, 'z', 1)))
  assertCode(24, () => apply(sample(), op(MapOp.ADD, 'a', 1, 0)))
  assert.deepEqual(modify(sample(), op(MapOp.PUT_ITEMS, new Map([['a', 7], ['d', 4]]), 0, 1 | 4 | 8)).bin, [['a', 3], ['b', 2], ['c', 1], ['d', 4]])
  assert.deepEqual(modify(sample(), op(MapOp.PUT_ITEMS, new Map([['a', 7], ['d', 4]]), 0, 1 | 4)), { result: 3, bin: undefined })
  assertCode(23, () => apply(undefined, op(MapOp.REPLACE_ITEMS, new Map([['a', 1]]))))
  assertCode(4, () => apply(sample(), op(MapOp.PUT, 1.5, 1, 0)))
})

test('increment and decrement', () => {
  assert.deepEqual(modify(sample(), op(MapOp.INCREMENT, 'a', 2, 0)), { result: 5, bin: [['a', 5], ['b', 2], ['c', 1]] })
  assert.deepEqual(modify(sample(), op(MapOp.DECREMENT, 'z', 2, 0)).result, -2)
  assertCode(4, () => apply(mapBin([['s', 'x']]), op(MapOp.INCREMENT, 's', 1, 0)))
})

test('get by key, index, rank, value and their ranges', () => {
  const bin = sample()
  assert.equal(read(bin, op(MapOp.GET_BY_KEY, RT.VALUE, 'b')), 2)
  assert.equal(read(bin, op(MapOp.GET_BY_KEY, RT.VALUE, 'z')), undefined)
  assert.deepEqual(read(bin, op(MapOp.GET_BY_KEY, RT.KEY_VALUE, 'b')), [{ flags: 8 }, ['b', 2]])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_KEY, RT.INDEX_RANGE, 'z')), [-1, 0])
  assert.equal(read(bin, op(MapOp.GET_BY_INDEX, RT.KEY, -1)), 'c')
  assertCode(26, () => apply(bin, op(MapOp.GET_BY_INDEX, RT.KEY, 3), 'read'))
  assert.equal(read(bin, op(MapOp.GET_BY_RANK, RT.KEY, 0)), 'c')
  assert.deepEqual(read(bin, op(MapOp.GET_BY_RANK_RANGE, RT.KEY, 0, 2)), ['c', 'b'])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_RANK_RANGE, RT.UNORDERED_MAP, 0, 2)), [['c', 1], ['b', 2]])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_RANK_RANGE, RT.ORDERED_MAP, 0, 2)), [{ flags: 1 }, ['b', 2], ['c', 1]])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_KEY_INTERVAL, RT.KEY, 'b')), ['b', 'c'])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_KEY_INTERVAL, RT.KEY | INVERTED, 'b')), ['a'])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_VALUE_INTERVAL, RT.KEY, 2, 4)), ['a', 'b'])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_INDEX_RANGE, RT.RANK, 0, 2)), [2, 1])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_KEY_LIST, RT.VALUE, ['c', 'x', 'a'])), [3, 1])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_KEY_LIST, RT.INDEX, ['c', 'x', 'a'])), [2, 0])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_VALUE_LIST, RT.KEY, [1, 3])), ['a', 'c'])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_KEY_REL_INDEX_RANGE, RT.KEY, 'b', 1)), ['c'])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_VALUE_REL_RANK_RANGE, RT.KEY, 2, 0)), ['b', 'a'])
  assert.equal(read(bin, op(MapOp.SIZE)), 3)
  assertCode(26, () => apply(bin, op(MapOp.GET_BY_INDEX_RANGE, RT.RANK_RANGE, 0, 2), 'read'))
  assertCode(12, () => apply(bin, op(17, 0), 'read'))
})

test('removes return what they removed and leave the rest', () => {
  assert.deepEqual(modify(sample(), op(MapOp.REMOVE_BY_KEY, RT.VALUE, 'a')), { result: 3, bin: [['b', 2], ['c', 1]] })
  assert.deepEqual(modify(sample(1), op(MapOp.REMOVE_BY_INDEX_RANGE, RT.COUNT, 0)), { result: 3, bin: [{ flags: 1 }] })
  assert.deepEqual(modify(sample(), op(MapOp.REMOVE_BY_VALUE_INTERVAL, RT.NONE, 2)), { result: undefined, bin: [['c', 1]] })
  assert.deepEqual(modify(sample(), op(MapOp.CLEAR)), { result: undefined, bin: [] })
  assert.deepEqual(modify(undefined, op(MapOp.REMOVE_BY_KEY, RT.VALUE, 'a')), { result: undefined, bin: undefined })
})
