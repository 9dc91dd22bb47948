// Applies a parsed HLL op to an HLL bin, with Aerospike's checks and result codes. The no-fail
// policy only covers the create-only / update-only conflicts; every other refusal is an error.
import { MsgpackWriter, ParticleType, ResultCode, floatParticle, integerParticle } from '@aerolite/protocol'
import { CommandError } from '../../command-error.ts'
import type { TypedValue } from '../bit/operation-outcome.ts'
import { estimateCount, estimateIntersectCount, estimateSimilarity, estimateUnionCount } from './hll-estimate.ts'
import { HllOpCode, HllWriteFlag, UNSET, type HllOp } from './hll-payload.ts'
import { Sketch, addElement, compatibleShape, isValidHll, mayContain, unionInto, unionOf, validCombinedBits } from './hll-sketch.ts'

/** The bin's sketch; a bin of another type, or a damaged HLL, fails before the payload is read. */
export function binSketch(bin: TypedValue | undefined): Sketch | undefined {
  if (bin === undefined) return undefined
  if (bin.particleType !== ParticleType.HLL) throw new CommandError(ResultCode.BIN_TYPE_ERROR, 'HLL op on a bin that is not an HLL')
  if (!isValidHll(bin.value)) throw new CommandError(ResultCode.SERVER_ERROR, 'HLL bin holds a damaged HLL')
  return new Sketch(bin.value)
}

export interface HllModifyOutcome {
  /** The bin's new HLL bytes; undefined = the bin stays as it was. */
  value: Buffer | undefined
  result: TypedValue | undefined
}

const UNCHANGED: HllModifyOutcome = { value: undefined, result: undefined }

function notApplicable(detail: string): CommandError {
  return new CommandError(ResultCode.OP_NOT_APPLICABLE, detail)
}

function integerResult(value: bigint): TypedValue {
  return { particleType: ParticleType.INTEGER, value: integerParticle(BigInt.asIntN(64, value)) }
}

export function modifyHll(old: Sketch | undefined, op: HllOp, name: string): HllModifyOutcome {
  const noFail = (op.flags & HllWriteFlag.NO_FAIL) !== 0
  if (old !== undefined && (op.flags & HllWriteFlag.CREATE_ONLY) !== 0) {
    if (noFail) return UNCHANGED
    throw new CommandError(ResultCode.BIN_EXISTS!, `HLL ${name}: bin exists (create-only)`)
  }
  if (old === undefined && (op.flags & HllWriteFlag.UPDATE_ONLY) !== 0) {
    if (noFail) return UNCHANGED
    throw new CommandError(ResultCode.BIN_NOT_FOUND!, `HLL ${name}: bin does not exist (update-only)`)
  }
  switch (op.code) {
    case HllOpCode.INIT: {
      const { indexBits, minhashBits } = newShape(old, op, name)
      return { value: Sketch.empty(indexBits, minhashBits).bytes, result: undefined }
    }
    case HllOpCode.ADD: {
      let sketch: Sketch
      if (old === undefined) {
        const { indexBits, minhashBits } = newShape(old, op, name)
        sketch = Sketch.empty(indexBits, minhashBits)
      } else {
        sketch = old.copy()
      }
      let added = 0n
      for (const element of op.elements) if (addElement(sketch, element)) added++
      return { value: sketch.bytes, result: integerResult(added) }
    }
    case HllOpCode.SET_UNION: {
      if (old !== undefined && (op.flags & HllWriteFlag.ALLOW_FOLD) === 0) {
        const given = compatibleShape(op.sketches)
        if (old.indexBits > given.indexBits) throw notApplicable(`HLL ${name}: would reduce index bits (use allow-fold)`)
        if (old.minhashBits !== 0 && old.minhashBits !== given.minhashBits) throw notApplicable(`HLL ${name}: would drop minhash bits (use allow-fold)`)
      }
      return { value: unionOf(old === undefined ? op.sketches : [...op.sketches, old]).bytes, result: undefined }
    }
    case HllOpCode.REFRESH_COUNT: {
      if (old === undefined) throw new CommandError(ResultCode.BIN_NOT_FOUND!, `HLL ${name}: bin does not exist`)
      const sketch = old.copy()
      sketch.cache = estimateCount(sketch)
      return { value: sketch.bytes, result: integerResult(sketch.cache) }
    }
    case HllOpCode.FOLD: {
      if (old === undefined) throw new CommandError(ResultCode.BIN_NOT_FOUND!, `HLL ${name}: bin does not exist`)
      if (old.minhashBits > 0) throw notApplicable(`HLL ${name}: cannot fold an HLL with minhash bits`)
      if (op.indexBits === UNSET || old.indexBits < op.indexBits) throw notApplicable(`HLL ${name}: cannot fold ${old.indexBits} index bits to ${op.indexBits}`)
      if (op.indexBits === old.indexBits) return { value: old.copy().bytes, result: undefined }
      const folded = Sketch.empty(op.indexBits, 0)
      unionInto(folded, old)
      return { value: folded.bytes, result: undefined }
    }
  }
  throw new CommandError(ResultCode.PARAMETER_ERROR, `HLL op ${op.code} is not a modify op`)
}

