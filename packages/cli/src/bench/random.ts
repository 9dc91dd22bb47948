// A small seeded generator (xoshiro128**): the same seed gives the same key sequence, and each
// draw is a handful of 32-bit integer operations with no allocation.

export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    // splitmix32 spreads the seed over the four state words (never all zero).
    let s = seed >>> 0
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = next()
    this.b = next()
    this.c = next()
    this.d = next() | 1
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0
    const t = this.b << 9
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotl(this.d, 11)
    return result
  }

  /** A uniform integer in [0, n) for n up to 2^32. */
  below(n: number): number {
    return Math.floor((this.nextUint32() / 4294967296) * n)
  }

  /** A uniform float in [0, 100). */
  percent(): number {
    return (this.nextUint32() / 4294967296) * 100
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
