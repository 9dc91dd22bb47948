// List and map (CDT) operations.
//
// applyCdtOperation(bin, payload, mode, record?) applies one CDT op payload to a bin value. It is what the
// CDT_READ and CDT_MODIFY op handlers run, and what the expression engine calls for its list and
// map functions.
//
//   bin      the bin as stored: { particleType, value } in wire particle form (a LIST particle is
//            msgpack array bytes, a MAP particle msgpack map bytes), or undefined when the bin does
//            not exist.
//   payload  the op's msgpack payload exactly as a client sends it in the op value:
//            [op_code, args...] or [0xff, [ctx_type, ctx_value, ...], [op_code, args...]], or a
//            path operation [0xfe, [ctx_type, ctx_value, ...], flags, expression?] (path-op.ts).
//   mode     'read' for CDT_READ (the payload must be a read op), 'modify' for CDT_MODIFY (a
//            modify op). A read op in 'modify' mode, or the reverse, is a PARAMETER_ERROR, as on
//            the server.
//   record   the record the bin belongs to and the op lookup (the op context's); path operations
//            ([0xfe, ...], path-op.ts) need them for their expressions.
//
// Returns { result?, bin? }:
//   result   the op's result as a bin particle ({ particleType, value } in wire form: INTEGER is 8
//            bytes big-endian, BOOL 1 byte, FLOAT 8 bytes, STRING UTF-8 without type byte, LIST /
//            MAP msgpack); undefined when the op returns nothing (return type NONE, a nil element,
//            most writes).
//   bin      the bin's new value ({ particleType: LIST or MAP, value }) when the op changed it;
//            undefined when it left the bin unchanged (also for every read).
// A read of a missing bin returns {} without looking at the payload, as the server does.
//
// Failures throw CommandError with Aerospike's result code: BIN_TYPE_ERROR (12) for a list op on
// a map or another type (and the reverse), PARAMETER_ERROR (4) for malformed payloads, wrong
// argument types or counts, and a context on a bin that is neither list nor map,
// OP_NOT_APPLICABLE (26) for out-of-range indexes, unsupported return types and contexts that
// lead nowhere, ELEMENT_EXISTS (24) / ELEMENT_NOT_FOUND (23) where the write flags ask for it.
// Nothing is changed when it throws: the caller's bin is only replaced from the returned value.
import { ParticleType } from '@aerolite/protocol'
import { canonicalValue } from './canonical.ts'
import { runCdtOp } from './context.ts'
import { Kind, readHead } from './element.ts'
import { binTypeError, parameterError } from './errors.ts'
import { isListOp } from './op-codes.ts'
import { parseCdtPayload } from './payload.ts'
import { applyPathOperation, type PathRecord } from './path-op.ts'
import { isPathPayload } from './path-payload.ts'
import type { CdtResult } from './result.ts'

export type { CdtResult } from './result.ts'
export { compareElements } from './order.ts'
export { canonicalValue } from './canonical.ts'

export interface CdtBin {
  particleType: number
  value: Buffer
}

export interface CdtApplied {
  result?: CdtResult
  bin?: CdtBin
}

export function applyCdtOperation(bin: CdtBin | undefined, payload: Buffer, mode: 'read' | 'modify', record?: PathRecord): CdtApplied {
  if (bin === undefined && mode === 'read') return {}
  if (isPathPayload(payload)) return applyPathOperation(bin, payload, mode, record)
  const op = parseCdtPayload(payload)
  const modify = mode === 'modify'
  if (op.spec.modify !== modify) throw parameterError(`${op.spec.name} is not a ${mode} op`)
  if (bin !== undefined) {
    const expected = isListOp(op.code) ? ParticleType.LIST : ParticleType.MAP
    if (op.context.length > 0) {
      if (bin.particleType !== ParticleType.LIST && bin.particleType !== ParticleType.MAP) throw parameterError('context on a bin that is not a list or map')
    } else if (bin.particleType !== expected) {
      throw binTypeError(`${op.spec.name} on a bin of particle type ${bin.particleType}`)
    }
  }
  const root = bin === undefined ? undefined : canonicalValue(bin.value)
  const outcome = runCdtOp(op, root, modify)
  if (outcome.value === undefined) return { result: outcome.result }
  const particleType = readHead(outcome.value, 0).kind === Kind.LIST ? ParticleType.LIST : ParticleType.MAP
  return { result: outcome.result, bin: { particleType, value: outcome.value } }
}
