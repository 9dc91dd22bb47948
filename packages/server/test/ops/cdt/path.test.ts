// Path operations (CDT op 0xfe, Aerospike 8.1): select by path in its four return modes, modify by
// path with loop variables and REMOVE_RESULT, the context steps (expression, AND filter, key list,
// index, rank, key, value), and the errors Aerospike answers with.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Double, GeoJson, MsgpackExt, ParticleType, ResultCode, packValue, type Value } from '@aerolite/protocol'
import { applyCdtOperation, type CdtApplied, type CdtBin } from '../../../src/ops/cdt/index.ts'
import { assertCode, listBin, mapBin, particle } from './cdt-helpers.ts'
import { E, T, bin as binExp, evalPlain, f, listBin as listBinOf, pack, record, type Tree } from '../exp/exp-fixtures.ts'

const SELECT = 0xfe
const Ctx = { LIST_INDEX: 0x10, LIST_RANK: 0x11, LIST_VALUE: 0x13, MAP_INDEX: 0x20, MAP_RANK: 0x21, MAP_KEY: 0x22, MAP_VALUE: 0x23, EXP: 0x04, KEYS_IN: 0x2a, AND: 0x204 } as const
const Mode = { TREE: 0, VALUE: 1, KEY: 2, KEY_VALUE: 3, APPLY: 4, NO_FAIL: 0x10 } as const
const Part = { KEY: 0, VALUE: 1, INDEX: 2 } as const
const ALL: Value[] = [Ctx.EXP, true]

/** Packs a context: plain values as they are, expression trees packed in place. */
class Raw {
  readonly bytes: Buffer
  constructor(bytes: Buffer) {
    this.bytes = bytes
  }
}

function packParts(parts: Array<Value | Raw>): Buffer {
  const header = packValue(new Array(parts.length).fill(null)).subarray(0, 1)
  if (parts.length >= 16) throw new Error('too many parts for a fixarray')
  return Buffer.concat([header, ...parts.map((p) => (p instanceof Raw ? p.bytes : packValue(p)))])
}

const exp = (tree: Tree): Raw => new Raw(pack(tree))
const ctx = (...steps: Array<Value | Raw>): Raw => new Raw(packParts(steps))
const loopVar = (type: number, part: number): Tree => [E.LOOPVAR, type, part]

function selectPayload(context: Raw, flags: number): Buffer {
  return packParts([SELECT, context, flags])
}

function modifyPayload(context: Raw, modify: Raw, flags = 0): Buffer {
  return packParts([SELECT, context, flags | Mode.APPLY, modify])
}

const REC = record()

function run(bin: CdtBin | undefined, payload: Buffer, mode: 'read' | 'modify'): CdtApplied {
  return applyCdtOperation(bin, payload, mode, { record: REC.view, ops: REC.ops })
}

function select(bin: CdtBin, context: Raw, flags: number): unknown {
  const out = run(bin, selectPayload(context, flags), 'read')
  assert.equal(out.bin, undefined)
  return particle(out.result)
}

function modify(bin: CdtBin, context: Raw, modifyExp: Tree, flags = 0): unknown {
  const out = run(bin, modifyPayload(context, exp(modifyExp), flags), 'modify')
  assert.equal(out.result, undefined)
  return out.bin === undefined ? 'unchanged' : particle(out.bin)
}

function code(fn: () => unknown): number | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    return (err as { resultCode?: number }).resultCode
  }
}

const floatMap = mapBin([['a', f(1.5)], ['b', f(3.0)], ['c', f(4.5)]])
const floatList = listBin([f(2.4), f(4.8), f(7.2)])
const book = mapBin([['book', [new Map<Value, Value>([['title', 'abc'], ['price', f(1.48)]]), new Map<Value, Value>([['title', 'def'], ['price', f(2.78)]])]]])

