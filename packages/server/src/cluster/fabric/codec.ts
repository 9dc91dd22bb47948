// Payloads of fabric messages: a writer and a reader of big-endian fixed-size numbers, doubles,
// and u32-length-prefixed bytes and UTF-8 strings. Replica writes, migrations and proxies encode
// their messages with these, so every bound is checked once, here, with an error naming it.
import { limits } from '../../limits.ts'

/** A payload that does not hold what its reader expects, or a value its writer cannot encode. */
export class FabricCodecError extends Error {
  readonly code = 'ERR_FABRIC_CODEC'

  constructor(message: string) {
    super(message)
    this.name = 'FabricCodecError'
  }
}

const U64_MAX = 0xffff_ffff_ffff_ffffn
const utf8 = new TextDecoder('utf-8', { fatal: true })

function checkUint(what: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new FabricCodecError(`${what} value ${value} is not an integer in 0..${max}`)
}

export class PayloadWriter {
  private buffer: Buffer
  private at = 0
  private readonly maxBytes: number

  /** `maxBytes`: the payload may not grow past it (the fabric's message limit by default). */
  constructor(initialBytes = 256, maxBytes: number = limits.maxFabricPayloadBytes) {
    this.maxBytes = maxBytes
    this.buffer = Buffer.allocUnsafe(Math.max(16, Math.min(initialBytes, maxBytes)))
  }

  /** Bytes written so far. */
  get length(): number {
    return this.at
  }

  u8(value: number): this {
    checkUint('u8', value, 0xff)
    const at = this.reserve(1)
    this.buffer.writeUInt8(value, at)
    return this
  }

  u16(value: number): this {
    checkUint('u16', value, 0xffff)
    const at = this.reserve(2)
    this.buffer.writeUInt16BE(value, at)
    return this
  }

  u32(value: number): this {
    checkUint('u32', value, 0xffff_ffff)
    const at = this.reserve(4)
    this.buffer.writeUInt32BE(value, at)
    return this
  }

  /** A number must be a safe integer; larger values go as a bigint. */
  u64(value: bigint | number): this {
    if (typeof value === 'number') checkUint('u64', value, Number.MAX_SAFE_INTEGER)
    else if (value < 0n || value > U64_MAX) throw new FabricCodecError(`u64 value ${value} is not an integer in 0..${U64_MAX}`)
    const at = this.reserve(8)
    this.buffer.writeBigUInt64BE(BigInt(value), at)
    return this
  }

  f64(value: number): this {
    const at = this.reserve(8)
    this.buffer.writeDoubleBE(value, at)
    return this
  }

  /** Bytes as they are, without a length (a digest, a fixed-size field). */
  raw(bytes: Uint8Array): this {
    const at = this.reserve(bytes.length)
    this.buffer.set(bytes, at)
    return this
  }

  /** A u32 length, then the bytes. */
  bytes(bytes: Uint8Array): this {
    return this.u32(bytes.length).raw(bytes)
  }

  /** A u32 byte length, then the UTF-8 bytes. */
  string(text: string): this {
    const size = Buffer.byteLength(text, 'utf8')
    this.u32(size)
    const at = this.reserve(size)
    this.buffer.write(text, at, size, 'utf8')
    return this
  }

  /** The payload: a view of the writer's buffer (write nothing more afterwards). */
  finish(): Buffer {
    return this.buffer.subarray(0, this.at)
  }

  /** Room for n more bytes; returns where they go. It may replace this.buffer: call it before reading that. */
  private reserve(n: number): number {
    const at = this.at
    const end = at + n
    if (end > this.maxBytes) throw new FabricCodecError(`payload of ${end} bytes would exceed the limit of ${this.maxBytes} bytes`)
    if (end > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(end, this.buffer.length * 2)))
      this.buffer.copy(grown, 0, 0, at)
      this.buffer = grown
    }
    this.at = end
    return at
  }
}

export class PayloadReader {
  private readonly buffer: Buffer
  private at = 0

  constructor(buffer: Buffer) {
    this.buffer = buffer
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buffer.length - this.at
  }

  u8(): number {
    return this.buffer.readUInt8(this.take(1, 'u8'))
  }

  u16(): number {
    return this.buffer.readUInt16BE(this.take(2, 'u16'))
  }

  u32(): number {
    return this.buffer.readUInt32BE(this.take(4, 'u32'))
  }

  u64(): bigint {
    return this.buffer.readBigUInt64BE(this.take(8, 'u64'))
  }

  /** A u64 that must be a safe integer (a count, a time in ms). */
  u64Number(): number {
    const value = this.u64()
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new FabricCodecError(`u64 value ${value} at byte ${this.at - 8} is beyond 2^53`)
    return Number(value)
  }

  f64(): number {
    return this.buffer.readDoubleBE(this.take(8, 'f64'))
  }

  /** n bytes as they are: a view of the payload, not a copy. */
  raw(n: number): Buffer {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`fabric payload: cannot read ${n} raw bytes`)
    const at = this.take(n, `${n} raw bytes`)
    return this.buffer.subarray(at, at + n)
  }

  /** A u32 length, then that many bytes (a view of the payload, not a copy). */
  bytes(): Buffer {
    const size = this.u32()
    const at = this.take(size, `bytes of length ${size}`)
    return this.buffer.subarray(at, at + size)
  }

  string(): string {
    const size = this.u32()
    const at = this.take(size, `string of length ${size}`)
    try {
      return utf8.decode(this.buffer.subarray(at, at + size))
    } catch {
      throw new FabricCodecError(`string of ${size} bytes at byte ${at} is not valid UTF-8`)
    }
  }

  /** Checks the whole payload was read: trailing bytes mean writer and reader disagree. */
  end(): void {
    if (this.remaining !== 0) throw new FabricCodecError(`payload has ${this.remaining} bytes left after its last field (of ${this.buffer.length})`)
  }

  private take(n: number, what: string): number {
    const at = this.at
    if (n > this.buffer.length - at) throw new FabricCodecError(`payload of ${this.buffer.length} bytes ends at byte ${at}, before the ${what} it should hold`)
    this.at = at + n
    return at
  }
}
