// MurmurHash3 x64 128-bit with seed 0, the hash Aerospike applies to HLL elements. Returns the two
// 64-bit halves h1, h2 (the first and second 8 bytes of the digest on a little-endian machine),
// each as 32-bit high and low words: 64-bit arithmetic on number pairs is several times faster
// than on bigints, and an add may carry hundreds of thousands of elements.

import { mul64Into } from '../../word64.ts'

/** A 64-bit word as [high 32 bits, low 32 bits], both unsigned. */
export type Word64 = [number, number]

export interface Murmur3Hash {
  h1: Word64
  h2: Word64
}

const C1: Word64 = [0x87c37b91, 0x114253d5]
const C2: Word64 = [0x4cf5ad43, 0x2745937f]
const FMIX1: Word64 = [0xff51afd7, 0xed558ccd]
const FMIX2: Word64 = [0xc4ceb9fe, 0x1a85ec53]
const FIVE: Word64 = [0, 5]

function add(a: Word64, b: Word64): Word64 {
  const lo = a[1] + b[1]
  return [(a[0] + b[0] + (lo > 0xffffffff ? 1 : 0)) >>> 0, lo >>> 0]
}

function xor(a: Word64, b: Word64): Word64 {
  return [(a[0] ^ b[0]) >>> 0, (a[1] ^ b[1]) >>> 0]
}

const product = new Uint32Array(2)

/** a * b mod 2^64. */
function mul(a: Word64, b: Word64): Word64 {
  mul64Into(product, a[0], a[1], b[0], b[1])
  return [product[0]!, product[1]!]
}

function rotl(x: Word64, r: number): Word64 {
  const [h, l] = r >= 32 ? [x[1], x[0]] : x
  const s = r % 32
  if (s === 0) return [h, l]
  return [((h << s) | (l >>> (32 - s))) >>> 0, ((l << s) | (h >>> (32 - s))) >>> 0]
}

function fmix(k: Word64): Word64 {
  k = xor(k, [0, k[0] >>> 1])
  k = mul(k, FMIX1)
  k = xor(k, [0, k[0] >>> 1])
  k = mul(k, FMIX2)
  return xor(k, [0, k[0] >>> 1])
}

/** Little-endian 64-bit word of `length` ≤ 8 bytes starting at `at` (missing bytes are zero). */
function wordLE(data: Buffer, at: number, length: number): Word64 {
  let hi = 0
  let lo = 0
  for (let i = Math.min(length, 8) - 1; i >= 4; i--) hi = ((hi << 8) | data[at + i]!) >>> 0
  for (let i = Math.min(length, 4) - 1; i >= 0; i--) lo = ((lo << 8) | data[at + i]!) >>> 0
  return [hi, lo]
}

export function murmur3x64(data: Buffer): Murmur3Hash {
  let h1: Word64 = [0, 0]
  let h2: Word64 = [0, 0]
  const blocks = Math.floor(data.length / 16)
  for (let i = 0; i < blocks; i++) {
    const k1 = mul(rotl(mul(wordLE(data, i * 16, 8), C1), 31), C2)
    h1 = add(mul(add(rotl(xor(h1, k1), 27), h2), FIVE), [0, 0x52dce729])
    const k2 = mul(rotl(mul(wordLE(data, i * 16 + 8, 8), C2), 33), C1)
    h2 = add(mul(add(rotl(xor(h2, k2), 31), h1), FIVE), [0, 0x38495ab5])
  }
  const tail = blocks * 16
  const rest = data.length - tail
  if (rest > 8) h2 = xor(h2, mul(rotl(mul(wordLE(data, tail + 8, rest - 8), C2), 33), C1))
  if (rest > 0) h1 = xor(h1, mul(rotl(mul(wordLE(data, tail, rest), C1), 31), C2))
  const length: Word64 = [Math.floor(data.length / 2 ** 32), data.length >>> 0]
  h1 = xor(h1, length)
  h2 = xor(h2, length)
  h1 = add(h1, h2)
  h2 = add(h2, h1)
  h1 = fmix(h1)
  h2 = fmix(h2)
  h1 = add(h1, h2)
  h2 = add(h2, h1)
  return { h1, h2 }
}