test('select by path returns the matching tree, values, keys or key-value pairs', () => {
  assert.deepEqual(select(floatMap, ctx(...ALL), Mode.TREE), [['a', 1.5], ['b', 3], ['c', 4.5]])
  assert.deepEqual(select(floatMap, ctx(...ALL), Mode.VALUE), [1.5, 3, 4.5])
  assert.deepEqual(select(floatMap, ctx(...ALL), Mode.KEY), ['a', 'b', 'c'])
  assert.deepEqual(select(floatMap, ctx(...ALL), Mode.KEY_VALUE), ['a', 1.5, 'b', 3, 'c', 4.5])
  assert.deepEqual(select(floatMap, ctx(...ALL), Mode.VALUE | Mode.NO_FAIL), [1.5, 3, 4.5])
  assert.deepEqual(select(floatList, ctx(...ALL), Mode.VALUE), [2.4, 4.8, 7.2])
  assert.deepEqual(select(book, ctx(Ctx.MAP_KEY, 'book', ...ALL, Ctx.MAP_KEY, 'price'), Mode.VALUE), [1.48, 2.78])
})

test('the tree keeps scalars above the last level and filters collections below it', () => {
  const bin = listBin([1, [2, 3, 4], new Map<Value, Value>([['x', 2], ['y', 6]]), 'z'])
  const gt3 = exp([E.GT, loopVar(T.INT, Part.VALUE), 3])
  assert.deepEqual(select(bin, ctx(...ALL, Ctx.EXP, gt3), Mode.TREE), [1, [4], [['y', 6]], 'z'])
  assert.deepEqual(select(bin, ctx(...ALL, Ctx.EXP, gt3), Mode.VALUE | Mode.NO_FAIL), [4, 6])
  const nested = listBin([[[2.4, 4.8]]].map((x) => x.map((y) => y.map((z) => f(z)))))
  assert.deepEqual(select(nested, ctx(Ctx.LIST_INDEX, 0, ...ALL), Mode.VALUE), [[2.4, 4.8]])
  assert.deepEqual(select(nested, ctx(...ALL, ...ALL), Mode.VALUE), [[2.4, 4.8]])
})

test('filters see the loop variables; false filters select nothing', () => {
  const list = listBin([f(2.4), f(4.8), f(7.2)])
  assert.deepEqual(select(list, ctx(Ctx.EXP, exp([E.EQ, true, false])), Mode.VALUE), [])
  assert.deepEqual(select(list, ctx(Ctx.EXP, exp([E.EQ, loopVar(T.INT, Part.INDEX), 1])), Mode.VALUE), [4.8])
  assert.deepEqual(select(floatMap, ctx(Ctx.EXP, exp([E.EQ, loopVar(T.STR, Part.KEY), 'b'])), Mode.KEY_VALUE), ['b', 3])
  assert.deepEqual(select(listBin([null, null]), ctx(Ctx.EXP, exp([E.EQ, loopVar(T.NIL, Part.VALUE), null])), Mode.VALUE), [null, null])
})

test('key lists and AND filters narrow a map level (8.1.2)', () => {
  assert.deepEqual(select(floatMap, ctx(Ctx.KEYS_IN, ['a', 'c', 'd']), Mode.VALUE), [1.5, 4.5])
  const gt3 = exp([E.GT, loopVar(T.FLOAT, Part.VALUE), f(3.0)])
  assert.deepEqual(select(floatMap, ctx(Ctx.KEYS_IN, ['c', 'a'], Ctx.AND, gt3), Mode.TREE), [['c', 4.5]])
  assert.deepEqual(select(floatMap, ctx(Ctx.MAP_KEY, 'b', Ctx.AND, gt3), Mode.VALUE), [])
  assert.deepEqual(select(floatList, ctx(Ctx.LIST_INDEX, -1, Ctx.AND, exp([E.GT, loopVar(T.FLOAT, Part.VALUE), f(3.0)])), Mode.VALUE), [7.2])
})

test('index, rank, key and value steps select one child or the equal ones', () => {
  const list = listBin([5, 1, 3, 1])
  assert.deepEqual(select(list, ctx(Ctx.LIST_RANK, 0), Mode.VALUE), [1])
  assert.deepEqual(select(list, ctx(Ctx.LIST_RANK, -1), Mode.VALUE), [5])
  assert.deepEqual(select(list, ctx(Ctx.LIST_VALUE, 1), Mode.VALUE), [1, 1])
  assert.deepEqual(select(list, ctx(Ctx.LIST_INDEX, 9), Mode.VALUE), [])
  const map = mapBin([['a', 3], ['b', 1], ['c', 2]])
  assert.deepEqual(select(map, ctx(Ctx.MAP_RANK, 0), Mode.KEY), ['b'])
  assert.deepEqual(select(map, ctx(Ctx.MAP_INDEX, -1), Mode.KEY), ['c'])
  assert.deepEqual(select(map, ctx(Ctx.MAP_VALUE, 2), Mode.KEY), ['c'])
  assert.deepEqual(select(map, ctx(Ctx.MAP_KEY, 'zz'), Mode.TREE), [])
})

