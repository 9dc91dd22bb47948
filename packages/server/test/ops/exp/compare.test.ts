import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MsgpackExt, ResultCode, type Value } from '@aerolite/protocol'
import { E, T, bin, blobBin, boolBin, buildError, evalPlain, f, floatBin, geo, geoBin, intBin, listBin, mapBin, pack, quote, record, strBin, type Tree } from './exp-fixtures.ts'

const ordered = (entries: Array<[string, number]>): Map<Value, Value> =>
  new Map<Value, Value>([[new MsgpackExt(1, Buffer.alloc(0)), null], ...entries])

test('comparisons of integers, floats, strings, blobs, booleans and nil', () => {
  const rec = record({ bins: [intBin('i', 42), floatBin('pi', Math.PI), strBin('s', 'Star'), blobBin('b', Buffer.of(1, 2)), boolBin('t', true)] })
  const cases: Array<[Tree, unknown]> = [
    [[E.EQ, bin(T.INT, 'i'), 42], true],
    [[E.NE, bin(T.INT, 'i'), 42], false],
    [[E.GT, bin(T.INT, 'i'), 41], true],
    [[E.GE, bin(T.INT, 'i'), 42], true],
    [[E.LT, bin(T.INT, 'i'), -1], false],
    [[E.LE, -5, 3], true],
    [[E.GT, bin(T.FLOAT, 'pi'), f(3.14)], true],
    [[E.LT, bin(T.FLOAT, 'pi'), f(3)], false],
    [[E.EQ, bin(T.STR, 's'), 'Star'], true],
    [[E.LT, bin(T.STR, 's'), 'Starz'], true],
    [[E.GT, 'b', 'abc'], true],
    [[E.EQ, bin(T.BLOB, 'b'), Buffer.of(1, 2)], true],
    [[E.LT, bin(T.BLOB, 'b'), Buffer.of(1, 3)], true],
    [[E.EQ, bin(T.BOOL, 't'), true], true],
    [[E.GT, true, false], true],
    [[E.EQ, null, null], true],
    [[E.GE, null, null], true],
    [[E.NE, null, null], false],
  ]
  for (const [tree, expected] of cases) assert.equal(evalPlain(tree, rec), expected, JSON.stringify(tree, (_, v) => (typeof v === 'bigint' ? `${v}` : v)))
})

test('NaN orders with nothing: only NE is true', () => {
  const nan = f(NaN)
  assert.equal(evalPlain([E.EQ, nan, nan]), false)
  assert.equal(evalPlain([E.NE, nan, nan]), true)
  assert.equal(evalPlain([E.GE, nan, f(1)]), false)
})

test('a missing bin or a bin of another type makes the comparison unknown', () => {
  const rec = record({ bins: [strBin('s', 'x')] })
  assert.equal(evalPlain([E.EQ, bin(T.INT, 'missing'), 1], rec), 'unknown')
  assert.equal(evalPlain([E.EQ, bin(T.INT, 's'), 1], rec), 'unknown')
  assert.equal(evalPlain([E.NE, 1, bin(T.INT, 's')], rec), 'unknown')
})

test('lists compare element by element then by length; an ordered list header is skipped', () => {
  const rec = record({ bins: [listBin('l', [4, 2, 0]), listBin('o', [new MsgpackExt(1, Buffer.alloc(0)), 4, 2, 0])] })
  assert.equal(evalPlain([E.EQ, bin(T.LIST, 'l'), quote([4, 2, 0])], rec), true)
  assert.equal(evalPlain([E.EQ, bin(T.LIST, 'l'), quote([0, 2, 4])], rec), false)
  assert.equal(evalPlain([E.LT, quote([4, 2]), bin(T.LIST, 'l')], rec), true)
  assert.equal(evalPlain([E.GT, quote([5]), bin(T.LIST, 'l')], rec), true)
  assert.equal(evalPlain([E.EQ, bin(T.LIST, 'o'), bin(T.LIST, 'l')], rec), true)
  // Types order nil < bool < int < string < list < map < blob < double.
  assert.equal(evalPlain([E.LT, quote([1]), quote(['a'])]), true)
  assert.equal(evalPlain([E.LT, quote(['a']), quote([[1]])]), true)
  assert.equal(evalPlain([E.LT, quote([Buffer.of(1)]), quote([f(0)])]), true)
  assert.equal(evalPlain([E.LT, quote([-1]), quote([0])]), true)
})

