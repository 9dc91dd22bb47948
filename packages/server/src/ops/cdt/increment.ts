// The arithmetic of list and map increments (Aerospike's cdt_calc_delta): the delta is an integer,
// a double or nil (meaning 1); the element keeps its own type, a missing element takes the delta's.
import { MsgpackWriter, ParticleType, floatParticle } from '@aerolite/protocol'
import { Kind, readHead } from './element.ts'
import { parameterError } from './errors.ts'
import { intResult, type CdtResult } from './result.ts'

const INT64_MIN = -(2n ** 63n)

interface Delta {
  isDouble: boolean
  int: bigint
  double: number
}

/** C's (int64_t) conversion of a double, as x86 does it: out of range and NaN give INT64_MIN. */
function truncateToInt64(x: number): bigint {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 63) return INT64_MIN
  return BigInt(Math.trunc(x))
}

export function readDelta(arg: Buffer | undefined, negate: boolean): Delta {
  let delta: Delta = { isDouble: false, int: 1n, double: 1 }
  if (arg !== undefined) {
    const h = readHead(arg, 0)
    if (h.kind === Kind.INT || h.kind === Kind.NEGINT) delta = { isDouble: false, int: BigInt.asIntN(64, BigInt(h.int)), double: 1 }
    else if (h.kind === Kind.DOUBLE) delta = { isDouble: true, int: 1n, double: h.double }
    else if (h.kind !== Kind.NIL) throw parameterError('increment delta is not an integer or double')
  }
  if (negate) return { isDouble: delta.isDouble, int: BigInt.asIntN(64, -delta.int), double: -delta.double }
  return delta
}

export interface Incremented {
  /** The new element, packed. */
  element: Buffer
  result: CdtResult
}

function packInt(value: bigint): Incremented {
  const w = new MsgpackWriter(9)
  w.int(value)
  return { element: w.toBuffer(), result: intResult(value) }
}

function packDouble(value: number): Incremented {
  const w = new MsgpackWriter(9)
  w.double(value)
  return { element: w.toBuffer(), result: { particleType: ParticleType.FLOAT, value: floatParticle(value) } }
}

/** Adds the delta to `current` (undefined when there is no element yet). */
export function addDelta(delta: Delta, current: Buffer | undefined): Incremented {
  if (current === undefined) return delta.isDouble ? packDouble(delta.double) : packInt(delta.int)
  const h = readHead(current, 0)
  if (h.kind === Kind.INT || h.kind === Kind.NEGINT) {
    const add = delta.isDouble ? truncateToInt64(delta.double) : delta.int
    return packInt(BigInt.asIntN(64, BigInt.asIntN(64, BigInt(h.int)) + add))
  }
  if (h.kind === Kind.DOUBLE) return packDouble(h.double + (delta.isDouble ? delta.double : Number(delta.int)))
  throw parameterError('increment of an element that is not an integer or double')
}
