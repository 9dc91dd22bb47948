import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GeoJson, MsgpackExt, ParticleType, ResultCode, packValue, type Value } from '@aerolite/protocol'
import { compileExpression, runExpression, valueFromMsgpack } from '../../../src/ops/exp/index.ts'
import {
  E, NOW_MS, Name, T, bin, blobBin, boolBin, buildError, evalPlain, floatBin, geoBin, intBin, listBin, mapBin, pack, record, strBin,
  type Tree,
} from './exp-fixtures.ts'

const CITRUSLEAF_EPOCH_SECONDS = 1262304000

test('metadata: ttl, void time, last update, since update, set name, sizes, key exists, tombstone', () => {
  const rec = record({ ttlSeconds: 1000, lastUpdateMs: NOW_MS - 1500, setName: 'demo', storedBytes: 321 })
  const voidTime = Math.floor(NOW_MS / 1000) - CITRUSLEAF_EPOCH_SECONDS + 1000
  assert.equal(evalPlain([E.TTL], rec), 1000n)
  assert.equal(evalPlain([E.VOID_TIME], rec), BigInt(voidTime + CITRUSLEAF_EPOCH_SECONDS) * 1_000_000_000n)
  assert.equal(evalPlain([E.LAST_UPDATE], rec), BigInt(NOW_MS - 1500) * 1_000_000n)
  assert.equal(evalPlain([E.SINCE_UPDATE], rec), 1500n)
  assert.equal(evalPlain([E.SET_NAME], rec), 'demo')
  assert.equal(evalPlain([E.RECORD_SIZE], rec), 321n)
  assert.equal(evalPlain([E.MEMORY_SIZE], rec), 321n)
  assert.equal(evalPlain([E.DEVICE_SIZE], rec), 0n)
  assert.equal(evalPlain([E.KEY_EXISTS], rec), false)
  assert.equal(evalPlain([E.IS_TOMBSTONE], rec), false)
  const forever = record({ ttlSeconds: 0, setName: '' })
  assert.equal(evalPlain([E.TTL], forever), -1n)
  assert.equal(evalPlain([E.VOID_TIME], forever), -1n)
  assert.equal(evalPlain([E.SET_NAME], forever), '')
  assert.equal(buildError(pack([E.TTL, 1])), ResultCode.PARAMETER_ERROR)
})

test('DIGEST_MODULO reads digest bytes 16..19 little-endian', () => {
  const digest = Buffer.alloc(20)
  digest.writeUInt32LE(1003, 16)
  assert.equal(evalPlain([E.DIGEST_MODULO, 10], record({ digest })), 3n)
  assert.equal(evalPlain([E.EQ, [E.DIGEST_MODULO, 3], 1], record({ digest })), true)
  assert.equal(buildError(pack([E.DIGEST_MODULO, 0])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.DIGEST_MODULO])), ResultCode.PARAMETER_ERROR)
})

test('KEY reads the stored key of the asked type', () => {
  const intKey = Buffer.alloc(8)
  intKey.writeBigInt64BE(77n)
  const withInt = record({ key: { particleType: ParticleType.INTEGER, bytes: intKey } })
  const withStr = record({ key: { particleType: ParticleType.STRING, bytes: Buffer.from('k1') } })
  assert.equal(evalPlain([E.KEY, T.INT], withInt), 77n)
  assert.equal(evalPlain([E.KEY, T.STR], withInt), 'unknown')
  assert.equal(evalPlain([E.KEY, T.STR], withStr), 'k1')
  assert.equal(evalPlain([E.KEY_EXISTS], withStr), true)
  assert.equal(evalPlain([E.KEY, T.INT], record()), 'unknown')
  assert.equal(buildError(pack([E.KEY, T.LIST])), ResultCode.PARAMETER_ERROR)
})

test('BIN reads a bin of the asked type; BIN_TYPE its particle type', () => {
  const rec = record({
    bins: [intBin('i', 1), floatBin('f', 1.5), strBin('s', 'x'), blobBin('b', Buffer.of(9)), boolBin('t', true), listBin('l', [1]),
      mapBin('m', new Map([['a', 1]])), geoBin('g', { type: 'Point', coordinates: [1, 2] }), { name: 'j', particleType: 7, value: Buffer.of(1) }],
  })
  assert.equal(evalPlain(bin(T.INT, 'i'), rec), 1n)
  assert.equal(evalPlain(bin(T.FLOAT, 'f'), rec), 1.5)
  assert.equal(evalPlain(bin(T.STR, 's'), rec), 'x')
  assert.deepEqual(evalPlain(bin(T.BLOB, 'b'), rec), Buffer.of(9))
  assert.equal(evalPlain(bin(T.BOOL, 't'), rec), true)
  assert.deepEqual(evalPlain(bin(T.LIST, 'l'), rec), [1])
  assert.deepEqual(evalPlain(bin(T.GEO, 'g'), rec), { type: 'Point', coordinates: [1, 2] })
  assert.equal(evalPlain(bin(T.BLOB, 'j'), rec), 'unknown')
  assert.equal(evalPlain(bin(T.NIL, 'i'), rec), 'unknown')
  assert.equal(evalPlain([E.BIN_TYPE, new Name('m')], rec), 19n)
  assert.equal(evalPlain([E.BIN_TYPE, new Name('zz')], rec), 0n)
  assert.equal(evalPlain([E.NE, [E.BIN_TYPE, new Name('i')], 0], rec), true)
  assert.equal(buildError(pack(bin(10, 'i'))), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack(bin(T.INT, 'sixteen-bytes-xx'))), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.BIN, T.INT])), ResultCode.PARAMETER_ERROR)
})

