import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ListOp, MapOp } from '../../../src/ops/cdt/op-codes.ts'
import { ReturnType as RT } from '../../../src/ops/cdt/result.ts'
import { apply, assertCode, ctxOp, listBin, mapBin, modify, read } from './cdt-helpers.ts'

const LIST_INDEX = 0x10
const LIST_RANK = 0x11
const LIST_VALUE = 0x13
const MAP_INDEX = 0x20
const MAP_KEY = 0x22
const MAP_VALUE = 0x23

test('reads and writes through nested contexts', () => {
  const bin = mapBin([['a', [1, [5, 4]]], ['b', new Map([['x', 1]])]])
  assert.equal(read(bin, ctxOp([MAP_KEY, 'a', LIST_INDEX, -1], ListOp.SIZE)), 2)
  assert.deepEqual(modify(bin, ctxOp([MAP_KEY, 'a', LIST_INDEX, 1], ListOp.APPEND, 3)).bin, [['a', [1, [5, 4, 3]]], ['b', [['x', 1]]]])
  assert.equal(read(bin, ctxOp([MAP_INDEX, 1], MapOp.GET_BY_KEY, RT.VALUE, 'x')), 1)
  assert.equal(read(bin, ctxOp([MAP_VALUE, new Map([['x', 1]])], MapOp.SIZE)), 1)
  assert.equal(read(listBin([[3], [1, 2]]), ctxOp([LIST_RANK, 0], ListOp.SIZE)), 2)
  assert.equal(read(listBin([[3], [1, 2]]), ctxOp([LIST_VALUE, [3]], ListOp.SIZE)), 1)
})

test('a nested change in an ordered list moves the element to its place', () => {
  const bin = listBin([[1], [5]], true)
  assert.deepEqual(modify(bin, ctxOp([LIST_INDEX, 0], ListOp.SET, 0, 7)).bin, [{ flags: 1 }, [5], [7]])
  // Lists compare element by element: [1, 9] still sorts before [5].
  assert.deepEqual(modify(bin, ctxOp([LIST_INDEX, 0], ListOp.APPEND, 9)).bin, [{ flags: 1 }, [1, 9], [5]])
})

test('contexts that lead nowhere, and type mismatches', () => {
  const bin = mapBin([['a', [1]], ['n', 7]])
  assertCode(26, () => apply(bin, ctxOp([MAP_KEY, 'z'], ListOp.SIZE), 'read'))
  assertCode(26, () => apply(bin, ctxOp([LIST_INDEX, 0], ListOp.SIZE), 'read'))
  assertCode(26, () => apply(bin, ctxOp([MAP_KEY, 'n', LIST_INDEX, 0], ListOp.SIZE), 'read'))
  assertCode(12, () => apply(bin, ctxOp([MAP_KEY, 'a'], MapOp.SIZE), 'read'))
  assertCode(12, () => apply(bin, ctxOp([MAP_KEY, 'n'], ListOp.SIZE), 'read'))
  assertCode(26, () => apply(bin, ctxOp([0x24, 0], ListOp.SIZE), 'read'))
  assertCode(4, () => apply({ particleType: 1, value: Buffer.alloc(8) }, ctxOp([MAP_KEY, 'a'], ListOp.SIZE), 'read'))
  assertCode(4, () => apply(bin, ctxOp([MAP_KEY], ListOp.SIZE), 'read'))
})

test('create contexts build the missing levels with their order and padding', () => {
  assert.deepEqual(modify(undefined, ctxOp([MAP_KEY | 0x80, 'k', LIST_INDEX | 0x80, 2], ListOp.APPEND, 1)).bin, [{ flags: 1 }, ['k', [null, null, [1]]]])
  assert.deepEqual(modify(mapBin([['a', 1]]), ctxOp([MAP_KEY | 0xc0, 'b'], ListOp.SET_TYPE, 1)).bin, [['a', 1], ['b', [{ flags: 1 }]]])
  assert.deepEqual(modify(listBin([[0]]), ctxOp([LIST_INDEX | 0x40, 1], MapOp.PUT, 'x', 1, 1)).bin, [[0], [{ flags: 1 }, ['x', 1]]])
  assertCode(26, () => apply(listBin([]), ctxOp([LIST_INDEX | 0x40, 3], ListOp.APPEND, 1)))
  assertCode(26, () => apply(undefined, ctxOp([MAP_KEY, 'k'], ListOp.APPEND, 1)))
  assertCode(26, () => apply(mapBin([['a', 1]]), ctxOp([MAP_KEY | 0x40, 'b'], ListOp.SIZE), 'read'))
  assert.deepEqual(modify(mapBin([['a', 1]]), ctxOp([MAP_KEY | 0x40, 'b'], ListOp.REMOVE_BY_INDEX, RT.VALUE, 0)), { result: undefined, bin: undefined })
})
