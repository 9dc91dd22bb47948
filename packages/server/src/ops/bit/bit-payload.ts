// Bit op payloads: [op_code, args...] as the clients pack them (C client as_bit_operations.c).
// Each op declares its arguments in order; trailing ones may be left out (they default to 0).
import { limits } from '../../limits.ts'
import { OpArgs, parameterError } from './op-args.ts'

export const BitOpCode = {
  RESIZE: 0,
  INSERT: 1,
  REMOVE: 2,
  SET: 3,
  OR: 4,
  XOR: 5,
  AND: 6,
  NOT: 7,
  LSHIFT: 8,
  RSHIFT: 9,
  ADD: 10,
  SUBTRACT: 11,
  SET_INT: 12,
  GET: 50,
  COUNT: 51,
  LSCAN: 52,
  RSCAN: 53,
  GET_INT: 54,
} as const

/** Bit policy write flags. */
export const BitWriteFlag = { CREATE_ONLY: 1, UPDATE_ONLY: 2, NO_FAIL: 4, PARTIAL: 8 } as const

export const BitResizeFlag = { FROM_FRONT: 1, GROW_ONLY: 2, SHRINK_ONLY: 4 } as const

/** Flags of add, subtract and get-int: signedness and the overflow action (fail when neither). */
export const BitIntFlag = { SIGNED: 1, SATURATE: 2, WRAP: 4 } as const

export interface BitOp {
  code: number
  /** In bits; negative counts back from the end of the blob. Insert and remove offsets are bytes × 8. */
  offset: number
  /** In bits; remove and resize sizes are bytes × 8. Insert takes its size from its bytes. */
  size: number
  /** The integer operand: add/subtract/set-int value, shift count, or the scanned bit (0/1). */
  value: bigint
  /** The bytes operand of insert, set, or, xor, and (particle type byte dropped). */
  bytes: Buffer
  flags: number
  subflags: number
}

/** Largest blob and largest byte offset or size an op may name (Aerospike's PROTO_SIZE_MAX). */
export const MAX_BLOB_BYTES = limits.maxFrameBytes
const MAX_BITS = MAX_BLOB_BYTES * 8
const EMPTY = Buffer.alloc(0)

type ArgReader = (args: OpArgs, op: BitOp, name: string) => void

interface BitOpDef {
  name: string
  minArgs: number
  readers: readonly ArgReader[]
}

const byteOffset: ArgReader = (args, op, name) => {
  const v = args.int64()
  if (v > BigInt(MAX_BLOB_BYTES) || v < -BigInt(MAX_BLOB_BYTES)) throw parameterError(`${name}: byte offset ${v} is out of range`)
  op.offset = Number(v) * 8
}

const bitOffset: ArgReader = (args, op, name) => {
  const v = args.int64()
  if (v > BigInt(MAX_BITS) || v < -BigInt(MAX_BITS)) throw parameterError(`${name}: bit offset ${v} is out of range`)
  op.offset = Number(v)
}

function sizeReader(unitBits: number, max: bigint, allowZero: boolean): ArgReader {
  return (args, op, name) => {
    const v = args.uint64()
    if (v === 0n && !allowZero) throw parameterError(`${name}: size may not be 0`)
    if (v > max) throw parameterError(`${name}: size ${v} is larger than ${max}`)
    op.size = Number(v) * unitBits
  }
}

const byteSize = sizeReader(8, BigInt(MAX_BLOB_BYTES), false)
const byteSizeAllowZero = sizeReader(8, BigInt(MAX_BLOB_BYTES), true)
const bitSize = sizeReader(1, BigInt(MAX_BITS), false)
const integerSize = sizeReader(1, 64n, false)

const integerValue: ArgReader = (args, op) => {
  op.value = args.uint64()
}

const shiftCount: ArgReader = (args, op, name) => {
  op.value = args.uint64()
  if (op.value > BigInt(MAX_BITS)) throw parameterError(`${name}: shift of ${op.value} bits is larger than ${MAX_BITS}`)
}

const scanBit: ArgReader = (args, op) => {
  op.value = args.bool() ? 1n : 0n
}

const bytesOperand: ArgReader = (args, op, name) => {
  const bytes = args.bytes()
  // The first byte is the particle type Aerospike's msgpack puts in front of blob bytes.
  if (bytes.length <= 1) throw parameterError(`${name}: empty bytes operand`)
  op.bytes = bytes.subarray(1)
  const operandBits = op.bytes.length * 8
  if (op.size === 0) op.size = operandBits
  else if (operandBits < op.size) throw parameterError(`${name}: bytes operand has ${operandBits} bits, fewer than the size ${op.size}`)
}

function flagsReader(allowed: number, exclusive: readonly (readonly [number, number])[], target: 'flags' | 'subflags'): ArgReader {
  return (args, op, name) => {
    const v = args.uint64()
    if ((v & ~BigInt(allowed)) !== 0n) throw parameterError(`${name}: invalid ${target} 0x${v.toString(16)}`)
    const flags = Number(v)
    for (const [a, b] of exclusive) {
      if ((flags & a) !== 0 && (flags & b) !== 0) throw parameterError(`${name}: ${target} 0x${v.toString(16)} combine exclusive flags`)
    }
    op[target] = flags
  }
}

