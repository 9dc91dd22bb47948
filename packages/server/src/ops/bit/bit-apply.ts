// Applies a parsed bit op to a blob, with Aerospike's checks and result codes: a missing bin may
// only be created by resize and insert; ranges past the end fail unless the partial policy clips
// them; the no-fail policy turns a refused op into "leave the bin as it is".
import { ParticleType, ResultCode, integerParticle } from '@aerolite/protocol'
import { CommandError } from '../../command-error.ts'
import { BitIntFlag, BitOpCode, BitResizeFlag, BitWriteFlag, MAX_BLOB_BYTES, type BitOp } from './bit-payload.ts'
import {
  bitAt, bytesForBits, countOnes, extractBits, readUnsigned, shiftLeft, shiftRight, unsignedBits, writeBits,
} from './bit-range.ts'
import { parameterError } from './op-args.ts'
import type { TypedValue } from './operation-outcome.ts'

const EMPTY = Buffer.alloc(0)

/** Thrown inside a modify when the no-fail policy turns a failure into a no-op. */
const SKIP = Symbol('skip')

function refuse(op: BitOp, resultCode: number, detail: string): never {
  if ((op.flags & BitWriteFlag.NO_FAIL) !== 0) throw SKIP
  throw new CommandError(resultCode, detail)
}

/** Resolves a negative offset against the blob; returns the absolute bit offset. */
function absoluteOffset(op: BitOp, blobBytes: number, exists: boolean, name: string): number {
  if (op.offset >= 0) return op.offset
  if (!exists) throw parameterError(`bit ${name}: negative offset on a bin that does not exist`)
  if (-op.offset > blobBytes * 8) throw parameterError(`bit ${name}: offset ${op.offset} is before the start of the blob`)
  return blobBytes * 8 + op.offset
}

/**
 * The blob after a modify op, or undefined when the bin stays as it was (no-op, or refused under
 * the no-fail policy). bin = the current bin value, undefined when the bin does not exist.
 */
export function modifyBlob(bin: TypedValue | undefined, op: BitOp, name: string): Buffer | undefined {
  try {
    return modifyOrSkip(bin, op, name)
  } catch (err) {
    if (err === SKIP) return undefined
    throw err
  }
}

function modifyOrSkip(bin: TypedValue | undefined, op: BitOp, name: string): Buffer | undefined {
  if (bin !== undefined) {
    if ((op.flags & BitWriteFlag.CREATE_ONLY) !== 0) refuse(op, ResultCode.BIN_EXISTS!, `bit ${name}: bin exists (create-only)`)
    if (bin.particleType !== ParticleType.BLOB) throw new CommandError(ResultCode.BIN_TYPE_ERROR, `bit ${name} on a bin that is not a blob`)
  } else if ((op.code !== BitOpCode.INSERT && op.code !== BitOpCode.RESIZE) || (op.flags & BitWriteFlag.UPDATE_ONLY) !== 0) {
    refuse(op, ResultCode.BIN_NOT_FOUND!, `bit ${name}: bin does not exist`)
  }
  const old = bin?.value ?? EMPTY
  const offset = absoluteOffset(op, old.length, bin !== undefined, name)
  const byteOffset = Math.floor(offset / 8)
  const bitInByte = offset % 8
  const opBytes = bytesForBits(bitInByte + op.size)
  switch (op.code) {
    case BitOpCode.RESIZE: return resize(old, op, name)
    case BitOpCode.INSERT: {
      checkSize(Math.max(old.length, byteOffset) + op.bytes.length, name)
      const head = byteOffset >= old.length ? Buffer.concat([old, Buffer.alloc(byteOffset - old.length)]) : old.subarray(0, byteOffset)
      return Buffer.concat([head, op.bytes, old.subarray(byteOffset)])
    }
    case BitOpCode.REMOVE: {
      if (byteOffset >= old.length) refuse(op, ResultCode.PARAMETER_ERROR, `bit ${name}: offset past the end of the blob`)
      if (byteOffset + opBytes > old.length) {
        if ((op.flags & BitWriteFlag.PARTIAL) === 0) refuse(op, ResultCode.PARAMETER_ERROR, `bit ${name}: range past the end of the blob`)
        return Buffer.from(old.subarray(0, byteOffset))
      }
      return Buffer.concat([old.subarray(0, byteOffset), old.subarray(byteOffset + opBytes)])
    }
    case BitOpCode.ADD:
    case BitOpCode.SUBTRACT:
    case BitOpCode.SET_INT:
      if (byteOffset + opBytes > old.length) refuse(op, ResultCode.OP_NOT_APPLICABLE, `bit ${name}: range past the end of the blob`)
      return integerOp(old, offset, op, name)
  }
  // The range ops: set, or, xor, and, not, lshift, rshift.
  if (byteOffset >= old.length) refuse(op, ResultCode.OP_NOT_APPLICABLE, `bit ${name}: offset past the end of the blob`)
  let size = op.size
  if (byteOffset + opBytes > old.length) {
    if ((op.flags & BitWriteFlag.PARTIAL) === 0) refuse(op, ResultCode.OP_NOT_APPLICABLE, `bit ${name}: range past the end of the blob`)
    // Clipped at the end of the blob (the documented meaning; Aerospike's own arithmetic here
    // overshoots when the range starts past byte 0 and reads beyond the operand).
    size = old.length * 8 - offset
  }
  return rangeOp(old, offset, size, op)
}