test('maps compare only when key-ordered: an unordered map makes it unknown', () => {
  const rec = record({
    bins: [
      mapBin('k', ordered([['a', 3], ['b', 2], ['c', 1]])),
      mapBin('k2', ordered([['a', 3], ['b', 2], ['c', 1]])),
      mapBin('u', new Map<Value, Value>([['c', 1], ['b', 2]])),
    ],
  })
  assert.equal(evalPlain([E.EQ, bin(T.MAP, 'k'), bin(T.MAP, 'k2')], rec), true)
  assert.equal(evalPlain([E.EQ, bin(T.MAP, 'k'), ordered([['a', 3]])], rec), false)
  assert.equal(evalPlain([E.EQ, bin(T.MAP, 'k'), bin(T.MAP, 'u')], rec), 'unknown')
  // Empty maps need no order.
  assert.equal(evalPlain([E.EQ, new Map(), new Map()]), true)
})

test('a wildcard equals anything inside a list', () => {
  const wildcard = new MsgpackExt(0xff, Buffer.of(0))
  assert.equal(evalPlain([E.EQ, quote([1, wildcard]), quote([1, 'x', 3])]), true)
})

test('comparing different types, GeoJSON or HLL is a parameter error', () => {
  assert.equal(buildError(pack([E.EQ, 1, 'a'])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.EQ, 1, f(1)])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.EQ, bin(T.GEO, 'g'), bin(T.GEO, 'g')])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.EQ, bin(T.HLL, 'h'), bin(T.HLL, 'h')])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.EQ, 1])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.EQ, 1, 2, 3])), ResultCode.PARAMETER_ERROR)
})

test('IN_LIST finds a value among a list\'s elements', () => {
  const rec = record({ bins: [strBin('color', 'blue'), intBin('qty', 5), listBin('rgb', [1, 5, 255])] })
  assert.equal(evalPlain([E.IN_LIST, bin(T.STR, 'color'), quote(['red', 'blue'])], rec), true)
  assert.equal(evalPlain([E.IN_LIST, 'yellow', quote(['red', 'blue'])], rec), false)
  assert.equal(evalPlain([E.IN_LIST, bin(T.INT, 'qty'), bin(T.LIST, 'rgb')], rec), true)
  assert.equal(evalPlain([E.IN_LIST, bin(T.INT, 'nope'), bin(T.LIST, 'rgb')], rec), 'unknown')
  assert.equal(buildError(pack([E.IN_LIST, 1, 2])), ResultCode.PARAMETER_ERROR)
})

test('GEO compare: a point inside a circle or polygon, either way round', () => {
  const rec = record({ bins: [geoBin('loc', { type: 'Point', coordinates: [103.913, 1.308] })] })
  const near = geo({ type: 'AeroCircle', coordinates: [[103.875, 1.297], 10000] })
  const far = geo({ type: 'AeroCircle', coordinates: [[9.78, 53.55], 50000] })
  assert.equal(evalPlain([E.GEO, bin(T.GEO, 'loc'), near], rec), true)
  assert.equal(evalPlain([E.GEO, bin(T.GEO, 'loc'), far], rec), false)
  assert.equal(evalPlain([E.GEO, near, bin(T.GEO, 'loc')], rec), true)
  assert.equal(evalPlain([E.GEO, far, bin(T.GEO, 'loc')], rec), false)
  const square = geo({ type: 'Polygon', coordinates: [[[103, 1], [104, 1], [104, 2], [103, 2], [103, 1]]] })
  assert.equal(evalPlain([E.GEO, bin(T.GEO, 'loc'), square], rec), true)
  const holed = geo({ type: 'Polygon', coordinates: [[[103, 1], [105, 1], [105, 3], [103, 3], [103, 1]], [[103.5, 1.1], [104.5, 1.1], [104.5, 1.5], [103.5, 1.5], [103.5, 1.1]]] })
  assert.equal(evalPlain([E.GEO, bin(T.GEO, 'loc'), holed], rec), false)
  const multi = geo({ type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]], [[[103, 1], [104, 1], [104, 2], [103, 2], [103, 1]]]] })
  assert.equal(evalPlain([E.GEO, bin(T.GEO, 'loc'), multi], rec), true)
  // Two points, or two regions, never match.
  assert.equal(evalPlain([E.GEO, bin(T.GEO, 'loc'), geo({ type: 'Point', coordinates: [103.913, 1.308] })], rec), false)
  assert.equal(evalPlain([E.GEO, near, square]), false)
})

test('GEO compare needs valid GeoJSON on both sides', () => {
  assert.equal(buildError(pack([E.GEO, geo({ type: 'Point', coordinates: [200, 0] }), geo({ type: 'Point', coordinates: [0, 0] })])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.GEO, geo({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }), geo({ type: 'Point', coordinates: [0, 0] })])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.GEO, 'x', geo({ type: 'Point', coordinates: [0, 0] })])), ResultCode.PARAMETER_ERROR)
})
