import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ListOp } from '../../../src/ops/cdt/op-codes.ts'
import { ReturnType as RT } from '../../../src/ops/cdt/result.ts'
import { apply, assertCode, listBin, modify, op, read, WILDCARD } from './cdt-helpers.ts'

const INVERTED = 0x10000

test('append, append items and insert return the new size; insert pads with nil past the end', () => {
  assert.deepEqual(modify(listBin([1, 2]), op(ListOp.APPEND, 3)), { result: 3, bin: [1, 2, 3] })
  assert.deepEqual(modify(listBin([1]), op(ListOp.APPEND_ITEMS, [2, 3])), { result: 3, bin: [1, 2, 3] })
  assert.deepEqual(modify(listBin([1, 2]), op(ListOp.INSERT, 4, 'x')), { result: 5, bin: [1, 2, null, null, 'x'] })
  assert.deepEqual(modify(listBin([1, 2]), op(ListOp.INSERT, -1, 9)), { result: 3, bin: [1, 9, 2] })
  assertCode(26, () => apply(listBin([1, 2]), op(ListOp.INSERT, -3, 9)))
})

test('append to a missing bin creates the list with the order the policy asks for', () => {
  assert.deepEqual(modify(undefined, op(ListOp.APPEND, 5, 1, 0)), { result: 1, bin: [{ flags: 1 }, 5] })
  assert.deepEqual(modify(undefined, op(ListOp.APPEND_ITEMS, [])), { result: 0, bin: [] })
  assert.deepEqual(modify(undefined, op(ListOp.REMOVE_BY_INDEX, RT.VALUE, 0)), { result: undefined, bin: undefined })
})

test('write flags: add-unique, insert-bounded, no-fail, partial', () => {
  assertCode(24, () => apply(listBin([1, 2, 3]), op(ListOp.APPEND, 3, 0, 1)))
  assert.deepEqual(modify(listBin([1, 2, 3]), op(ListOp.APPEND, 3, 0, 1 | 4)), { result: 3, bin: undefined })
  assert.deepEqual(modify(listBin([1, 2, 3]), op(ListOp.APPEND_ITEMS, [3, 4], 0, 1 | 4 | 8)), { result: 4, bin: [1, 2, 3, 4] })
  assertCode(26, () => apply(listBin([1]), op(ListOp.APPEND_ITEMS, [4, 4], 0, 1)))
  assertCode(26, () => apply(listBin([1, 2]), op(ListOp.INSERT, 5, 9, 2)))
  assert.deepEqual(modify(listBin([1, 2]), op(ListOp.INSERT, 5, 9, 2 | 4)), { result: 2, bin: undefined })
})

test('ordered lists insert in order and refuse insert and set', () => {
  assert.deepEqual(modify(listBin([1, 5], true), op(ListOp.APPEND, 3)), { result: 3, bin: [{ flags: 1 }, 1, 3, 5] })
  assert.deepEqual(modify(listBin([1, 5], true), op(ListOp.APPEND_ITEMS, [9, 0, 4])), { result: 5, bin: [{ flags: 1 }, 0, 1, 4, 5, 9] })
  assertCode(26, () => apply(listBin([1, 5], true), op(ListOp.INSERT, 0, 3)))
  assertCode(26, () => apply(listBin([1, 5], true), op(ListOp.SET, 0, 3)))
  assert.deepEqual(modify(listBin([1, 5, 7], true), op(ListOp.INCREMENT, 0, 10)), { result: 11, bin: [{ flags: 1 }, 5, 7, 11] })
})

test('set order and sort', () => {
  assert.deepEqual(modify(listBin([3, 1, 2]), op(ListOp.SET_TYPE, 1)).bin, [{ flags: 1 }, 1, 2, 3])
  assert.deepEqual(modify(listBin([3, 1, 2, 1]), op(ListOp.SORT, 0)).bin, [1, 1, 2, 3])
  assert.deepEqual(modify(listBin([3, 1, 2, 1]), op(ListOp.SORT, 1 | 2)).bin, [3, 2, 1])
  assertCode(26, () => apply(listBin([1]), op(ListOp.SET_TYPE, 4)))
  assertCode(12, () => apply(undefined, op(ListOp.SORT, 0)))
})

test('increment: integers, doubles, missing elements, wrong types', () => {
  assert.deepEqual(modify(listBin([1, 2.5]), op(ListOp.INCREMENT, 0, 5)), { result: 6, bin: [6, 2.5] })
  assert.deepEqual(modify(listBin([1, 2.5]), op(ListOp.INCREMENT, 1, 1)), { result: 3.5, bin: [1, 3.5] })
  assert.deepEqual(modify(listBin([1]), op(ListOp.INCREMENT, 2)), { result: 1, bin: [1, null, 1] })
  assertCode(4, () => apply(listBin(['a']), op(ListOp.INCREMENT, 0, 1)))
  assertCode(4, () => apply(listBin([1]), op(ListOp.INCREMENT, 0, 'x')))
})

