// 64-bit unsigned arithmetic on pairs of 32-bit words (high, low): several times faster than
// bigints for hashing (HLL elements, partition succession order).

/** (aHi:aLo × bHi:bLo) mod 2^64 into out[0] (high) and out[1] (low); allocates nothing. */
export function mul64Into(out: Uint32Array, aHi: number, aLo: number, bHi: number, bLo: number): void {
  // The low words are multiplied in 16-bit pieces so every product is exact.
  const a0 = aLo & 0xffff
  const a1 = aLo >>> 16
  const b0 = bLo & 0xffff
  const b1 = bLo >>> 16
  const p00 = a0 * b0
  const p01 = a0 * b1
  const p10 = a1 * b0
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)
  out[1] = ((mid & 0xffff) << 16) | (p00 & 0xffff)
  // Every term is below 2^34 in magnitude, so the double sum is exact; the store reduces it mod 2^32.
  out[0] = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)
}
