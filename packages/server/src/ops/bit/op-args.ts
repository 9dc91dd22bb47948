// Reads the packed payload of a bit or HLL op: a msgpack array [op_code, arg1, arg2, ...]. Both
// families read their arguments the same way (any msgpack integer form, str or bin bytes), so the
// HLL module uses this reader too. Every malformed argument is a PARAMETER_ERROR.
import { MsgpackError, MsgpackReader, ResultCode } from '@aerolite/protocol'
import { CommandError } from '../../command-error.ts'

const UINT64_MASK = (1n << 64n) - 1n

export function parameterError(detail: string): CommandError {
  return new CommandError(ResultCode.PARAMETER_ERROR, detail)
}

export class OpArgs {
  /** The op code, first element of the array. */
  readonly code: number
  /** Arguments after the op code, as the array header declares them. */
  readonly count: number
  private readonly reader: MsgpackReader

  constructor(payload: Buffer) {
    this.reader = new MsgpackReader(payload)
    const elements = this.guard(() => this.reader.readArrayHeader())
    if (elements === 0) throw parameterError('op payload is an empty array')
    this.count = elements - 1
    const code = this.uint64()
    // Codes past 0xffff are unknown to every table; keep them unknown without losing precision.
    this.code = code > 0xffffn ? -1 : Number(code)
  }

  /** The next byte's msgpack type marker, without consuming it. */
  peekByte(): number {
    return this.guard(() => this.reader.peekByte())
  }

  /** Any msgpack integer as its 64-bit two's complement pattern, read as signed. */
  int64(): bigint {
    return BigInt.asIntN(64, this.uint64())
  }

  /** Any msgpack integer as its 64-bit two's complement pattern, read as unsigned. */
  uint64(): bigint {
    const buf = this.reader.buffer
    const at = this.reader.offset
    const b = this.peekByte()
    let value: bigint
    let width: number
    if (b <= 0x7f) { value = BigInt(b); width = 0 }
    else if (b >= 0xe0) { value = BigInt(b - 0x100); width = 0 }
    else {
      switch (b) {
        case 0xcc: width = 1; break
        case 0xcd: width = 2; break
        case 0xce: width = 4; break
        case 0xcf: width = 8; break
        case 0xd0: width = 1; break
        case 0xd1: width = 2; break
        case 0xd2: width = 4; break
        case 0xd3: width = 8; break
        default: throw parameterError(`expected an integer argument, found msgpack byte 0x${b.toString(16)}`)
      }
      if (at + 1 + width > buf.length) throw parameterError('integer argument truncated')
      const raw = BigInt('0x' + buf.toString('hex', at + 1, at + 1 + width))
      value = b >= 0xd0 ? BigInt.asIntN(width * 8, raw) : raw
    }
    this.reader.offset = at + 1 + width
    return value & UINT64_MASK
  }

  bool(): boolean {
    const b = this.peekByte()
    if (b !== 0xc2 && b !== 0xc3) throw parameterError(`expected a boolean argument, found msgpack byte 0x${b.toString(16)}`)
    this.reader.offset++
    return b === 0xc3
  }

  /** The payload of a str or bin argument (for Aerospike values, a particle type byte, then the bytes). */
  bytes(): Buffer {
    const buf = this.reader.buffer
    const at = this.reader.offset
    const b = this.peekByte()
    let headerBytes: number
    let length: number
    const need = (n: number): void => { if (at + n > buf.length) throw parameterError('bytes argument truncated') }
    if ((b & 0xe0) === 0xa0) { headerBytes = 1; length = b & 0x1f }
    else if (b === 0xc4 || b === 0xd9) { need(2); headerBytes = 2; length = buf[at + 1]! }
    else if (b === 0xc5 || b === 0xda) { need(3); headerBytes = 3; length = buf.readUInt16BE(at + 1) }
    else if (b === 0xc6 || b === 0xdb) { need(5); headerBytes = 5; length = buf.readUInt32BE(at + 1) }
    else throw parameterError(`expected a bytes argument, found msgpack byte 0x${b.toString(16)}`)
    need(headerBytes + length)
    this.reader.offset = at + headerBytes + length
    return buf.subarray(at + headerBytes, at + headerBytes + length)
  }

  /** An array header: its element count. */
  arrayHeader(): number {
    return this.guard(() => this.reader.readArrayHeader())
  }

  /** The raw bytes of the next complete msgpack value. */
  element(): Buffer {
    const at = this.reader.offset
    this.guard(() => this.reader.skip())
    return this.reader.buffer.subarray(at, this.reader.offset)
  }

  private guard<T>(read: () => T): T {
    try {
      return read()
    } catch (err) {
      if (err instanceof MsgpackError) throw parameterError(err.message)
      throw err
    }
  }
}