test('get and remove by index, negative indexes, out of bounds', () => {
  const bin = listBin([10, 20, 30, 40])
  assert.equal(read(bin, op(ListOp.GET_BY_INDEX, RT.VALUE, -1)), 40)
  assertCode(26, () => apply(bin, op(ListOp.GET_BY_INDEX, RT.VALUE, 4), 'read'))
  assertCode(26, () => apply(bin, op(ListOp.GET, -5), 'read'))
  assert.deepEqual(read(bin, op(ListOp.GET_BY_INDEX_RANGE, RT.VALUE, 1, 2)), [20, 30])
  // Counted from 6 before the start: 2 of the 8 land in the list.
  assert.deepEqual(read(bin, op(ListOp.GET_BY_INDEX_RANGE, RT.VALUE, -10, 8)), [10, 20])
  assert.deepEqual(read(bin, op(ListOp.GET_BY_INDEX_RANGE, RT.VALUE, 9)), [])
  assert.deepEqual(read(bin, op(ListOp.GET_BY_INDEX_RANGE, RT.VALUE | INVERTED, 1, 2)), [10, 40])
  // Reverse indexes of a run come out ascending, as the server lists them.
  assert.deepEqual(read(bin, op(ListOp.GET_BY_INDEX_RANGE, RT.REVERSE_INDEX, 0, 2)), [2, 3])
  assert.deepEqual(read(bin, op(ListOp.GET_BY_INDEX_RANGE, RT.INDEX_RANGE, 1, 2)), [1, 2])
  assertCode(26, () => apply(bin, op(ListOp.GET_BY_INDEX_RANGE, RT.INDEX_RANGE | INVERTED, 1, 2), 'read'))
  assertCode(26, () => apply(bin, op(ListOp.GET_BY_INDEX, RT.KEY, 0), 'read'))
  assert.deepEqual(modify(bin, op(ListOp.REMOVE_BY_INDEX_RANGE, RT.COUNT, 1)), { result: 3, bin: [10] })
  assert.deepEqual(modify(bin, op(ListOp.TRIM, 1, 2)), { result: 2, bin: [20, 30] })
  assert.deepEqual(modify(bin, op(ListOp.POP, 0)), { result: 10, bin: [20, 30, 40] })
})

test('by value, value range, value list, rank and relative rank', () => {
  const bin = listBin([7, 3, 9, 3, 1])
  assert.deepEqual(read(bin, op(ListOp.GET_ALL_BY_VALUE, RT.INDEX, 3)), [1, 3])
  assert.deepEqual(read(bin, op(ListOp.GET_ALL_BY_VALUE, RT.RANK, 3)), [1, 2])
  assert.deepEqual(read(bin, op(ListOp.GET_BY_VALUE_INTERVAL, RT.VALUE, 3, 8)), [7, 3, 3])
  assert.deepEqual(read(bin, op(ListOp.GET_BY_VALUE_INTERVAL, RT.COUNT, 4)), 2)
  assert.deepEqual(read(bin, op(ListOp.GET_BY_VALUE_INTERVAL, RT.VALUE | INVERTED, 3, 8)), [9, 1])
  assert.deepEqual(read(bin, op(ListOp.GET_ALL_BY_VALUE_LIST, RT.VALUE, [9, 1, 5])), [9, 1])
  assert.deepEqual(read(bin, op(ListOp.GET_BY_RANK, RT.VALUE, -1)), 9)
  // Rank ranges of unordered lists come out in the server's heap order: descending when the run
  // is nearer the low end, ascending otherwise.
  assert.deepEqual(read(bin, op(ListOp.GET_BY_RANK_RANGE, RT.VALUE, 0, 3)), [3, 3, 1])
  assert.deepEqual(read(bin, op(ListOp.GET_BY_RANK_RANGE, RT.VALUE, 2)), [3, 7, 9])
  assert.deepEqual(read(bin, op(ListOp.GET_BY_VALUE_REL_RANK_RANGE, RT.VALUE, 5, -1, 2)), [3, 7])
  assert.deepEqual(read(bin, op(ListOp.GET_BY_VALUE_INTERVAL, RT.RANK_RANGE, 3, 8)), [1, 3])
  assert.deepEqual(modify(bin, op(ListOp.REMOVE_ALL_BY_VALUE, RT.COUNT, 3)), { result: 2, bin: [7, 9, 1] })
  assert.deepEqual(read(listBin([[1, 'a'], [2, 'b'], [1, 'c']]), op(ListOp.GET_ALL_BY_VALUE, RT.VALUE, [1, WILDCARD])), [[1, 'a'], [1, 'c']])
})

test('exists, count and not-found results', () => {
  const bin = listBin([1, 2])
  assert.equal(read(bin, op(ListOp.GET_ALL_BY_VALUE, RT.EXISTS, 2)), true)
  assert.equal(read(bin, op(ListOp.GET_ALL_BY_VALUE, RT.EXISTS, 5)), false)
  assert.equal(read(bin, op(ListOp.GET_ALL_BY_VALUE, RT.COUNT, 5)), 0)
  assert.deepEqual(read(listBin([1, 2], true), op(ListOp.GET_ALL_BY_VALUE, RT.INDEX_RANGE, 5)), [2, 0])
  assert.equal(read(bin, op(ListOp.GET_BY_VALUE, RT.INDEX, 5)), -1)
})

test('type and payload errors', () => {
  assertCode(12, () => apply(listBin([1]), op(0x60), 'read'))
  assertCode(4, () => apply(listBin([1]), op(ListOp.SIZE), 'modify'))
  assertCode(4, () => apply(listBin([1]), op(ListOp.APPEND), 'modify'))
  assertCode(4, () => apply(listBin([1]), op(ListOp.APPEND, 1, 0, 0, 9), 'modify'))
  assertCode(4, () => apply(listBin([1]), op(ListOp.GET_BY_INDEX, 'x', 0), 'read'))
  assertCode(4, () => apply(listBin([1]), op(ListOp.APPEND, WILDCARD)))
  assertCode(4, () => apply(listBin([1]), Buffer.of(0x93, 0x01)))
  assert.deepEqual(apply(undefined, Buffer.of(0xff), 'read'), {})
  const deep = Buffer.concat([Buffer.of(0x92, ListOp.APPEND), Buffer.alloc(100_000, 0x91), Buffer.of(0x01)])
  assertCode(4, () => apply(listBin([]), deep))
  assertCode(13, () => apply(listBin([]), op(ListOp.INSERT, 0x7fffffff, 1)))
})
