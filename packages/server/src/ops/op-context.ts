// What an op handler sees: the record's working bins and its metadata. Handlers of every family
// (scalar, list, map, bit, HLL, expression) share this shape and are found by op type in families.ts,
// whose table reaches expressions through the context rather than an import (it would be a cycle).
import type { Op, OutOp } from '@aerolite/protocol'
import type { Bin } from '../record/bins.ts'
import type { StoredKey } from '../record/layout.ts'
import type { Namespace } from '../namespace/namespace.ts'

/** The record as it was before this command, for expressions that read metadata. */
export interface RecordView {
  namespace: Namespace
  exists: boolean
  digest: Buffer
  setName: string
  generation: number
  /** Seconds since 2010-01-01; 0 = never expires. */
  voidTime: number
  lastUpdateMs: number
  key: StoredKey | undefined
  /** Stored size of the record in bytes (0 if it does not exist). */
  storedBytes: number
}

export interface OpContext {
  /** The working copy: handlers replace or remove bins here; nothing is stored until every op succeeded. */
  bins: Bin[]
  record: RecordView
  /** Set in read commands: modify ops must fail with PARAMETER_ERROR. */
  readOnly: boolean
  /** The handlers by op type (families.ts), handed down so expression CALLs need not import them. */
  ops: OpLookup
}

/** Applies one op; returns its result (a READ op in the reply) or undefined when it has none. */
export type OpHandler = (ctx: OpContext, op: Op, binName: string) => OutOp | undefined

/** Op type -> handler, for the families beyond the scalar ops. */
export type OpLookup = Readonly<Partial<Record<number, OpHandler>>>
