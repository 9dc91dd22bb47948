// HLL op payloads: [op_code, args...] as the clients pack them (C client as_hll_operations.c).
// Index and minhash bit counts of -1 mean "not given" (keep the bin's, or the op's default).
// Modify ops may leave trailing arguments out; read ops take exactly theirs.
import { OpArgs, parameterError } from '../bit/op-args.ts'
import { compactElement } from './hll-element.ts'
import { HEADER_BYTES, Sketch, sketchBytes, validCombinedBits, validIndexBits, validMinhashBits } from './hll-sketch.ts'

export const HllOpCode = {
  INIT: 0,
  ADD: 1,
  SET_UNION: 2,
  REFRESH_COUNT: 3,
  FOLD: 4,
  COUNT: 50,
  GET_UNION: 51,
  UNION_COUNT: 52,
  INTERSECT_COUNT: 53,
  SIMILARITY: 54,
  DESCRIBE: 55,
  MAY_CONTAIN: 56,
} as const

export const HllWriteFlag = { CREATE_ONLY: 1, UPDATE_ONLY: 2, NO_FAIL: 4, ALLOW_FOLD: 8 } as const

export const UNSET = -1

export interface HllOp {
  code: number
  indexBits: number
  minhashBits: number
  flags: number
  /** Elements of add and may-contain, in their compacted msgpack form. */
  elements: Buffer[]
  /** HLL values of the union, intersect and similarity ops. */
  sketches: Sketch[]
}

type ArgReader = (args: OpArgs, op: HllOp, name: string) => void

interface HllOpDef {
  name: string
  minArgs: number
  readers: readonly ArgReader[]
}

const indexBits: ArgReader = (args, op, name) => {
  const v = args.int64()
  if (v !== -1n && !validIndexBits(Number(v))) throw parameterError(`${name}: index bits ${v} out of range (4 to 16)`)
  op.indexBits = Number(v)
}

const minhashBits: ArgReader = (args, op, name) => {
  const v = args.int64()
  if (v === -1n) return
  if (!validMinhashBits(Number(v))) throw parameterError(`${name}: minhash bits ${v} out of range (0 or 4 to 51)`)
  if (op.indexBits !== UNSET && !validCombinedBits(op.indexBits, Number(v))) {
    throw parameterError(`${name}: index bits ${op.indexBits} plus minhash bits ${v} exceed 64`)
  }
  op.minhashBits = Number(v)
}

function flagsReader(allowed: number): ArgReader {
  return (args, op, name) => {
    const v = args.uint64()
    if ((v & ~BigInt(allowed)) !== 0n) throw parameterError(`${name}: invalid flags 0x${v.toString(16)}`)
    const flags = Number(v)
    if ((flags & HllWriteFlag.CREATE_ONLY) !== 0 && (flags & HllWriteFlag.UPDATE_ONLY) !== 0) {
      throw parameterError(`${name}: create-only and update-only together`)
    }
    op.flags = flags
  }
}

function isArrayByte(b: number): boolean {
  return (b & 0xf0) === 0x90 || b === 0xdc || b === 0xdd
}

function isMapByte(b: number): boolean {
  return (b & 0xf0) === 0x80 || b === 0xde || b === 0xdf
}

const elements: ArgReader = (args, op, name) => {
  if (!isArrayByte(args.peekByte())) throw parameterError(`${name}: elements must be a list`)
  const count = args.arrayHeader()
  if (count === 0) throw parameterError(`${name}: no elements`)
  for (let i = 0; i < count; i++) {
    const b = args.peekByte()
    if (isArrayByte(b) || isMapByte(b)) throw parameterError(`${name}: element ${i} is a list or map`)
    op.elements.push(compactElement(args.element()))
  }
}

