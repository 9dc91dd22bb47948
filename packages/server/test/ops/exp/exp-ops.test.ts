import { test } from 'node:test'
import assert from 'node:assert/strict'
import { OpType, ParticleType, ResultCode, type Op } from '@aerolite/protocol'
import { CommandError } from '../../../src/command-error.ts'
import { expModify, expRead } from '../../../src/ops/exp/index.ts'
import type { OpContext } from '../../../src/ops/op-context.ts'
import type { Bin } from '../../../src/record/bins.ts'
import { E, T, bin, intBin, pack, record, strBin, type Tree } from './exp-fixtures.ts'

const CREATE_ONLY = 1
const UPDATE_ONLY = 2
const ALLOW_DELETE = 4
const POLICY_NO_FAIL = 8
const EVAL_NO_FAIL = 16

function op(type: number, name: string, exp: Tree, flags?: number | Tree): Op {
  const value = pack(flags === undefined ? [exp] : [exp, flags])
  return { type, particleType: ParticleType.BLOB, flags: 0, name: Buffer.from(name), value }
}

function context(bins: Bin[]): OpContext {
  const rec = record({ bins })
  return { bins: rec.bins as Bin[], record: rec.view, readOnly: false, ops: rec.ops }
}

function code(fn: () => unknown): number | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    if (err instanceof CommandError) return err.resultCode
    throw err
  }
}

const sum: Tree = [E.ADD, bin(T.INT, 'i'), bin(T.INT, 'i')]

test('EXP_READ returns the value under the op\'s name and changes nothing', () => {
  const ctx = context([intBin('i', 2)])
  const result = expRead(ctx, op(OpType.EXP_READ, 'ExpVar', sum, 0), 'ExpVar')
  assert.deepEqual(result, { type: OpType.READ, particleType: ParticleType.INTEGER, name: 'ExpVar', value: intBin('', 4).value })
  assert.deepEqual(ctx.bins, [intBin('i', 2)])
  const bool = expRead(ctx, op(OpType.EXP_READ, 'b', [E.GT, bin(T.INT, 'i'), 1]), 'b')
  assert.deepEqual(bool?.value, Buffer.of(1))
  assert.equal(bool?.particleType, ParticleType.BOOL)
})

test('EXP_READ of an unknown value fails with OP_NOT_APPLICABLE unless EVAL_NO_FAIL', () => {
  const ctx = context([])
  assert.equal(code(() => expRead(ctx, op(OpType.EXP_READ, 'x', sum, 0), 'x')), ResultCode.OP_NOT_APPLICABLE)
  const result = expRead(ctx, op(OpType.EXP_READ, 'x', sum, EVAL_NO_FAIL), 'x')
  assert.equal(result?.particleType, ParticleType.NULL)
  assert.equal(code(() => expRead(ctx, op(OpType.EXP_READ, 'x', sum, CREATE_ONLY), 'x')), ResultCode.PARAMETER_ERROR)
  assert.equal(code(() => expRead(ctx, op(OpType.EXP_READ, 'x', [E.ADD, 1, 'a'], 0), 'x')), ResultCode.PARAMETER_ERROR)
})

test('EXP_MODIFY writes the value to the bin', () => {
  const ctx = context([intBin('i', 2)])
  assert.equal(expModify(ctx, op(OpType.EXP_MODIFY, 'i', sum, 0), 'i'), undefined)
  assert.deepEqual(ctx.bins, [intBin('i', 4)])
  expModify(ctx, op(OpType.EXP_MODIFY, 's', 'text', 0), 's')
  assert.deepEqual(ctx.bins[1], strBin('s', 'text'))
})

test('EXP_MODIFY create-only, update-only and policy-no-fail', () => {
  const ctx = context([intBin('i', 2)])
  assert.equal(code(() => expModify(ctx, op(OpType.EXP_MODIFY, 'i', 5, CREATE_ONLY), 'i')), ResultCode.BIN_EXISTS)
  assert.equal(expModify(ctx, op(OpType.EXP_MODIFY, 'i', 5, CREATE_ONLY | POLICY_NO_FAIL), 'i'), undefined)
  assert.deepEqual(ctx.bins, [intBin('i', 2)])
  assert.equal(code(() => expModify(ctx, op(OpType.EXP_MODIFY, 'new', 5, UPDATE_ONLY), 'new')), ResultCode.BIN_NOT_FOUND)
  expModify(ctx, op(OpType.EXP_MODIFY, 'new', 5, UPDATE_ONLY | POLICY_NO_FAIL), 'new')
  assert.equal(ctx.bins.length, 1)
  expModify(ctx, op(OpType.EXP_MODIFY, 'new', 5, CREATE_ONLY), 'new')
  assert.deepEqual(ctx.bins[1], intBin('new', 5))
})

test('EXP_MODIFY to nil deletes the bin only with ALLOW_DELETE', () => {
  const ctx = context([intBin('i', 2)])
  assert.equal(code(() => expModify(ctx, op(OpType.EXP_MODIFY, 'i', null, 0), 'i')), ResultCode.OP_NOT_APPLICABLE)
  // Aerospike treats any flag here as "no fail": the bin stays.
  expModify(ctx, op(OpType.EXP_MODIFY, 'i', null, EVAL_NO_FAIL), 'i')
  assert.equal(ctx.bins.length, 1)
  expModify(ctx, op(OpType.EXP_MODIFY, 'i', null, ALLOW_DELETE), 'i')
  assert.equal(ctx.bins.length, 0)
  // Nil into a missing bin is a no-op.
  expModify(ctx, op(OpType.EXP_MODIFY, 'i', null, 0), 'i')
  assert.equal(ctx.bins.length, 0)
})

test('EXP_MODIFY of an unknown value fails unless EVAL_NO_FAIL, and leaves the bin', () => {
  const ctx = context([strBin('s', 'x')])
  assert.equal(code(() => expModify(ctx, op(OpType.EXP_MODIFY, 's', sum, 0), 's')), ResultCode.OP_NOT_APPLICABLE)
  expModify(ctx, op(OpType.EXP_MODIFY, 's', sum, EVAL_NO_FAIL), 's')
  assert.deepEqual(ctx.bins, [strBin('s', 'x')])
  // REMOVE_RESULT and INF cannot be stored.
  assert.equal(code(() => expModify(ctx, op(OpType.EXP_MODIFY, 's', [E.REMOVE_RESULT], 0), 's')), ResultCode.OP_NOT_APPLICABLE)
})

test('malformed expression op values are parameter errors', () => {
  const ctx = context([intBin('i', 1)])
  const raw = (value: Buffer): Op => ({ type: OpType.EXP_MODIFY, particleType: ParticleType.BLOB, flags: 0, name: Buffer.from('i'), value })
  for (const value of [Buffer.alloc(0), Buffer.from([0x90]), Buffer.from([0x93, 0x01, 0x02, 0x03]), Buffer.from([0x05]), pack([sum, -1]), pack([sum, 32])]) {
    assert.equal(code(() => expModify(ctx, raw(value), 'i')), ResultCode.PARAMETER_ERROR, value.toString('hex'))
  }
  // A flags element that is not an integer counts as no flags.
  expModify(ctx, raw(pack([[E.ADD, 1, 1], 'x'])), 'i')
  assert.deepEqual(ctx.bins, [intBin('i', 2)])
})
