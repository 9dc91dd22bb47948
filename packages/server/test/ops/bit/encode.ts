// Packs bit and HLL op payloads the way the C client does: [op_code, args...], byte operands as
// str with a particle type byte, integers in their shortest form, lists of Aerospike values.
import { MsgpackWriter, ParticleType, type Value } from '@aerolite/protocol'

/** A byte operand (a blob, or an HLL value with type HLL). */
export class Bytes {
  readonly bytes: Buffer
  readonly particleType: number
  constructor(bytes: Buffer | number[], particleType: number = ParticleType.BLOB) {
    this.bytes = Buffer.from(bytes)
    this.particleType = particleType
  }
}

export type Arg = number | bigint | boolean | string | Bytes | Value[] | Bytes[]

export function payload(code: number, ...args: Arg[]): Buffer {
  const writer = new MsgpackWriter()
  writer.arrayHeader(args.length + 1)
  writer.int(code)
  for (const arg of args) writeArg(writer, arg)
  return writer.toBuffer()
}

function writeArg(writer: MsgpackWriter, arg: Arg): void {
  if (arg instanceof Bytes) return writer.typedBytes(arg.particleType, arg.bytes)
  if (Array.isArray(arg)) {
    writer.arrayHeader(arg.length)
    for (const item of arg) {
      if (item instanceof Bytes) writer.typedBytes(item.particleType, item.bytes)
      else writer.value(item)
    }
    return
  }
  if (typeof arg === 'boolean') return writer.bool(arg)
  if (typeof arg === 'string') return writer.string(arg)
  writer.int(arg)
}

export const blob = (bytes: number[] | Buffer): Bytes => new Bytes(bytes)
export const hllValue = (bytes: Buffer): Bytes => new Bytes(bytes, ParticleType.HLL)
