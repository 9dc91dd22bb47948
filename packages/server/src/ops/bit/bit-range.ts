// Bit ranges of a blob. Bit 0 is the most significant bit of byte 0. A range is copied out
// "left-aligned" (its first bit becomes bit 0 of a fresh buffer, bits past its end are zero),
// worked on, and written back without touching the bits around it.

export function bytesForBits(bitCount: number): number {
  return Math.ceil(bitCount / 8)
}

/** Copies bits [bitOffset, bitOffset + bitSize) of blob into a left-aligned buffer. */
export function extractBits(blob: Buffer, bitOffset: number, bitSize: number): Buffer {
  const out = Buffer.alloc(bytesForBits(bitSize))
  const firstByte = Math.floor(bitOffset / 8)
  const shift = bitOffset % 8
  for (let i = 0; i < out.length; i++) {
    const hi = blob[firstByte + i] ?? 0
    const lo = blob[firstByte + i + 1] ?? 0
    out[i] = shift === 0 ? hi : ((hi << shift) | (lo >> (8 - shift))) & 0xff
  }
  clearTail(out, bitSize)
  return out
}

/** Writes the first bitSize bits of the left-aligned source into blob at bitOffset. */
export function writeBits(blob: Buffer, bitOffset: number, bitSize: number, source: Buffer): void {
  const firstByte = Math.floor(bitOffset / 8)
  const shift = bitOffset % 8
  const touched = bytesForBits(shift + bitSize)
  for (let j = 0; j < touched; j++) {
    const prev = j === 0 ? 0 : source[j - 1] ?? 0
    const cur = source[j] ?? 0
    const shifted = shift === 0 ? cur : ((prev << (8 - shift)) | (cur >> shift)) & 0xff
    const start = j === 0 ? shift : 0
    const end = Math.min(8, shift + bitSize - 8 * j)
    const mask = (0xff >> start) & (0xff << (8 - end)) & 0xff
    const at = firstByte + j
    blob[at] = (blob[at]! & ~mask) | (shifted & mask)
  }
}

/** Zeroes the bits of a left-aligned buffer past its first bitSize bits. */
function clearTail(bits: Buffer, bitSize: number): void {
  const used = bitSize % 8
  const last = bytesForBits(bitSize) - 1
  if (used !== 0 && last >= 0) bits[last]! &= (0xff << (8 - used)) & 0xff
  bits.fill(0, last + 1)
}

/** Shifts a left-aligned range towards bit 0 by n bits, filling zeros at its end. */
export function shiftLeft(bits: Buffer, bitSize: number, n: number): Buffer {
  const out = Buffer.alloc(bits.length)
  if (n >= bitSize) return out
  const q = Math.floor(n / 8)
  const r = n % 8
  for (let i = 0; i < out.length; i++) {
    const hi = bits[i + q] ?? 0
    const lo = bits[i + q + 1] ?? 0
    out[i] = r === 0 ? hi : ((hi << r) | (lo >> (8 - r))) & 0xff
  }
  return out
}

/** Shifts a left-aligned range away from bit 0 by n bits, filling zeros at its start. */
export function shiftRight(bits: Buffer, bitSize: number, n: number): Buffer {
  const out = Buffer.alloc(bits.length)
  if (n >= bitSize) return out
  const q = Math.floor(n / 8)
  const r = n % 8
  for (let i = q; i < out.length; i++) {
    const cur = bits[i - q] ?? 0
    const prev = i - q - 1 >= 0 ? bits[i - q - 1]! : 0
    out[i] = r === 0 ? cur : ((prev << (8 - r)) | (cur >> r)) & 0xff
  }
  clearTail(out, bitSize)
  return out
}

export function countOnes(bits: Buffer): number {
  let count = 0
  for (const byte of bits) {
    let b = byte
    while (b !== 0) {
      b &= b - 1
      count++
    }
  }
  return count
}

export function bitAt(bits: Buffer, index: number): number {
  return (bits[index >> 3]! >> (7 - (index & 7))) & 1
}

/** The first bitSize bits of a left-aligned buffer as an unsigned integer. */
export function readUnsigned(bits: Buffer, bitSize: number): bigint {
  if (bitSize === 0) return 0n
  const whole = BigInt('0x' + bits.toString('hex', 0, bytesForBits(bitSize)))
  return whole >> BigInt(bytesForBits(bitSize) * 8 - bitSize)
}

/** An unsigned integer of bitSize bits as a left-aligned buffer. */
export function unsignedBits(value: bigint, bitSize: number): Buffer {
  const byteCount = bytesForBits(bitSize)
  const aligned = value << BigInt(byteCount * 8 - bitSize)
  return Buffer.from(aligned.toString(16).padStart(byteCount * 2, '0'), 'hex')
}
