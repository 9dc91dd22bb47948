// The expression ops of an operate: EXP_READ returns an expression's value under the op's bin
// name; EXP_MODIFY stores it in that bin. The op value is msgpack `[expression, flags]`.
import { OpType, ParticleType, ResultCode, type Op, type OutOp } from '@aerolite/protocol'
import { CommandError } from '../../command-error.ts'
import { findBin, putBin, removeBin } from '../../record/bins.ts'
import type { OpContext, OpHandler } from '../op-context.ts'
import { compileExpression, runExpression, type CompiledExpression } from './compile.ts'
import { ExpCursor } from './cursor.ts'
import { MsgpackType } from './msgpack-type.ts'
import { ExpOpFlag } from './opcodes.ts'
import { valueToBin } from './value.ts'

const READ_FLAGS = ExpOpFlag.EVAL_NO_FAIL
const MODIFY_FLAGS = ExpOpFlag.CREATE_ONLY | ExpOpFlag.UPDATE_ONLY | ExpOpFlag.ALLOW_DELETE | ExpOpFlag.POLICY_NO_FAIL | ExpOpFlag.EVAL_NO_FAIL

interface ParsedExpOp {
  exp: CompiledExpression
  flags: number
}

function parseExpOp(op: Op, allowedFlags: number): ParsedExpOp {
  const cursor = new ExpCursor(op.value)
  const count = cursor.listHeader()
  if (count < 1 || count > 2) throw new CommandError(ResultCode.PARAMETER_ERROR, `expression op of ${count} elements`)
  const expBytes = cursor.element()
  // A flags element that is not an integer leaves the default, as Aerospike reads it.
  let flags = 0n
  if (count === 2 && (cursor.peekType() === MsgpackType.INT || cursor.peekType() === MsgpackType.NEGINT)) flags = cursor.uint()
  if ((flags & ~BigInt(allowedFlags)) !== 0n) throw new CommandError(ResultCode.PARAMETER_ERROR, `invalid expression op flags ${flags}`)
  return { exp: compileExpression(expBytes), flags: Number(flags) }
}

function evaluate(ctx: OpContext, exp: CompiledExpression, name: string) {
  const value = runExpression(exp, { view: ctx.record, bins: ctx.bins, nowMs: ctx.record.namespace.nowMs(), ops: ctx.ops })
  return value.kind === 'unknown' ? undefined : valueToBin(name, value)
}

const notApplicable = (): CommandError => new CommandError(ResultCode.OP_NOT_APPLICABLE, 'expression did not evaluate to a bin value')

export const expRead: OpHandler = (ctx, op, name) => {
  const { exp, flags } = parseExpOp(op, READ_FLAGS)
  const bin = evaluate(ctx, exp, name)
  if (bin !== undefined) return { type: OpType.READ, particleType: bin.particleType, name, value: bin.value }
  if ((flags & ExpOpFlag.EVAL_NO_FAIL) === 0) throw notApplicable()
  return { type: OpType.READ, particleType: ParticleType.NULL, name, value: Buffer.alloc(0) } satisfies OutOp
}

export const expModify: OpHandler = (ctx, op, name) => {
  const { exp, flags } = parseExpOp(op, MODIFY_FLAGS)
  const noFail = (flags & ExpOpFlag.POLICY_NO_FAIL) !== 0
  const wasLive = findBin(ctx.bins, name) >= 0
  if (wasLive && (flags & ExpOpFlag.CREATE_ONLY) !== 0) {
    if (noFail) return undefined
    throw new CommandError(ResultCode.BIN_EXISTS, `bin "${name}" exists`)
  }
  if (!wasLive && (flags & ExpOpFlag.UPDATE_ONLY) !== 0) {
    if (noFail) return undefined
    throw new CommandError(ResultCode.BIN_NOT_FOUND, `bin "${name}" does not exist`)
  }
  const bin = evaluate(ctx, exp, name)
  if (bin === undefined) {
    if ((flags & ExpOpFlag.EVAL_NO_FAIL) !== 0) return undefined
    throw notApplicable()
  }
  if (bin.particleType !== ParticleType.NULL) {
    putBin(ctx.bins, bin)
    return undefined
  }
  if (wasLive && (flags & ExpOpFlag.ALLOW_DELETE) === 0) {
    // Aerospike tests `flags && POLICY_NO_FAIL`: any flag at all turns the refusal into a no-op.
    if (flags !== 0) return undefined
    throw new CommandError(ResultCode.OP_NOT_APPLICABLE, `expression would delete bin "${name}"`)
  }
  removeBin(ctx.bins, name)
  return undefined
}
