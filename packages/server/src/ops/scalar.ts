// The scalar bin operations: write, increment, append, prepend. Each changes the working copy of
// a record's bins or throws a CommandError with the Aerospike result code.
import { ParticleType, ResultCode, isBlobType, type Op } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import { findBin, putBin, removeBin, type Bin } from '../record/bins.ts'
import { checkWritableParticle, storedInteger } from './particle-check.ts'
import { canonicalValue } from './cdt/canonical.ts'

export function applyWrite(bins: Bin[], name: string, op: Op): void {
  if (op.particleType === ParticleType.NULL) {
    removeBin(bins, name)
    return
  }
  checkWritableParticle(op.particleType, op.value)
  putBin(bins, { name, particleType: op.particleType, value: storedForm(op.particleType, op.value) })
}

/** Values are stored the way the server keeps them: integers as 8 bytes, lists and maps canonical. */
function storedForm(particleType: number, value: Buffer): Buffer {
  if (particleType === ParticleType.INTEGER) return storedInteger(value)
  if (particleType === ParticleType.LIST || particleType === ParticleType.MAP) return canonicalValue(value)
  return value
}

export function applyIncrement(bins: Bin[], name: string, op: Op): void {
  if (op.particleType !== ParticleType.INTEGER && op.particleType !== ParticleType.FLOAT) {
    throw new CommandError(ResultCode.PARAMETER_ERROR, 'increment needs an integer or float value')
  }
  checkWritableParticle(op.particleType, op.value)
  const delta = op.particleType === ParticleType.INTEGER ? storedInteger(op.value) : op.value
  const i = findBin(bins, name)
  if (i < 0) {
    putBin(bins, { name, particleType: op.particleType, value: delta })
    return
  }
  const bin = bins[i]!
  if (bin.particleType !== op.particleType) throw new CommandError(ResultCode.BIN_TYPE_ERROR, 'increment of a bin of another type')
  const value = Buffer.allocUnsafe(8)
  if (op.particleType === ParticleType.INTEGER) {
    // Two's complement wrap-around, as a 64-bit add on the server.
    value.writeBigInt64BE(BigInt.asIntN(64, bin.value.readBigInt64BE(0) + delta.readBigInt64BE(0)), 0)
  } else {
    value.writeDoubleBE(bin.value.readDoubleBE(0) + delta.readDoubleBE(0), 0)
  }
  bins[i] = { name, particleType: bin.particleType, value }
}

/** Append or prepend: strings onto strings, blobs onto blobs of the same subtype. */
export function applyConcat(bins: Bin[], name: string, op: Op, prepend: boolean): void {
  if (op.particleType !== ParticleType.STRING && !isBlobType(op.particleType)) {
    throw new CommandError(ResultCode.PARAMETER_ERROR, 'append and prepend need a string or blob value')
  }
  const i = findBin(bins, name)
  if (i < 0) {
    putBin(bins, { name, particleType: op.particleType, value: op.value })
    return
  }
  const bin = bins[i]!
  if (bin.particleType !== op.particleType) throw new CommandError(ResultCode.BIN_TYPE_ERROR, 'append or prepend to a bin of another type')
  const value = prepend ? Buffer.concat([op.value, bin.value]) : Buffer.concat([bin.value, op.value])
  bins[i] = { name, particleType: bin.particleType, value }
}