test('empty collections and ordered ones: flags kept when empty, dropped from filtered trees', () => {
  assert.deepEqual(select(listBin([]), ctx(...ALL), Mode.TREE), [])
  assert.deepEqual(select(listBin([], true), ctx(...ALL), Mode.TREE), [{ flags: 1 }])
  assert.deepEqual(select(listBin([1, 3], true), ctx(...ALL), Mode.TREE), [1, 3])
  assert.deepEqual(select(mapBin([], 1), ctx(...ALL), Mode.TREE), [{ flags: 1 }])
  assert.deepEqual(select(mapBin([['a', 1]], 1), ctx(...ALL), Mode.VALUE), [1])
})

test('modify by path rewrites every selected leaf with the loop variables', () => {
  assert.deepEqual(modify(floatMap, ctx(...ALL), f(14)), [['a', 14], ['b', 14], ['c', 14]])
  assert.deepEqual(modify(book, ctx(...ALL), f(14)), [['book', 14]])
  assert.deepEqual(modify(floatList, ctx(...ALL), [E.MUL, loopVar(T.FLOAT, Part.VALUE), f(3.7)]), [2.4 * 3.7, 4.8 * 3.7, 7.2 * 3.7])
  const nested = listBin([[f(2.4), f(4.8)]])
  assert.deepEqual(modify(nested, ctx(...ALL, ...ALL), [E.MUL, loopVar(T.FLOAT, Part.VALUE), f(2)]), [[4.8, 9.6]])
  const ints = listBin([2, 4, 6])
  assert.deepEqual(modify(ints, ctx(...ALL), [E.COND, [E.GT, loopVar(T.INT, Part.VALUE), 2], 1, 0]), [0, 1, 1])
  assert.deepEqual(modify(listBin([[1], [2], [3]]), ctx(...ALL), [E.EQ, loopVar(T.INT, Part.INDEX), 1]), [false, true, false])
  assert.deepEqual(modify(floatMap, ctx(...ALL), [E.COND, [E.EQ, loopVar(T.STR, Part.KEY), 'a'], 'pass', 'fail']), [['a', 'pass'], ['b', 'fail'], ['c', 'fail']])
})

test('modify by path removes with REMOVE_RESULT and keeps ordered lists sorted', () => {
  assert.deepEqual(modify(book, ctx(...ALL), [E.REMOVE_RESULT]), [])
  const odd = [E.EQ, [E.MOD, loopVar(T.INT, Part.VALUE), 2], 1]
  assert.deepEqual(modify(listBin([1, 2, 3, 4]), ctx(Ctx.EXP, exp(odd)), [E.REMOVE_RESULT]), [2, 4])
  assert.deepEqual(modify(listBin([1, 2, 3], true), ctx(...ALL), [E.SUB, 10, loopVar(T.INT, Part.VALUE)]), [{ flags: 1 }, 7, 8, 9])
  assert.deepEqual(modify(listBin([[1, 3], [2]], true), ctx(Ctx.LIST_RANK, 0, ...ALL), [E.MUL, loopVar(T.INT, Part.VALUE), 10]), [{ flags: 1 }, [2], [10, 30]])
  assert.deepEqual(modify(mapBin([['a', 1], ['b', 2]], 1), ctx(...ALL), [E.REMOVE_RESULT]), [{ flags: 1 }])
})

test('modify by path leaves the bin alone when nothing is selected or NO_FAIL skips an element', () => {
  assert.equal(modify(floatList, ctx(Ctx.EXP, exp([E.EQ, true, false])), f(1)), 'unchanged')
  const mixed = listBin([1, 'x', 3])
  assert.deepEqual(modify(mixed, ctx(...ALL), [E.ADD, loopVar(T.INT, Part.VALUE), 1], Mode.NO_FAIL), [2, 'x', 4])
  assert.equal(code(() => modify(mixed, ctx(...ALL), [E.ADD, loopVar(T.INT, Part.VALUE), 1])), ResultCode.SERVER_ERROR)
})

