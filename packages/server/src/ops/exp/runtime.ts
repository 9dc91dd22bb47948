// What a compiled expression is, and what it sees when it runs: the record's metadata and bins.
import type { Bin } from '../../record/bins.ts'
import type { OpLookup, RecordView } from '../op-context.ts'
import type { ExpTypeCode } from './opcodes.ts'
import type { ExpResult } from './value.ts'

export interface ExpRecord {
  view: RecordView
  /** The record's bins as the command sees them. */
  bins: readonly Bin[]
  nowMs: number
  /** The op handlers CALL runs list, map, bit and HLL ops through. */
  ops: OpLookup
}

export interface Runtime {
  record: ExpRecord
  /** LET variables by slot. */
  vars: ExpResult[]
  /** LOOPVAR values (key, value, index) a path operation sets for each element; UNKNOWN elsewhere. */
  builtins: readonly ExpResult[]
}

export interface Compiled {
  /** The result type, checked when the expression is built. */
  type: ExpTypeCode
  /** The literal UNKNOWN op, which COND branches may return whatever their type. */
  isUnknownOp: boolean
  run(rt: Runtime): ExpResult
}
