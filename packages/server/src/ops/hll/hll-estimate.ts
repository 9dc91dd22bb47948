// Cardinality, union, intersection and similarity estimates, computed the way Aerospike computes
// them so the same sketches give the same numbers: Ertl's improved raw estimator (arXiv 1702.01284,
// algorithm 6) with the classic alpha_m, HyperMinHash (arXiv 1710.08436) for similarity when the
// sketches carry minhash bits, and inclusion-exclusion over counts when they do not.
import { HLL_VALUE_BITS, Sketch, compatibleShape, intersectInto, unionInto, unionOf } from './hll-sketch.ts'

/** Largest HyperLogLog value a 6-bit register can hold, plus one: the estimator's q + 1. */
const Q_PLUS_ONE = 2 ** HLL_VALUE_BITS

/** Ertl's sigma(x) = x + sum over k >= 1 of x^(2^k) * 2^(k-1), iterated until it stops changing. */
function sigma(x: number): number {
  if (x === 1) return Infinity
  let y = 1
  let z = x
  let previous: number
  do {
    x *= x
    previous = z
    z += x * y
    y += y
  } while (previous !== z)
  return z
}

function alpha(indexBits: number): number {
  switch (indexBits) {
    case 4: return 0.673
    case 5: return 0.697
    case 6: return 0.709
  }
  return 0.7213 / (1 + 1.079 / 2 ** indexBits)
}

/** C's llround: halves round away from zero; values past int64 give INT64_MIN as x86 does. */
function roundToUint64(x: number): bigint {
  const rounded = Math.sign(x) * Math.round(Math.abs(x))
  if (!(rounded < 2 ** 63 && rounded >= -(2 ** 63))) return 1n << 63n
  return BigInt.asUintN(64, BigInt(rounded))
}

/** The sketch's estimated count (its cached count when it has one). */
export function estimateCount(sketch: Sketch): bigint {
  const cached = sketch.cache
  if (cached !== 0n) return cached
  const m = sketch.registerCount
  const histogram = new Array<number>(Q_PLUS_ONE + 1).fill(0)
  for (let r = 0; r < m; r++) histogram[sketch.hllAt(r)]!++
  // The tau term for registers at q + 1 is always 0: a 6-bit register never reaches 64.
  let z = 0
  for (let k = Q_PLUS_ONE; k > 0; k--) z = 0.5 * (z + histogram[k]!)
  z += m * sigma(histogram[0]! / m)
  return roundToUint64((alpha(sketch.indexBits) * m * m) / z)
}

export function estimateUnionCount(sketches: readonly Sketch[]): bigint {
  return estimateCount(unionOf(sketches))
}

/** Estimated size of the intersection of 2 or 3 sketches (more need minhash bits). */
export function estimateIntersectCount(sketches: readonly Sketch[]): bigint {
  if (compatibleShape(sketches).minhashBits === 0) return intersectByCounts(sketches)
  const similarity = estimateSimilarity(sketches)
  if (Number.isNaN(similarity)) return 0n
  return roundToUint64(Number(estimateUnionCount(sketches)) * similarity)
}

function intersectByCounts(sketches: readonly Sketch[]): bigint {
  const union = estimateUnionCount(sketches)
  let sum = 0n
  for (const s of sketches) sum += estimateCount(s)
  if (sum >= 1n << 64n) sum = (1n << 64n) - 1n
  if (sketches.length === 2) return sum > union ? sum - union : 0n
  const [a, b, c] = sketches as [Sketch, Sketch, Sketch]
  const pairs = estimateIntersectCount([a, b]) + estimateIntersectCount([b, c]) + estimateIntersectCount([a, c])
  const result = BigInt.asIntN(64, union) - (BigInt.asIntN(64, sum) - BigInt.asIntN(64, pairs))
  return result < 0n ? 0n : result
}

/** Estimated Jaccard similarity (intersection / union); NaN when every sketch is empty. */
export function estimateSimilarity(sketches: readonly Sketch[]): number {
  const shape = compatibleShape(sketches)
  if (shape.minhashBits === 0) return Number(estimateIntersectCount(sketches)) / Number(estimateUnionCount(sketches))
  let someHaveData = false
  let someAreEmpty = false
  for (const s of sketches) {
    if (s.hasData()) someHaveData = true
    else someAreEmpty = true
  }
  if (someAreEmpty) return someHaveData ? 0 : NaN
  const aggregate = Sketch.empty(shape.indexBits, shape.minhashBits)
  for (const s of sketches) unionInto(aggregate, s)
  const unionRegisters = aggregate.usedRegisters()
  const common = Sketch.empty(shape.indexBits, shape.minhashBits)
  unionInto(common, sketches[0]!)
  for (const s of sketches.slice(1)) intersectInto(common, s)
  const commonRegisters = common.usedRegisters()
  const collisions = sketches.length === 2
    ? expectedCollisions(shape.indexBits, shape.minhashBits, Number(estimateCount(sketches[0]!)), Number(estimateCount(sketches[1]!)))
    : 0
  const result = (commonRegisters - collisions) / unionRegisters
  return result < 0 ? 0 : result
}

/** HyperMinHash's expected number of registers two unrelated sets share by chance. */
function expectedCollisions(indexBits: number, minhashBits: number, count0: number, count1: number): number {
  const m = 2 ** indexBits
  let collisions = 0
  for (let i = 1; i <= Q_PLUS_ONE; i++) {
    const b1 = (i === Q_PLUS_ONE ? 0 : Math.pow(2, -i)) / m
    const b2 = Math.pow(2, -i + 1) / m
    const px = Math.pow(1 - b1, count0) - Math.pow(1 - b2, count0)
    const py = Math.pow(1 - b1, count1) - Math.pow(1 - b2, count1)
    collisions += px * py
  }
  return (collisions * m) / Math.pow(2, minhashBits)
}