const sketches: ArgReader = (args, op, name) => {
  let count = 1
  if (isArrayByte(args.peekByte())) {
    count = args.arrayHeader()
    if (count === 0) throw parameterError(`${name}: no HLL values`)
  }
  for (let i = 0; i < count; i++) {
    const typed = args.bytes()
    // The first byte is the particle type Aerospike's msgpack puts in front of blob bytes.
    if (typed.length < HEADER_BYTES + 1) throw parameterError(`${name}: HLL value ${i} of ${typed.length} bytes is too short`)
    const bytes = typed.subarray(1)
    if (bytes[0] !== 0) throw parameterError(`${name}: HLL value ${i} has unknown flags`)
    if (!validIndexBits(bytes[1]!) || !validMinhashBits(bytes[2]!)) throw parameterError(`${name}: HLL value ${i} has bad bit counts`)
    if (bytes.length !== sketchBytes(bytes[1]!, bytes[2]!)) throw parameterError(`${name}: HLL value ${i} has a bad size`)
    op.sketches.push(new Sketch(bytes))
  }
}

/** Intersect and similarity of more than 2 values need them all to have the same minhash bits. */
const intersectSketches: ArgReader = (args, op, name) => {
  sketches(args, op, name)
  if (op.sketches.length <= 2) return
  const minhash = op.sketches[0]!.minhashBits
  if (minhash === 0 || op.sketches.some((s) => s.minhashBits !== minhash)) {
    throw parameterError(`${name}: more than 2 HLL values need equal, non-zero minhash bits`)
  }
}

const { CREATE_ONLY, UPDATE_ONLY, NO_FAIL, ALLOW_FOLD } = HllWriteFlag

function def(name: string, minArgs: number, readers: ArgReader[]): HllOpDef {
  return { name, minArgs, readers }
}

const MODIFY_OPS: Readonly<Record<number, HllOpDef>> = {
  [HllOpCode.INIT]: def('init', 0, [indexBits, minhashBits, flagsReader(CREATE_ONLY | UPDATE_ONLY | NO_FAIL)]),
  [HllOpCode.ADD]: def('add', 1, [elements, indexBits, minhashBits, flagsReader(CREATE_ONLY | NO_FAIL)]),
  [HllOpCode.SET_UNION]: def('set_union', 1, [sketches, flagsReader(CREATE_ONLY | UPDATE_ONLY | ALLOW_FOLD | NO_FAIL)]),
  [HllOpCode.REFRESH_COUNT]: def('refresh_count', 0, []),
  [HllOpCode.FOLD]: def('fold', 1, [indexBits]),
}

const READ_OPS: Readonly<Record<number, HllOpDef>> = {
  [HllOpCode.COUNT]: def('get_count', 0, []),
  [HllOpCode.GET_UNION]: def('get_union', 1, [sketches]),
  [HllOpCode.UNION_COUNT]: def('get_union_count', 1, [sketches]),
  [HllOpCode.INTERSECT_COUNT]: def('get_intersect_count', 1, [intersectSketches]),
  [HllOpCode.SIMILARITY]: def('get_similarity', 1, [intersectSketches]),
  [HllOpCode.DESCRIBE]: def('describe', 0, []),
  [HllOpCode.MAY_CONTAIN]: def('may_contain', 1, [elements]),
}

export interface ParsedHllOp {
  name: string
  op: HllOp
}

/** Parses an HLL op payload; modify = the op must be one of the modify ops, else one of the reads. */
export function parseHllOp(payload: Buffer, modify: boolean): ParsedHllOp {
  const args = new OpArgs(payload)
  const opDef = (modify ? MODIFY_OPS : READ_OPS)[args.code]
  if (opDef === undefined) throw parameterError(`HLL op ${args.code} is not a ${modify ? 'modify' : 'read'} op`)
  if (args.count < opDef.minArgs || args.count > opDef.readers.length) {
    throw parameterError(`HLL ${opDef.name}: ${args.count} arguments (expected ${opDef.minArgs} to ${opDef.readers.length})`)
  }
  const op: HllOp = { code: args.code, indexBits: UNSET, minhashBits: UNSET, flags: 0, elements: [], sketches: [] }
  for (let i = 0; i < args.count; i++) opDef.readers[i]!(args, op, `HLL ${opDef.name}`)
  return { name: opDef.name, op }
}