test('MAP_KEYS and MAP_VALUES list a map\'s keys or values, skipping an order header', () => {
  const orderedMap = new Map<Value, Value>([[new MsgpackExt(1, Buffer.alloc(0)), null], ['a', 1], ['b', 2]])
  const rec = record({ bins: [mapBin('m', orderedMap), intBin('i', 1)] })
  assert.deepEqual(evalPlain([E.MAP_KEYS, bin(T.MAP, 'm')], rec), ['a', 'b'])
  assert.deepEqual(evalPlain([E.MAP_VALUES, bin(T.MAP, 'm')], rec), [1, 2])
  assert.deepEqual(evalPlain([E.MAP_VALUES, new Map([['x', 'y']])]), ['y'])
  assert.equal(evalPlain([E.MAP_KEYS, bin(T.INT, 'i')], rec), 'unknown')
})

test('LOOPVAR reads the values a path operation sets, unknown elsewhere', () => {
  const exp = compileExpression(pack([E.ADD, [E.LOOPVAR, T.INT, 2], 1]))
  assert.deepEqual(runExpression(exp, record(), [{ kind: 'unknown' }, { kind: 'unknown' }, { kind: 'int', value: 4n }]), { kind: 'int', value: 5n })
  assert.equal(runExpression(exp, record()).kind, 'unknown')
  const str = compileExpression(pack([E.LOOPVAR, T.STR, 1]))
  assert.deepEqual(runExpression(str, record(), [{ kind: 'unknown' }, valueFromMsgpack(packValue('v')), { kind: 'unknown' }]), { kind: 'str', bytes: Buffer.from('v') })
  assert.equal(runExpression(str, record(), [{ kind: 'unknown' }, valueFromMsgpack(packValue(5)), { kind: 'unknown' }]).kind, 'unknown')
  assert.deepEqual(valueFromMsgpack(packValue([1])), { kind: 'list', msgpack: packValue([1]) })
  assert.deepEqual(valueFromMsgpack(packValue(-3)), { kind: 'int', value: -3n })
  assert.equal(valueFromMsgpack(packValue(new GeoJson('{}'))).kind, 'geo')
  assert.equal(valueFromMsgpack(Buffer.from([0xc1])).kind, 'unknown')
  assert.equal(buildError(pack([E.LOOPVAR, T.STR, 2])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.LOOPVAR, T.INT, 3])), ResultCode.PARAMETER_ERROR)
})

test('literals: strings, blobs, maps, quoted lists and ext markers', () => {
  const cases: Array<[Tree, unknown]> = [
    ['hello', 'hello'],
    [Buffer.of(1, 2), Buffer.of(1, 2)],
    [[E.QUOTE, [1, 'a']], [1, 'a']],
    [null, null],
  ]
  for (const [tree, expected] of cases) assert.deepEqual(evalPlain(tree), expected)
  assert.equal(buildError(pack([E.QUOTE, 1])), ResultCode.PARAMETER_ERROR)
  // INF alone has no known type: not an expression on its own.
  assert.equal(buildError(pack(new MsgpackExt(0xff, Buffer.of(1)))), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(Buffer.from([0xa0])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(Buffer.from([0xa2, 0x07, 0x01])), ResultCode.PARAMETER_ERROR)
})

test('malformed expressions are parameter errors', () => {
  const bad = [
    Buffer.alloc(0),
    Buffer.from([0x90]),
    Buffer.from([0x91, 0x63]),
    Buffer.from([0x91, 0xcc, 0x80]),
    Buffer.from([0x91, 0xd0, 0xff]),
    Buffer.from([0x91, 0xa1, 0x61]),
    Buffer.from([0x93, 0x01, 0x01]),
    Buffer.concat([pack([E.EQ, 1, 1]), Buffer.of(0xc0)]),
    Buffer.from([0xc1]),
    Buffer.from([0xd4, 0x05, 0x00]),
  ]
  for (const bytes of bad) assert.equal(buildError(bytes), ResultCode.PARAMETER_ERROR, bytes.toString('hex'))
})

test('deep nesting is refused, not a stack overflow', () => {
  let tree: Tree = true
  for (let i = 0; i < 5000; i++) tree = [E.NOT, tree]
  assert.equal(buildError(pack(tree)), ResultCode.PARAMETER_ERROR)
})
