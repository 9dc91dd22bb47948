// The value of an expression index for a record. Until the expression evaluator (ops/exp) can be
// called on a record's bins, the form every expression index in practice starts from is read here:
// a bin read `[81 BIN, type, name]`, which yields the bin's value when it has that type.
import { MsgpackReader, ParticleType, decodeParticle, type Value } from '@aerolite/protocol'
import type { Bin } from '../record/bins.ts'
import type { ExpressionValue } from './keys.ts'

const EXP_BIN = 81

/** Expression value types (as_exp_type) and the particle types they accept. */
const PARTICLES_OF_TYPE = new Map<number, number[]>([
  [1, [ParticleType.BOOL]],
  [2, [ParticleType.INTEGER]],
  [3, [ParticleType.STRING]],
  [4, [ParticleType.LIST]],
  [5, [ParticleType.MAP]],
  [6, [ParticleType.BLOB]],
  [7, [ParticleType.FLOAT]],
  [8, [ParticleType.GEOJSON]],
])

/** Bin names in expressions are plain msgpack strings, without the particle-type byte of values. */
function plainString(reader: MsgpackReader): string | undefined {
  const b = reader.peekByte()
  let length: number
  let at = reader.offset + 1
  if ((b & 0xe0) === 0xa0) length = b & 0x1f
  else if (b === 0xd9) length = reader.buffer[at++]!
  else if (b === 0xda) { length = reader.buffer.readUInt16BE(at); at += 2 }
  else return undefined
  if (at + length > reader.buffer.length) return undefined
  reader.offset = at + length
  return reader.buffer.toString('utf8', at, at + length)
}

function binRead(expression: Buffer): { type: number; name: string } | undefined {
  try {
    const reader = new MsgpackReader(expression)
    if (reader.readArrayHeader() !== 3) return undefined
    const op = reader.value()
    const type = reader.value()
    const name = plainString(reader)
    if (op !== EXP_BIN || typeof type !== 'number' || name === undefined || reader.remaining !== 0) return undefined
    return { type, name }
  } catch {
    return undefined
  }
}

export const expressionValue: ExpressionValue = (expression: Buffer, bins: readonly Bin[]): Value | undefined => {
  const read = binRead(expression)
  if (read === undefined) return undefined
  const bin = bins.find((b) => b.name === read.name)
  if (bin === undefined || !(PARTICLES_OF_TYPE.get(read.type) ?? []).includes(bin.particleType)) return undefined
  try {
    // No HLL type is accepted above, so the particle decodes to a plain value.
    return decodeParticle(bin.particleType, bin.value) as Value
  } catch {
    return undefined
  }
}
