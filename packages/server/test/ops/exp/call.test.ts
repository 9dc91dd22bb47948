import { test } from 'node:test'
import assert from 'node:assert/strict'
import { OpType, ParticleType, ResultCode, packValue, type Op } from '@aerolite/protocol'
import { CommandError } from '../../../src/command-error.ts'
import { OP_FAMILIES } from '../../../src/ops/families.ts'
import type { OpContext, OpHandler } from '../../../src/ops/op-context.ts'
import { E, T, bin, blobBin, buildError, evalPlain, evaluate, intBin, listBin, pack, quote, record, type Tree } from './exp-fixtures.ts'

const CDT = 0
const BITS = 1
const MODIFY_LOCAL = 0x40
const LIST_SIZE = 16
const LIST_GET_BY_INDEX = 19
const LIST_APPEND = 1
const RETURN_VALUE = 7

const families = OP_FAMILIES as Record<number, OpHandler | undefined>

/** Runs fn with a stand-in handler for one op type, restoring the real one after. */
function withHandler(opType: number, handler: OpHandler, fn: () => void): void {
  const saved = families[opType]
  families[opType] = handler
  try {
    fn()
  } finally {
    families[opType] = saved
  }
}

const int8 = (value: number): Buffer => intBin('', value).value

test('a CALL read runs the op on the operand, with list arguments evaluated into the payload', () => {
  const seen: Array<{ payload: Buffer; bins: OpContext['bins'] }> = []
  const fake: OpHandler = (ctx, op: Op) => {
    seen.push({ payload: op.value, bins: ctx.bins.map((b) => ({ ...b })) })
    return { type: OpType.READ, particleType: ParticleType.INTEGER, name: 'x', value: int8(3) }
  }
  const rec = record({ bins: [listBin('l', ['a', 'b', 'c'])] })
  withHandler(OpType.CDT_READ, fake, () => {
    assert.equal(evalPlain([E.CALL, T.INT, CDT, [LIST_SIZE], bin(T.LIST, 'l')], rec), 3n)
    assert.deepEqual(seen[0]!.payload, pack([LIST_SIZE]))
    assert.deepEqual(seen[0]!.bins.map((b) => [b.particleType, b.value]), [[ParticleType.LIST, packValue(['a', 'b', 'c'])]])

    evaluate([E.CALL, T.INT, CDT, [LIST_GET_BY_INDEX, RETURN_VALUE, [E.ADD, 1, 1]], bin(T.LIST, 'l')], rec)
    assert.deepEqual(seen[1]!.payload, pack([LIST_GET_BY_INDEX, RETURN_VALUE, 2]))

    // A context wraps the op; its inner arguments are evaluated the same way.
    evaluate([E.CALL, T.INT, CDT, [0xff, [0x10, 2], [LIST_GET_BY_INDEX, RETURN_VALUE, [E.SUB, 1, 1], 'x']], quote([1, [2]])], rec)
    assert.deepEqual(seen[2]!.payload, pack([0xff, [0x10, 2], [LIST_GET_BY_INDEX, RETURN_VALUE, 0, 'x']]))
    assert.deepEqual(seen[2]!.bins[0]!.value, packValue([1, [2]]))

    // The result must have the declared type.
    assert.equal(evalPlain([E.CALL, T.STR, CDT, [LIST_SIZE], bin(T.LIST, 'l')], rec), 'unknown')
    // A missing operand bin, or an unknown argument, skips the op.
    const before = seen.length
    assert.equal(evalPlain([E.CALL, T.INT, CDT, [LIST_SIZE], bin(T.LIST, 'nope')], rec), 'unknown')
    assert.equal(evalPlain([E.CALL, T.INT, CDT, [LIST_GET_BY_INDEX, RETURN_VALUE, bin(T.INT, 'nope')], bin(T.LIST, 'l')], rec), 'unknown')
    assert.equal(seen.length, before)
  })
})

test('a failing op makes the CALL unknown; a missing engine ends the command', () => {
  const rec = record({ bins: [listBin('l', [1])] })
  const call: Tree = [E.EQ, [E.CALL, T.INT, CDT, [LIST_SIZE], bin(T.LIST, 'l')], 1]
  withHandler(OpType.CDT_READ, () => { throw new CommandError(ResultCode.OP_NOT_APPLICABLE) }, () => {
    assert.equal(evalPlain(call, rec), 'unknown')
  })
  withHandler(OpType.CDT_READ, () => { throw new CommandError(ResultCode.UNSUPPORTED_FEATURE) }, () => {
    assert.throws(() => evaluate(call, rec), (err: unknown) => err instanceof CommandError && err.resultCode === ResultCode.UNSUPPORTED_FEATURE)
  })
})

test('a CALL modify returns the changed copy and leaves the record alone', () => {
  const rec = record({ bins: [listBin('l', [2, 3])] })
  const append: OpHandler = (ctx) => {
    const operand = ctx.bins[0]!
    ctx.bins[0] = { ...operand, value: packValue([2, 3, 4]) }
    return { type: OpType.READ, particleType: ParticleType.INTEGER, name: operand.name, value: int8(3) }
  }
  withHandler(OpType.CDT_MODIFY, append, () => {
    assert.deepEqual(evalPlain([E.CALL, T.LIST, CDT | MODIFY_LOCAL, [LIST_APPEND, 4], bin(T.LIST, 'l')], rec), [2, 3, 4])
  })
  assert.deepEqual(rec.bins[0], listBin('l', [2, 3]))
})

test('CALL through the bit engine', () => {
  const rec = record({ bins: [blobBin('b', Buffer.of(0b1011_0000, 0xff))] })
  // Bit count (op 51) of the first 8 bits.
  assert.equal(evalPlain([E.CALL, T.INT, BITS, [51, 0, 8], bin(T.BLOB, 'b')], rec), 3n)
})

test('CALL arguments are checked when the expression is built', () => {
  const errors: Tree[] = [
    [E.CALL, T.INT, CDT, [LIST_SIZE], 1],
    [E.CALL, T.INT, BITS, [51, 0, 8], bin(T.LIST, 'l')],
    [E.CALL, T.INT, 7, [LIST_SIZE], bin(T.LIST, 'l')],
    [E.CALL, 10, CDT, [LIST_SIZE], bin(T.LIST, 'l')],
    [E.CALL, T.INT, CDT, [], bin(T.LIST, 'l')],
    [E.CALL, T.INT, CDT, [0xff, [0x10, 0]], bin(T.LIST, 'l')],
    [E.CALL, T.INT, CDT, [LIST_SIZE]],
    [E.CALL, T.INT, CDT, 5, bin(T.LIST, 'l')],
  ]
  for (const tree of errors) assert.equal(buildError(pack(tree)), ResultCode.PARAMETER_ERROR, JSON.stringify(tree))
})