/** Bit counts of an init or add: those given, else the bin's (init) or the defaults for a new bin. */
function newShape(old: Sketch | undefined, op: HllOp, name: string): { indexBits: number; minhashBits: number } {
  if (old === undefined) {
    if (op.indexBits === UNSET) throw notApplicable(`HLL ${name}: index bits are needed to create the bin`)
    return { indexBits: op.indexBits, minhashBits: op.minhashBits === UNSET ? 0 : op.minhashBits }
  }
  const indexBits = op.indexBits === UNSET ? old.indexBits : op.indexBits
  const minhashBits = op.minhashBits === UNSET ? old.minhashBits : op.minhashBits
  if (!validCombinedBits(indexBits, minhashBits)) throw notApplicable(`HLL ${name}: ${indexBits} index bits with ${minhashBits} minhash bits`)
  return { indexBits, minhashBits }
}

export function readHll(sketch: Sketch, op: HllOp, name: string): TypedValue {
  const withBin = (): Sketch[] => [...op.sketches, sketch]
  switch (op.code) {
    case HllOpCode.COUNT: return integerResult(estimateCount(sketch))
    case HllOpCode.GET_UNION: return { particleType: ParticleType.HLL, value: unionOf(withBin()).bytes }
    case HllOpCode.UNION_COUNT: return integerResult(estimateUnionCount(withBin()))
    case HllOpCode.INTERSECT_COUNT:
      checkIntersectShape(sketch, op, name)
      return integerResult(estimateIntersectCount(withBin()))
    case HllOpCode.SIMILARITY:
      checkIntersectShape(sketch, op, name)
      return { particleType: ParticleType.FLOAT, value: floatParticle(estimateSimilarity(withBin())) }
    case HllOpCode.DESCRIBE: {
      const writer = new MsgpackWriter(8)
      writer.arrayHeader(2)
      writer.int(sketch.indexBits)
      writer.int(sketch.minhashBits)
      return { particleType: ParticleType.LIST, value: writer.toBuffer() }
    }
    case HllOpCode.MAY_CONTAIN:
      return integerResult(op.elements.every((e) => mayContain(sketch, e)) ? 1n : 0n)
  }
  throw new CommandError(ResultCode.PARAMETER_ERROR, `HLL op ${op.code} is not a read op`)
}

/** More than 2 values are intersected by minhash, so the bin needs the same minhash bits. */
function checkIntersectShape(sketch: Sketch, op: HllOp, name: string): void {
  if (op.sketches.length > 2 && (sketch.minhashBits === 0 || sketch.minhashBits !== op.sketches[0]!.minhashBits)) {
    throw notApplicable(`HLL ${name}: the bin's minhash bits differ from the values'`)
  }
}