test('unknown filters fail with PARAMETER_ERROR unless NO_FAIL', () => {
  const mixed = listBin([1, 'x', 3])
  const gt1 = exp([E.GT, loopVar(T.INT, Part.VALUE), 1])
  assert.equal(code(() => select(mixed, ctx(Ctx.EXP, gt1), Mode.VALUE)), ResultCode.PARAMETER_ERROR)
  assert.deepEqual(select(mixed, ctx(Ctx.EXP, gt1), Mode.VALUE | Mode.NO_FAIL), [3])
  // A key step on a list never matches: unknown.
  assert.equal(code(() => select(mixed, ctx(0x12, 'a'), Mode.VALUE)), ResultCode.PARAMETER_ERROR)
  assert.deepEqual(select(mixed, ctx(0x12, 'a'), Mode.VALUE | Mode.NO_FAIL), [])
})

test('map keys from a list leaf are a bin type error unless NO_FAIL', () => {
  assertCode(ResultCode.BIN_TYPE_ERROR, () => select(floatList, ctx(...ALL), Mode.KEY))
  assert.deepEqual(select(floatList, ctx(...ALL), Mode.KEY | Mode.NO_FAIL), [])
  assert.deepEqual(select(listBin([[1], new Map<Value, Value>([['k', 2]])]), ctx(...ALL, ...ALL), Mode.KEY_VALUE | Mode.NO_FAIL), ['k', 2])
})

test('loop variables of every type', () => {
  const geo = listBin([new GeoJson('{"type":"Point","coordinates":[50.913,50.308]}'), new GeoJson('{"type":"Point","coordinates":[0.913,0.308]}')])
  const circle = new GeoJson('{"type":"AeroCircle","coordinates":[[50.913,50.308],4]}')
  assert.deepEqual(modify(geo, ctx(...ALL), [E.GEO, loopVar(T.GEO, Part.VALUE), circle]), [true, false])
  assert.deepEqual(modify(listBin([false, true]), ctx(...ALL), [E.EQ, loopVar(T.BOOL, Part.VALUE), false]), [true, false])
  assert.deepEqual(modify(listBin([Buffer.from('bob'), Buffer.from('tom')]), ctx(...ALL), [E.EQ, loopVar(T.BLOB, Part.VALUE), Buffer.from('bob')]), [true, false])
  // Key-ordered maps compare; unordered ones are unknown to expressions.
  const ordered = (k: string, v: number): Map<Value, Value> => new Map<Value, Value>([[new MsgpackExt(1, Buffer.alloc(0)), null], [k, v]])
  const maps = listBin([ordered('a', 1), ordered('b', 2)])
  assert.deepEqual(modify(maps, ctx(...ALL), [E.EQ, loopVar(T.MAP, Part.VALUE), ordered('b', 2)]), [false, true])
  assert.deepEqual(modify(listBin([[1], [2]]), ctx(...ALL), [E.EQ, loopVar(T.LIST, Part.VALUE), [E.QUOTE, [2]]]), [false, true])
})

test('select results and reads of path ops through a CDT_MODIFY op', () => {
  const out = run(floatMap, selectPayload(ctx(...ALL), Mode.VALUE), 'modify')
  assert.equal(out.bin, undefined)
  assert.equal(out.result?.particleType, ParticleType.LIST)
  // A missing bin: nothing to read; a rewrite needs a list or map.
  assert.deepEqual(run(undefined, selectPayload(ctx(...ALL), Mode.VALUE), 'read'), {})
  assertCode(ResultCode.BIN_TYPE_ERROR, () => run(undefined, modifyPayload(ctx(...ALL), exp(f(1))), 'modify'))
})

