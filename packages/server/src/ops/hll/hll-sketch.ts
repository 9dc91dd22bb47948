// The HLL particle as Aerospike lays it out (clients see these bytes, e.g. from get-union):
//   u8 flags (0), u8 index bits (4..16), u8 minhash bits (0 or 4..51),
//   u64 cached count, little-endian (0 = not cached),
//   2^index_bits registers packed big-endian, most significant bit first, each
//   (6 + minhash_bits) bits: a 6-bit HyperLogLog value then the minhash bits (HyperMinHash).
import { murmur3x64, type Word64 } from './murmur3.ts'

export const HEADER_BYTES = 11
const CACHE_AT = 3
export const HLL_VALUE_BITS = 6
export const MIN_INDEX_BITS = 4
export const MAX_INDEX_BITS = 16
export const MIN_MINHASH_BITS = 4
export const MAX_MINHASH_BITS = 64 - HLL_VALUE_BITS - 7
const MAX_COMBINED_BITS = 64

export function validIndexBits(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_INDEX_BITS && n <= MAX_INDEX_BITS
}

export function validMinhashBits(n: number): boolean {
  return n === 0 || (Number.isInteger(n) && n >= MIN_MINHASH_BITS && n <= MAX_MINHASH_BITS)
}

export function validCombinedBits(indexBits: number, minhashBits: number): boolean {
  return validIndexBits(indexBits) && validMinhashBits(minhashBits) && indexBits + minhashBits <= MAX_COMBINED_BITS
}

export function sketchBytes(indexBits: number, minhashBits: number): number {
  return HEADER_BYTES + Math.ceil(((HLL_VALUE_BITS + minhashBits) * 2 ** indexBits) / 8)
}

/** True when bytes are a well-formed HLL particle (what a write of an HLL bin must hold). */
export function isValidHll(bytes: Buffer): boolean {
  return bytes.length >= HEADER_BYTES && bytes[0] === 0 && validCombinedBits(bytes[1]!, bytes[2]!) && bytes.length === sketchBytes(bytes[1]!, bytes[2]!)
}

/** One register: its HyperLogLog value (up to 65 before storing) and its minhash bits. */
export interface Register {
  hll: number
  minhash: number
}

/** Orders registers as Aerospike compares them: as the number (hll << minhash_bits) | minhash. */
export function compareRegisters(a: Register, b: Register): number {
  return a.hll !== b.hll ? a.hll - b.hll : a.minhash - b.minhash
}

/** A view over HLL particle bytes; the bytes are read and written in place. */
export class Sketch {
  readonly bytes: Buffer
  readonly indexBits: number
  readonly minhashBits: number
  readonly registerCount: number
  private readonly registerBits: number

  constructor(bytes: Buffer) {
    this.bytes = bytes
    this.indexBits = bytes[1]!
    this.minhashBits = bytes[2]!
    this.registerCount = 2 ** this.indexBits
    this.registerBits = HLL_VALUE_BITS + this.minhashBits
  }

  /** A new, empty sketch. */
  static empty(indexBits: number, minhashBits: number): Sketch {
    const bytes = Buffer.alloc(sketchBytes(indexBits, minhashBits))
    bytes[1] = indexBits
    bytes[2] = minhashBits
    return new Sketch(bytes)
  }

  copy(): Sketch {
    return new Sketch(Buffer.from(this.bytes))
  }

  get cache(): bigint {
    return this.bytes.readBigUInt64LE(CACHE_AT)
  }

  set cache(count: bigint) {
    this.bytes.writeBigUInt64LE(count, CACHE_AT)
  }

  /** The HyperLogLog value of register r. */
  hllAt(r: number): number {
    return readBits(this.bytes, HEADER_BYTES * 8 + r * this.registerBits, HLL_VALUE_BITS)
  }

  minhashAt(r: number): number {
    return readBits(this.bytes, HEADER_BYTES * 8 + r * this.registerBits + HLL_VALUE_BITS, this.minhashBits)
  }

  register(r: number): Register {
    return { hll: this.hllAt(r), minhash: this.minhashAt(r) }
  }

  /** Stores a register; values wider than their fields keep their low bits, as the C layout does. */
  setRegister(r: number, hll: number, minhash: number): void {
    const at = HEADER_BYTES * 8 + r * this.registerBits
    writeBits(this.bytes, at, HLL_VALUE_BITS, hll % 2 ** HLL_VALUE_BITS)
    writeBits(this.bytes, at + HLL_VALUE_BITS, this.minhashBits, minhash)
  }

  /** True when any register is set, judged (as Aerospike does) by the first 2^index_bits bytes of registers. */
  hasData(): boolean {
    const end = HEADER_BYTES + this.registerCount
    for (let i = HEADER_BYTES; i < end; i++) if (this.bytes[i] !== 0) return true
    return false
  }

  usedRegisters(): number {
    let used = 0
    for (let r = 0; r < this.registerCount; r++) if (this.hllAt(r) !== 0 || this.minhashAt(r) !== 0) used++
    return used
  }
}

