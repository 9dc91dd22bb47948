// CALL runs a list/map, bit or HLL operation inside an expression. The operand is a value, not a
// stored bin, so the op runs through the same handler an operate would use (the record's op lookup), on a
// one-bin working copy: a read returns its result, a modify returns the changed copy.
import { OpType, ParticleType, ResultCode, type Op } from '@aerolite/protocol'
import { CommandError } from '../../command-error.ts'
import type { Bin } from '../../record/bins.ts'
import type { OpContext } from '../op-context.ts'
import { CallSystem } from './opcodes.ts'
import type { ExpRecord } from './runtime.ts'

/** The working copy's bin name; any valid name would do, the copy never reaches the record. */
const OPERAND_NAME = 'exp-operand'

const OP_TYPES: Readonly<Partial<Record<number, readonly [read: number, modify: number]>>> = {
  [CallSystem.CDT]: [OpType.CDT_READ, OpType.CDT_MODIFY],
  [CallSystem.BITS]: [OpType.BIT_READ, OpType.BIT_MODIFY],
  [CallSystem.HLL]: [OpType.HLL_READ, OpType.HLL_MODIFY],
}

export function isCallSystem(system: number): boolean {
  return OP_TYPES[system] !== undefined
}

/**
 * Applies the packed op to the operand (undefined = no value). Returns the read's result or the
 * modified operand; undefined when the op fails (the expression's result is then unknown).
 * An engine that does not exist yet answers UNSUPPORTED_FEATURE, which ends the command.
 */
export function applyCall(system: number, modify: boolean, payload: Buffer, operand: Bin | undefined, record: ExpRecord): Bin | undefined {
  const opType = OP_TYPES[system]?.[modify ? 1 : 0]
  const handler = opType === undefined ? undefined : record.ops[opType]
  if (opType === undefined || handler === undefined) return undefined
  const ctx: OpContext = {
    bins: operand === undefined ? [] : [{ name: OPERAND_NAME, particleType: operand.particleType, value: operand.value }],
    record: record.view,
    readOnly: !modify,
    ops: record.ops,
  }
  const op: Op = { type: opType, particleType: ParticleType.BLOB, flags: 0, name: Buffer.from(OPERAND_NAME), value: payload }
  try {
    const result = handler(ctx, op, OPERAND_NAME)
    if (modify) return ctx.bins.find((bin) => bin.name === OPERAND_NAME) ?? nilBin()
    return result === undefined ? nilBin() : { name: OPERAND_NAME, particleType: result.particleType, value: result.value }
  } catch (err) {
    if (err instanceof CommandError && err.resultCode === ResultCode.UNSUPPORTED_FEATURE) throw err
    // Any other failure (bad arguments, wrong operand type, malformed payload) makes the call unknown.
    return undefined
  }
}

function nilBin(): Bin {
  return { name: OPERAND_NAME, particleType: ParticleType.NULL, value: Buffer.alloc(0) }
}