function checkSize(newBytes: number, name: string): void {
  if (newBytes >= MAX_BLOB_BYTES) throw parameterError(`bit ${name}: result of ${newBytes} bytes is too large`)
}

function resize(old: Buffer, op: BitOp, name: string): Buffer | undefined {
  const newBytes = op.size / 8
  const fromFront = (op.subflags & BitResizeFlag.FROM_FRONT) !== 0
  if (newBytes === old.length) return undefined
  if (newBytes < old.length) {
    if ((op.subflags & BitResizeFlag.GROW_ONLY) !== 0) refuse(op, ResultCode.PARAMETER_ERROR, `bit ${name}: cannot shrink with grow-only`)
    return Buffer.from(fromFront ? old.subarray(old.length - newBytes) : old.subarray(0, newBytes))
  }
  if ((op.subflags & BitResizeFlag.SHRINK_ONLY) !== 0) refuse(op, ResultCode.PARAMETER_ERROR, `bit ${name}: cannot grow with shrink-only`)
  checkSize(newBytes, name)
  const zeros = Buffer.alloc(newBytes - old.length)
  return fromFront ? Buffer.concat([zeros, old]) : Buffer.concat([old, zeros])
}

function rangeOp(old: Buffer, offset: number, size: number, op: BitOp): Buffer {
  const out = Buffer.from(old)
  let bits: Buffer
  switch (op.code) {
    case BitOpCode.SET:
      writeBits(out, offset, size, op.bytes)
      return out
    case BitOpCode.NOT:
      bits = extractBits(old, offset, size)
      for (let i = 0; i < bits.length; i++) bits[i] = ~bits[i]! & 0xff
      break
    case BitOpCode.LSHIFT:
      bits = shiftLeft(extractBits(old, offset, size), size, Number(op.value))
      break
    case BitOpCode.RSHIFT:
      bits = shiftRight(extractBits(old, offset, size), size, Number(op.value))
      break
    default: {
      bits = extractBits(old, offset, size)
      for (let i = 0; i < bits.length; i++) {
        const operand = op.bytes[i]!
        bits[i] = op.code === BitOpCode.OR ? bits[i]! | operand : op.code === BitOpCode.XOR ? bits[i]! ^ operand : bits[i]! & operand
      }
    }
  }
  writeBits(out, offset, size, bits)
  return out
}

function signExtend(value: bigint, bitSize: number): bigint {
  return BigInt.asIntN(bitSize, value)
}