/** Reads n ≤ 53 bits starting at a bit offset (bit 0 = most significant bit of byte 0). */
function readBits(bytes: Buffer, bitOffset: number, n: number): number {
  const length = bytes.length
  let value = 0
  let at = bitOffset
  let left = n
  while (left > 0) {
    // A 32-bit window from the byte holding bit `at` yields up to 24 bits at once; reads past the
    // end of the buffer are avoided, as they are slow.
    const i = at >>> 3
    const take = left < 24 ? left : 24
    let window = bytes[i]! << 24
    if (i + 1 < length) window |= bytes[i + 1]! << 16
    if (i + 2 < length) window |= bytes[i + 2]! << 8
    if (i + 3 < length) window |= bytes[i + 3]!
    value = value * (1 << take) + ((window >>> (32 - (at & 7) - take)) & ((1 << take) - 1))
    at += take
    left -= take
  }
  return value
}

function writeBits(bytes: Buffer, bitOffset: number, n: number, value: number): void {
  let at = bitOffset + n
  let rest = value
  let left = n
  while (left > 0) {
    const inByteEnd = at % 8 === 0 ? 8 : at % 8
    const take = Math.min(inByteEnd, left)
    const chunk = rest % 2 ** take
    rest = Math.floor(rest / 2 ** take)
    const byteAt = (at - 1) >> 3
    const shift = 8 - inByteEnd
    const mask = ((1 << take) - 1) << shift
    bytes[byteAt] = (bytes[byteAt]! & ~mask) | (chunk << shift)
    at -= take
    left -= take
  }
}

/** Where an element lands: its register index and the register value it would set. */
export function hashElement(sketch: { indexBits: number; minhashBits: number }, element: Buffer): { index: number; value: Register } {
  const { h1, h2 } = murmur3x64(element)
  const [hi, lo] = h1
  const index = lo & (2 ** sketch.indexBits - 1)
  // The minhash bits follow the index bits in h1 (index bits are 4..16, minhash bits up to 51).
  const shiftedLo = ((lo >>> sketch.indexBits) | (hi << (32 - sketch.indexBits))) >>> 0
  const shiftedHi = hi >>> sketch.indexBits
  const minhash = sketch.minhashBits <= 32
    ? shiftedLo % 2 ** sketch.minhashBits
    : shiftedLo + (shiftedHi % 2 ** (sketch.minhashBits - 32)) * 2 ** 32
  return { index, value: { hll: trailingZeros64(h2) + 1, minhash } }
}

function trailingZeros64([hi, lo]: Word64): number {
  if (lo !== 0) return 31 - Math.clz32(lo & -lo)
  if (hi !== 0) return 63 - Math.clz32(hi & -hi)
  return 64
}

/** Adds one element; true when a register changed (the cached count is then dropped). */
export function addElement(sketch: Sketch, element: Buffer): boolean {
  const { index, value } = hashElement(sketch, element)
  if (compareRegisters(sketch.register(index), value) >= 0) return false
  sketch.setRegister(index, value.hll, value.minhash)
  sketch.cache = 0n
  return true
}

/** True when the element's register is at least what the element would set. */
export function mayContain(sketch: Sketch, element: Buffer): boolean {
  const { index, value } = hashElement(sketch, element)
  return compareRegisters(value, sketch.register(index)) <= 0
}

/** Index and minhash bits that every one of the sketches can be folded to. */
export function compatibleShape(sketches: readonly Sketch[]): { indexBits: number; minhashBits: number } {
  let indexBits = sketches[0]!.indexBits
  let minhashBits = sketches[0]!.minhashBits
  for (const s of sketches) {
    indexBits = Math.min(indexBits, s.indexBits)
    if (minhashBits !== 0 && minhashBits !== s.minhashBits) minhashBits = 0
  }
  return { indexBits, minhashBits }
}

/**
 * Folds source into target (target.indexBits ≤ source.indexBits): each register keeps the larger
 * value. A target without minhash bits compares and keeps HyperLogLog values only.
 */
export function unionInto(target: Sketch, source: Sketch): void {
  const mask = target.registerCount - 1
  if (target.minhashBits === 0) {
    for (let r = 0; r < source.registerCount; r++) {
      const hll = source.hllAt(r)
      if (target.hllAt(r & mask) < hll) target.setRegister(r & mask, hll, 0)
    }
    return
  }
  for (let r = 0; r < source.registerCount; r++) {
    const value = source.register(r)
    if (compareRegisters(target.register(r & mask), value) < 0) target.setRegister(r & mask, value.hll, value.minhash)
  }
  target.cache = 0n
}

/** Keeps in target (already holding the first sketch) only the registers equal in source. */
export function intersectInto(target: Sketch, source: Sketch): void {
  const mask = target.registerCount - 1
  for (let r = 0; r < source.registerCount; r++) {
    if (compareRegisters(target.register(r & mask), source.register(r)) !== 0) target.setRegister(r & mask, 0, 0)
  }
}

/** The union of sketches in a fresh sketch of their compatible shape. */
export function unionOf(sketches: readonly Sketch[]): Sketch {
  const { indexBits, minhashBits } = compatibleShape(sketches)
  const union = Sketch.empty(indexBits, minhashBits)
  for (const s of sketches) unionInto(union, s)
  return union
}
