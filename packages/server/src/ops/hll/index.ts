// HyperLogLog operations on HLL bins (op types HLL_READ 15 and HLL_MODIFY 16).
//
// For the expression engine: applyHllOperation(bin, payload, mode) applies one HLL op payload
// ([op_code, args...], the msgpack array inside an expression CALL) to a bin value:
//   - bin: { particleType, value } in wire particle form (a Bin fits), or undefined for no bin;
//   - mode 'read': payload must be a read op (get_count, get_union, get_union_count,
//     get_intersect_count, get_similarity, describe, may_contain); returns { bin, result } with
//     bin unchanged and result the op's value (INTEGER counts, HLL union, FLOAT similarity, LIST
//     describe), or result undefined when there is no bin;
//   - mode 'modify': payload must be a modify op (init, add, set_union, refresh_count, fold);
//     returns { bin: the HLL after the op (undefined if there still is no bin), result: the count
//     for add and refresh_count, else undefined }.
// Failures throw CommandError with Aerospike's result code (4 bad payload, 12 not an HLL bin, 26
// incompatible bit counts, 6/17 create-only/update-only conflicts).
//
// isValidHll(bytes) tells whether bytes are a well-formed HLL particle.
import { OpType, ParticleType, type OutOp } from '@aerolite/protocol'
import { findBin, putBin } from '../../record/bins.ts'
import type { OperationMode, OperationOutcome, TypedValue } from '../bit/operation-outcome.ts'
import type { OpHandler } from '../op-context.ts'
import { binSketch, modifyHll, readHll } from './hll-apply.ts'
import { parseHllOp } from './hll-payload.ts'

export { isValidHll } from './hll-sketch.ts'
export type { OperationMode, OperationOutcome, TypedValue } from '../bit/operation-outcome.ts'

export function applyHllOperation(bin: TypedValue | undefined, payload: Buffer, mode: OperationMode): OperationOutcome {
  if (mode === 'read' && bin === undefined) return { bin, result: undefined }
  const sketch = binSketch(bin)
  if (mode === 'read') {
    const { name, op } = parseHllOp(payload, false)
    return { bin, result: readHll(sketch!, op, name) }
  }
  const { name, op } = parseHllOp(payload, true)
  const { value, result } = modifyHll(sketch, op, name)
  return { bin: value === undefined ? bin : { particleType: ParticleType.HLL, value }, result }
}

function resultOp(binName: string, result: TypedValue | undefined): OutOp | undefined {
  return result === undefined ? undefined : { type: OpType.READ, particleType: result.particleType, name: binName, value: result.value }
}

export const hllRead: OpHandler = (ctx, op, binName) => {
  const i = findBin(ctx.bins, binName)
  if (i < 0) return undefined
  return resultOp(binName, applyHllOperation(ctx.bins[i]!, op.value, 'read').result)
}

export const hllModify: OpHandler = (ctx, op, binName) => {
  const i = findBin(ctx.bins, binName)
  const current = i < 0 ? undefined : ctx.bins[i]!
  const { bin, result } = applyHllOperation(current, op.value, 'modify')
  if (bin !== undefined && bin !== current) putBin(ctx.bins, { name: binName, particleType: bin.particleType, value: bin.value })
  return resultOp(binName, result)
}