function integerOp(old: Buffer, offset: number, op: BitOp, name: string): Buffer {
  const size = op.size
  const mask = (1n << BigInt(size)) - 1n
  const operand = op.value & mask
  const current = readUnsigned(extractBits(old, offset, size), size)
  let result: bigint
  if (op.code === BitOpCode.SET_INT) {
    result = operand
  } else {
    const adding = op.code === BitOpCode.ADD
    result = (adding ? current + operand : current - operand) & mask
    if ((op.subflags & BitIntFlag.WRAP) === 0) {
      const saturate = (op.subflags & BitIntFlag.SATURATE) !== 0
      const overflowed = (limit: bigint): bigint => {
        if (!saturate) refuse(op, ResultCode.OP_NOT_APPLICABLE, `bit ${name}: ${size}-bit integer overflow`)
        return limit
      }
      if ((op.subflags & BitIntFlag.SIGNED) !== 0) {
        // Overflow when both operands have one sign and the sum the other (subtract adds the negation).
        const a = signExtend(current, size)
        const b = signExtend(adding ? operand : -operand & mask, size)
        const sum = signExtend(result, size)
        if (a < 0n && b < 0n && sum > 0n) result = overflowed(1n << BigInt(size - 1))
        else if (a > 0n && b > 0n && sum < 0n) result = overflowed(mask >> 1n)
      } else if (adding ? result < current : result > current) {
        result = overflowed(adding ? mask : 0n)
      }
    }
  }
  const out = Buffer.from(old)
  writeBits(out, offset, size, unsignedBits(result, size))
  return out
}

/** The result of a read op on a blob bin, in wire particle form. */
export function readBlob(bin: TypedValue, op: BitOp, name: string): TypedValue {
  if (bin.particleType !== ParticleType.BLOB) throw new CommandError(ResultCode.BIN_TYPE_ERROR, `bit ${name} on a bin that is not a blob`)
  const blob = bin.value
  const offset = absoluteOffset(op, blob.length, true, name)
  const byteOffset = Math.floor(offset / 8)
  if (byteOffset + bytesForBits((offset % 8) + op.size) > blob.length) {
    throw new CommandError(ResultCode.OP_NOT_APPLICABLE, `bit ${name}: range past the end of the blob`)
  }
  const bits = extractBits(blob, offset, op.size)
  switch (op.code) {
    case BitOpCode.GET: return { particleType: ParticleType.BLOB, value: bits }
    case BitOpCode.COUNT: return integerResult(BigInt(countOnes(bits)))
    case BitOpCode.LSCAN: return integerResult(BigInt(scanFirst(bits, op.size, Number(op.value))))
    case BitOpCode.RSCAN: return integerResult(BigInt(scanLast(blob, offset, bits, op.size, Number(op.value))))
    default: {
      const value = readUnsigned(bits, op.size)
      return integerResult((op.subflags & BitIntFlag.SIGNED) !== 0 ? signExtend(value, op.size) : value)
    }
  }
}

function integerResult(value: bigint): TypedValue {
  return { particleType: ParticleType.INTEGER, value: integerParticle(BigInt.asIntN(64, value)) }
}

function scanFirst(bits: Buffer, size: number, wanted: number): number {
  for (let i = 0; i < size; i++) if (bitAt(bits, i) === wanted) return i
  return -1
}

/**
 * The last bit equal to wanted, or -1. When the range holds none, Aerospike looks on through the
 * bits before the range in its first byte and answers with a negative index if one matches there.
 */
function scanLast(blob: Buffer, offset: number, bits: Buffer, size: number, wanted: number): number {
  for (let i = size - 1; i >= 0; i--) if (bitAt(bits, i) === wanted) return i
  const bitInByte = offset % 8
  const firstByte = blob[Math.floor(offset / 8)]!
  for (let i = bitInByte - 1; i >= 0; i--) if (((firstByte >> (7 - i)) & 1) === wanted) return i - bitInByte
  return -1
}