test('malformed path payloads answer PARAMETER_ERROR; other bin types BIN_TYPE_ERROR', () => {
  const intBin: CdtBin = { particleType: ParticleType.INTEGER, value: Buffer.alloc(8) }
  assertCode(ResultCode.BIN_TYPE_ERROR, () => run(intBin, selectPayload(ctx(...ALL), 0), 'read'))
  const cases: Buffer[] = [
    packValue([SELECT]),
    packValue([SELECT, [], 0]),
    packValue([SELECT, [Ctx.EXP], 0]),
    packValue([SELECT, [Ctx.EXP, true]]),
    packValue([SELECT, [Ctx.EXP, true], 'x']),
    packValue([SELECT, [Ctx.EXP, true], 5]),
    packValue([SELECT, [Ctx.EXP, true], 0, 1]),
    packValue([SELECT, [Ctx.EXP, false], 0]),
    packValue([SELECT, [Ctx.EXP, 7], 0]),
    packValue([SELECT, [Ctx.EXP, [255]], 0]),
    packValue([SELECT, [Ctx.AND, true], 0]),
    packValue([SELECT, [Ctx.EXP, true, Ctx.AND, true], 0]),
    packValue([SELECT, [Ctx.MAP_KEY, 'a', Ctx.AND, true, Ctx.AND, true], 0]),
    packValue([SELECT, [0x205, true], 0]),
    packValue([SELECT, [0x07, true], 0]),
    packValue([SELECT, [Ctx.LIST_INDEX, 'x'], 0]),
    packValue([SELECT, ['t', 0], 0]),
    packValue([SELECT, new Array(130).fill(Ctx.LIST_INDEX).map((v, i) => (i % 2 === 0 ? v : 0)), 0]),
    packValue([SELECT, [Ctx.LIST_INDEX, 0], Mode.APPLY]),
    packValue([SELECT, [Ctx.KEYS_IN, 'a'], 0]),
    packValue([SELECT, [Ctx.KEYS_IN, [new MsgpackExt(1, Buffer.alloc(0)), 'b', 'a']], 0]),
    packValue([SELECT, [Ctx.MAP_KEY | 0x40, 'a'], 0]),
    packValue([0xff, [Ctx.MAP_KEY, 'a'], [SELECT, [Ctx.EXP, true], 0]]),
  ]
  for (const payload of cases) {
    assert.equal(code(() => run(floatMap, payload, 'read')), ResultCode.PARAMETER_ERROR, payload.toString('hex'))
  }
  // A rewrite in a read op; a modify expression that does not build.
  assertCode(ResultCode.PARAMETER_ERROR, () => run(floatMap, modifyPayload(ctx(...ALL), exp(f(1))), 'read'))
  assertCode(ResultCode.PARAMETER_ERROR, () => run(floatMap, packParts([SELECT, ctx(...ALL), Mode.APPLY, new Raw(Buffer.of(0x91, 0xcc, 0xff))]), 'modify'))
  // A map context step on a list.
  assertCode(ResultCode.PARAMETER_ERROR, () => select(floatList, ctx(Ctx.MAP_KEY, 'a'), Mode.VALUE))
})

test('a modify value that cannot be stored is a bin type error', () => {
  assertCode(ResultCode.BIN_TYPE_ERROR, () => modify(floatList, ctx(...ALL), [E.QUOTE, [new MsgpackExt(0xff, Buffer.of(1))]]))
  assert.deepEqual(modify(floatList, ctx(Ctx.LIST_INDEX, 0), new Double(1.25)), [1.25, 4.8, 7.2])
})

test('path operations inside expressions: CALL select and CALL modify on a bin', () => {
  const CDT = 0
  const MODIFY_LOCAL = 0x40
  const rec = record({ bins: [listBinOf('l', [1, 2, 3])] })
  const gt1: Tree = [E.GT, loopVar(T.INT, Part.VALUE), 1]
  assert.deepEqual(evalPlain([E.CALL, T.LIST, CDT, [SELECT, [Ctx.EXP, gt1], Mode.VALUE], binExp(T.LIST, 'l')], rec), [2, 3])
  const doubled: Tree = [E.MUL, loopVar(T.INT, Part.VALUE), 2]
  assert.deepEqual(evalPlain([E.CALL, T.LIST, CDT | MODIFY_LOCAL, [SELECT, [Ctx.EXP, true], Mode.APPLY, doubled], binExp(T.LIST, 'l')], rec), [2, 4, 6])
  // Filters run without the record's bins: a bin read is unknown, so the CALL fails and is unknown.
  const readsBin: Tree = [E.EQ, binExp(T.LIST, 'l'), [E.QUOTE, [1, 2, 3]]]
  assert.equal(evalPlain([E.CALL, T.LIST, CDT, [SELECT, [Ctx.EXP, readsBin], Mode.VALUE], binExp(T.LIST, 'l')], rec), 'unknown')
  assert.deepEqual(evalPlain([E.CALL, T.LIST, CDT, [SELECT, [Ctx.EXP, readsBin], Mode.VALUE | Mode.NO_FAIL], binExp(T.LIST, 'l')], rec), [])
})
