// Decodes a path operation (Aerospike 8.1's CDT select): `[0xfe, ctx, flags]` selects elements,
// `[0xfe, ctx, flags | APPLY, expression]` rewrites them. The context is a list of (type, value)
// pairs, one level each: the usual index/rank/key/value steps, an expression step (0x04) that
// selects every child the expression accepts (`true`: every child), a key-list step (0x2a), and
// an AND filter (0x204) folded into the step before it. Checks follow the server's order; every
// malformed part is a PARAMETER_ERROR.
import { limits } from '../../limits.ts'
import { compileExpression, type CompiledExpression } from '../exp/index.ts'
import { Kind, elementEnd, readHead } from './element.ts'
import { parameterError } from './errors.ts'
import { CDT_SELECT } from './op-codes.ts'
import { readInt64, readUint64 } from './payload.ts'

/** What the op returns: the matching tree, the leaf values, keys or pairs; or APPLY (rewrite). */
export const PathMode = { TREE: 0, LEAF_VALUE: 1, LEAF_KEY: 2, LEAF_KEY_VALUE: 3, APPLY: 4 } as const
/** Leaf modes with this bit return map keys, which lists do not have. */
export const LEAF_KEY_BIT = 0x02
/** Leaf modes with this bit return values. */
export const LEAF_VALUE_BIT = 0x01

const MODE_MASK = 0x0f
const NO_FAIL = 0x10

/** Context step kinds (the low 4 bits of a step's type). */
export const Step = { INDEX: 0, RANK: 1, KEY: 2, VALUE: 3, EXP: 4, KEY_LIST: 10 } as const
const STEP_MASK = 0x0f
const AND_FILTER = 0x200
const AND_EXP = AND_FILTER | Step.EXP


export interface PathLevel {
  /** The step's type as sent (kind, list/map bits, anything else the server ignores). */
  type: number
  kind: number
  /** INDEX and RANK steps. */
  index: bigint
  /** KEY, VALUE and KEY_LIST steps: the element as sent. */
  value: Buffer
  /** EXP steps: the filter; undefined selects every child. */
  filter: CompiledExpression | undefined
  /** An AND filter every selected child must pass as well. */
  and: CompiledExpression | undefined
}

export interface PathOp {
  levels: PathLevel[]
  mode: number
  /** UNKNOWN filter results count as false, and failed rewrites leave the element alone. */
  noFail: boolean
  /** APPLY: the expression each selected leaf is replaced by. */
  modify: CompiledExpression | undefined
}

/** True when the payload is a path operation; malformed payloads are left to the CDT parser. */
export function isPathPayload(payload: Buffer): boolean {
  try {
    const list = readHead(payload, 0)
    if (list.kind !== Kind.LIST || list.count === 0) return false
    const code = readHead(payload, list.body)
    return code.kind === Kind.INT && code.int === CDT_SELECT
  } catch {
    return false
  }
}

function elementAt(buf: Buffer, at: number): { bytes: Buffer; end: number } {
  const end = elementEnd(buf, at)
  return { bytes: buf.subarray(at, end), end }
}

function readLevels(buf: Buffer, at: number): { levels: PathLevel[]; end: number } {
  const ctx = readHead(buf, at)
  if (ctx.kind !== Kind.LIST || ctx.count === 0 || ctx.count % 2 !== 0) throw parameterError('path context needs a non-empty list of (type, value) pairs')
  if (ctx.count / 2 > limits.maxCdtPathLevels) throw parameterError(`path context of ${ctx.count / 2} levels (at most ${limits.maxCdtPathLevels})`)
  const levels: PathLevel[] = []
  // Steps that took an AND filter, `true` included.
  const anded = new Set<PathLevel>()
  at = ctx.body
  for (let pair = 0; pair < ctx.count / 2; pair++) {
    const typeElement = elementAt(buf, at)
    const type = readUint64(typeElement.bytes)
    const value = elementAt(buf, typeElement.end)
    at = value.end
    const isAnd = (type & BigInt(AND_FILTER)) !== 0n
    let level: PathLevel
    if (isAnd) {
      if (type !== BigInt(AND_EXP)) throw parameterError(`invalid AND context type 0x${type.toString(16)}`)
      const previous = levels[levels.length - 1]
      if (previous === undefined) throw parameterError('an AND filter cannot be the first context step')
      if (anded.has(previous)) throw parameterError('a context step takes one AND filter')
      if (previous.kind === Step.EXP) throw parameterError('an AND filter cannot follow an expression step')
      anded.add(previous)
      level = previous
    } else {
      const typeBits = Number(type & 0xffffffffn)
      level = { type: typeBits, kind: typeBits & STEP_MASK, index: 0n, value: value.bytes, filter: undefined, and: undefined }
      levels.push(level)
    }
    switch (Number(type & BigInt(STEP_MASK))) {
      case Step.INDEX:
      case Step.RANK:
        level.index = readInt64(value.bytes)
        break
      case Step.KEY:
      case Step.VALUE:
      case Step.KEY_LIST:
        break
      case Step.EXP: {
        const head = readHead(value.bytes, 0)
        let filter: CompiledExpression | undefined
        if (head.kind === Kind.LIST) filter = compileExpression(value.bytes)
        else if (head.kind !== Kind.TRUE) throw parameterError('a context expression must be an expression or true')
        if (isAnd) level.and = filter
        else level.filter = filter
        break
      }
      default:
        throw parameterError(`invalid path context type 0x${type.toString(16)}`)
    }
  }
  return { levels, end: at }
}

/** Decodes a path operation payload (isPathPayload is true) for a 'read' or 'modify' op. */
export function parsePathPayload(payload: Buffer, modifyOp: boolean): PathOp {
  const list = readHead(payload, 0)
  const params = list.count - 1
  const ctxAt = elementEnd(payload, list.body)
  if (params < 1) throw parameterError('path operation without a context')
  const { levels, end } = readLevels(payload, ctxAt)
  if (params < 2) throw parameterError('path operation without flags')
  const flagsElement = elementAt(payload, end)
  const flags = readInt64(flagsElement.bytes)
  const mode = Number(flags & BigInt(MODE_MASK))
  if (mode > PathMode.APPLY) throw parameterError(`invalid path select type ${mode}`)
  const expected = mode === PathMode.APPLY ? 3 : 2
  if (params !== expected) throw parameterError(`path operation with ${params} parameters (${expected} expected)`)
  let modify: CompiledExpression | undefined
  if (mode === PathMode.APPLY) {
    if (!modifyOp) throw parameterError('a path rewrite is not a read op')
    modify = compileExpression(elementAt(payload, flagsElement.end).bytes)
  }
  return { levels, mode, noFail: (flags & BigInt(NO_FAIL)) !== 0n, modify }
}
