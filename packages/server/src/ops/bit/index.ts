// Bitwise operations on blob bins (op types BIT_READ 12 and BIT_MODIFY 13).
//
// For the expression engine: applyBitOperation(bin, payload, mode) applies one bit op payload
// ([op_code, args...], the msgpack array inside an expression CALL) to a bin value:
//   - bin: { particleType, value } in wire particle form (a Bin fits), or undefined for no bin;
//   - mode 'read': payload must be a read op (get, count, lscan, rscan, get_int); returns
//     { bin, result } with bin unchanged and result the op's value (BLOB for get, INTEGER else),
//     or result undefined when there is no bin;
//   - mode 'modify': payload must be a modify op; returns { bin: the blob after the op (undefined
//     if there still is no bin), result: undefined }.
// Failures throw CommandError with Aerospike's result code (4 bad payload or flags, 12 not a
// blob, 26 range outside the blob or overflow, 6/17 create-only/update-only conflicts).
import { OpType, ParticleType, ResultCode, type Op, type OutOp } from '@aerolite/protocol'
import { CommandError } from '../../command-error.ts'
import { findBin, putBin } from '../../record/bins.ts'
import type { OpHandler } from '../op-context.ts'
import { modifyBlob, readBlob } from './bit-apply.ts'
import { parseBitOp } from './bit-payload.ts'
import type { OperationMode, OperationOutcome, TypedValue } from './operation-outcome.ts'

export type { OperationMode, OperationOutcome, TypedValue } from './operation-outcome.ts'

export function applyBitOperation(bin: TypedValue | undefined, payload: Buffer, mode: OperationMode): OperationOutcome {
  if (mode === 'read') {
    if (bin === undefined) return { bin, result: undefined }
    const { name, op } = parseBitOp(payload, false)
    return { bin, result: readBlob(bin, op, name) }
  }
  const { name, op } = parseBitOp(payload, true)
  const value = modifyBlob(bin, op, name)
  return { bin: value === undefined ? bin : { particleType: ParticleType.BLOB, value }, result: undefined }
}

/** Clients send bit op payloads as blob-typed values; anything else is a type error. */
function checkPayloadType(op: Op): void {
  if (op.particleType !== ParticleType.BLOB) throw new CommandError(ResultCode.BIN_TYPE_ERROR, `bit op payload of particle type ${op.particleType}`)
}

export const bitRead: OpHandler = (ctx, op, binName): OutOp | undefined => {
  const i = findBin(ctx.bins, binName)
  if (i < 0) return undefined
  checkPayloadType(op)
  const { result } = applyBitOperation(ctx.bins[i]!, op.value, 'read')
  return result === undefined ? undefined : { type: OpType.READ, particleType: result.particleType, name: binName, value: result.value }
}

export const bitModify: OpHandler = (ctx, op, binName): undefined => {
  checkPayloadType(op)
  const i = findBin(ctx.bins, binName)
  const current = i < 0 ? undefined : ctx.bins[i]!
  const { bin } = applyBitOperation(current, op.value, 'modify')
  if (bin !== undefined && bin !== current) putBin(ctx.bins, { name: binName, particleType: bin.particleType, value: bin.value })
  return undefined
}
