// A value or key named twice in a by-list selection selects its elements once; inverting such a
// selection answers the elements it did not select (it once failed on overlapping runs).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ListOp, MapOp } from '../../../src/ops/cdt/op-codes.ts'
import { ReturnType as RT } from '../../../src/ops/cdt/result.ts'
import { listBin, mapBin, op, read } from './cdt-helpers.ts'

const INVERTED = 0x10000

test('inverted list selection by a value list with a repeated value', () => {
  const bin = listBin([5, 2, 3, 2])
  assert.deepEqual(read(bin, op(ListOp.GET_ALL_BY_VALUE_LIST, RT.RANK | INVERTED, [2, 2])), [2, 3])
  assert.deepEqual(read(bin, op(ListOp.GET_ALL_BY_VALUE_LIST, RT.VALUE | INVERTED, [2, 2])), [5, 3])
  assert.deepEqual(read(bin, op(ListOp.GET_ALL_BY_VALUE_LIST, RT.INDEX | INVERTED, [2, 2])), [0, 2])
})

test('inverted map selection by a key or value list with a repeated entry', () => {
  const bin = mapBin([['a', 2], ['b', 3], ['c', 2]])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_VALUE_LIST, RT.RANK | INVERTED, [2, 2])), [2])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_KEY_LIST, RT.INDEX | INVERTED, ['a', 'a'])), [1, 2])
  assert.deepEqual(read(bin, op(MapOp.GET_BY_KEY_LIST, RT.KEY | INVERTED, ['a', 'a'])), ['b', 'c'])
})
