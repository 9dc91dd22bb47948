// A read position in a packed expression, with the msgpack readers the compiler needs. Every
// failure is the client's: it throws a CommandError with PARAMETER_ERROR, as Aerospike answers
// an expression it cannot build.
import { ResultCode } from '@aerolite/protocol'
import { CommandError } from '../../command-error.ts'
import { skipElement } from './msgpack-compare.ts'
import { MsgpackType, peekType, type MsgpackTypeCode } from './msgpack-type.ts'

export function expressionError(detail: string): CommandError {
  return new CommandError(ResultCode.PARAMETER_ERROR, `expression: ${detail}`)
}

export class ExpCursor {
  readonly buf: Buffer
  at: number

  constructor(buf: Buffer, at = 0) {
    this.buf = buf
    this.at = at
  }

  get done(): boolean {
    return this.at >= this.buf.length
  }

  peekType(): MsgpackTypeCode {
    return peekType(this.buf, this.at)
  }

  /** The next element's bytes, whole; the cursor moves past it. */
  element(): Buffer {
    const start = this.at
    try {
      this.at = skipElement(this.buf, start)
    } catch {
      throw expressionError(`malformed msgpack at byte ${start}`)
    }
    return this.buf.subarray(start, this.at)
  }

  listHeader(): number {
    const b = this.byte()
    if ((b & 0xf0) === 0x90) return b & 0x0f
    if (b === 0xdc) return this.fixed(2).readUInt16BE(0)
    if (b === 0xdd) return this.fixed(4).readUInt32BE(0)
    throw expressionError(`expected a list at byte ${this.at - 1}`)
  }

  /** An integer read as Aerospike's msgpack_get_uint64 does: negative ints wrap to 64 bits. */
  uint(): bigint {
    return BigInt.asUintN(64, this.anyInt())
  }

  int(): bigint {
    return BigInt.asIntN(64, this.anyInt())
  }

  double(): number {
    const b = this.byte()
    if (b === 0xca) return this.fixed(4).readFloatBE(0)
    if (b === 0xcb) return this.fixed(8).readDoubleBE(0)
    throw expressionError(`expected a float at byte ${this.at - 1}`)
  }

  bool(): boolean {
    const b = this.byte()
    if (b === 0xc2 || b === 0xc3) return b === 0xc3
    throw expressionError(`expected a bool at byte ${this.at - 1}`)
  }

  /** The payload of a str or bin element, as is (names in expressions carry no type byte). */
  rawBytes(): Buffer {
    const b = this.byte()
    let n: number
    if ((b & 0xe0) === 0xa0) n = b & 0x1f
    else if (b === 0xc4 || b === 0xd9) n = this.fixed(1)[0]!
    else if (b === 0xc5 || b === 0xda) n = this.fixed(2).readUInt16BE(0)
    else if (b === 0xc6 || b === 0xdb) n = this.fixed(4).readUInt32BE(0)
    else throw expressionError(`expected a string at byte ${this.at - 1}`)
    return this.fixed(n)
  }

  isList(): boolean {
    return this.peekType() === MsgpackType.LIST
  }

  private anyInt(): bigint {
    const b = this.byte()
    if (b < 0x80) return BigInt(b)
    if (b >= 0xe0) return BigInt(b - 0x100)
    switch (b) {
      case 0xcc: return BigInt(this.fixed(1)[0]!)
      case 0xcd: return BigInt(this.fixed(2).readUInt16BE(0))
      case 0xce: return BigInt(this.fixed(4).readUInt32BE(0))
      case 0xcf: return this.fixed(8).readBigUInt64BE(0)
      case 0xd0: return BigInt(this.fixed(1).readInt8(0))
      case 0xd1: return BigInt(this.fixed(2).readInt16BE(0))
      case 0xd2: return BigInt(this.fixed(4).readInt32BE(0))
      case 0xd3: return this.fixed(8).readBigInt64BE(0)
    }
    throw expressionError(`expected an integer at byte ${this.at - 1}`)
  }

  private byte(): number {
    const b = this.buf[this.at]
    if (b === undefined) throw expressionError('expression ends early')
    this.at++
    return b
  }

  private fixed(n: number): Buffer {
    if (this.at + n > this.buf.length) throw expressionError('expression ends early')
    const out = this.buf.subarray(this.at, this.at + n)
    this.at += n
    return out
  }
}
