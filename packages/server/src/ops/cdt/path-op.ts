// A path operation on a bin (CDT op 0xfe): select or rewrite many nested elements at once.
// Aerospike runs the context and modify expressions in its metadata phase: they see the record's
// metadata and the element's loop variables (key, value, index), never the record's bins.
import { ParticleType } from '@aerolite/protocol'
import { runExpression, valueFromMsgpack, UNKNOWN, type CompiledExpression, type ExpRecord, type ExpResult } from '../exp/index.ts'
import type { OpContext } from '../op-context.ts'
import { canonicalValue } from './canonical.ts'
import { binTypeError, parameterError } from './errors.ts'
import type { CdtApplied, CdtBin } from './index.ts'
import type { LoopElement, PathEnv } from './path-match.ts'
import { modifyPath } from './path-modify.ts'
import { PathMode, parsePathPayload } from './path-payload.ts'
import { isList, selectPath } from './path-select.ts'

/** What path expressions see of the op context: the record and the op lookup. */
export type PathRecord = Pick<OpContext, 'record' | 'ops'>

function pathEnv(record: PathRecord | undefined, noFail: boolean): PathEnv {
  let expRecord: ExpRecord | undefined
  return {
    noFail,
    run(exp: CompiledExpression, element: LoopElement): ExpResult {
      if (record === undefined) throw parameterError('path expressions need the record they run on')
      expRecord ??= { view: record.record, bins: [], nowMs: record.record.namespace.nowMs(), ops: record.ops }
      const builtins: ExpResult[] = [
        element.key === undefined ? UNKNOWN : valueFromMsgpack(element.key),
        valueFromMsgpack(element.value),
        element.index === undefined ? UNKNOWN : { kind: 'int', value: BigInt(element.index) },
      ]
      return runExpression(exp, expRecord, builtins)
    },
  }
}

/**
 * Applies a path payload (isPathPayload is true) to a bin; `record` is the record the bin belongs
 * to, for the expressions. Same contract as applyCdtOperation.
 */
export function applyPathOperation(bin: CdtBin | undefined, payload: Buffer, mode: 'read' | 'modify', record: PathRecord | undefined): CdtApplied {
  if (bin === undefined || (bin.particleType !== ParticleType.LIST && bin.particleType !== ParticleType.MAP)) {
    throw binTypeError('path operations apply to a list or map bin')
  }
  const op = parsePathPayload(payload, mode === 'modify')
  const root = canonicalValue(bin.value)
  const env = pathEnv(record, op.noFail)
  if (op.mode !== PathMode.APPLY) return { result: selectPath(root, op, env) }
  const value = modifyPath(root, op, env)
  if (value === undefined) return {}
  return { bin: { particleType: isList(value) ? ParticleType.LIST : ParticleType.MAP, value } }
}