const { CREATE_ONLY, UPDATE_ONLY, NO_FAIL, PARTIAL } = BitWriteFlag
const createUpdate = [[CREATE_ONLY, UPDATE_ONLY]] as const

function writeFlags(allowed: number): ArgReader {
  return flagsReader(allowed, createUpdate, 'flags')
}

const resizeFlags = flagsReader(
  BitResizeFlag.FROM_FRONT | BitResizeFlag.GROW_ONLY | BitResizeFlag.SHRINK_ONLY,
  [[BitResizeFlag.GROW_ONLY, BitResizeFlag.SHRINK_ONLY]],
  'subflags',
)
const arithmeticFlags = flagsReader(
  BitIntFlag.SIGNED | BitIntFlag.SATURATE | BitIntFlag.WRAP,
  [[BitIntFlag.SATURATE, BitIntFlag.WRAP]],
  'subflags',
)
const getIntFlags = flagsReader(BitIntFlag.SIGNED, [], 'subflags')

const sizingFlags = writeFlags(CREATE_ONLY | UPDATE_ONLY | NO_FAIL)
const rangeFlags = writeFlags(UPDATE_ONLY | NO_FAIL | PARTIAL)
const integerFlags = writeFlags(UPDATE_ONLY | NO_FAIL)

function def(name: string, minArgs: number, readers: ArgReader[]): BitOpDef {
  return { name, minArgs, readers }
}

const MODIFY_OPS: Readonly<Record<number, BitOpDef>> = {
  [BitOpCode.RESIZE]: def('resize', 1, [byteSizeAllowZero, sizingFlags, resizeFlags]),
  [BitOpCode.INSERT]: def('insert', 2, [byteOffset, bytesOperand, sizingFlags]),
  [BitOpCode.REMOVE]: def('remove', 2, [byteOffset, byteSize, rangeFlags]),
  [BitOpCode.SET]: def('set', 3, [bitOffset, bitSize, bytesOperand, rangeFlags]),
  [BitOpCode.OR]: def('or', 3, [bitOffset, bitSize, bytesOperand, rangeFlags]),
  [BitOpCode.XOR]: def('xor', 3, [bitOffset, bitSize, bytesOperand, rangeFlags]),
  [BitOpCode.AND]: def('and', 3, [bitOffset, bitSize, bytesOperand, rangeFlags]),
  [BitOpCode.NOT]: def('not', 2, [bitOffset, bitSize, rangeFlags]),
  [BitOpCode.LSHIFT]: def('lshift', 3, [bitOffset, bitSize, shiftCount, rangeFlags]),
  [BitOpCode.RSHIFT]: def('rshift', 3, [bitOffset, bitSize, shiftCount, rangeFlags]),
  [BitOpCode.ADD]: def('add', 3, [bitOffset, integerSize, integerValue, integerFlags, arithmeticFlags]),
  [BitOpCode.SUBTRACT]: def('subtract', 3, [bitOffset, integerSize, integerValue, integerFlags, arithmeticFlags]),
  [BitOpCode.SET_INT]: def('set_int', 3, [bitOffset, integerSize, integerValue, integerFlags]),
}

const READ_OPS: Readonly<Record<number, BitOpDef>> = {
  [BitOpCode.GET]: def('get', 2, [bitOffset, bitSize]),
  [BitOpCode.COUNT]: def('count', 2, [bitOffset, bitSize]),
  [BitOpCode.LSCAN]: def('lscan', 3, [bitOffset, bitSize, scanBit]),
  [BitOpCode.RSCAN]: def('rscan', 3, [bitOffset, bitSize, scanBit]),
  [BitOpCode.GET_INT]: def('get_int', 2, [bitOffset, integerSize, getIntFlags]),
}

export interface ParsedBitOp {
  name: string
  op: BitOp
}

/** Parses a bit op payload; modify = the op must be one of the modify ops, else one of the reads. */
export function parseBitOp(payload: Buffer, modify: boolean): ParsedBitOp {
  const args = new OpArgs(payload)
  const table = modify ? MODIFY_OPS : READ_OPS
  const opDef = table[args.code]
  if (opDef === undefined) throw parameterError(`bit op ${args.code} is not a ${modify ? 'modify' : 'read'} op`)
  if (args.count < opDef.minArgs || args.count > opDef.readers.length) {
    throw parameterError(`bit ${opDef.name}: ${args.count} arguments (expected ${opDef.minArgs} to ${opDef.readers.length})`)
  }
  const op: BitOp = { code: args.code, offset: 0, size: 0, value: 0n, bytes: EMPTY, flags: 0, subflags: 0 }
  for (let i = 0; i < args.count; i++) opDef.readers[i]!(args, op, `bit ${opDef.name}`)
  return { name: opDef.name, op }
}
