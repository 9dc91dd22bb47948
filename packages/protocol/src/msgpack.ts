// Msgpack with Aerospike's conventions: strings and blobs carry a leading particle type byte
// inside the str/bin payload (0x03 string, 0x04 blob, 0x17 GeoJSON), ordered lists and maps carry
// a leading ext entry with their flags.
import { Double, GeoJson, MsgpackExt, TypedBlob, intFromBigInt, type Value } from './values.ts'

/** Deepest nesting of lists and maps read, so hostile payloads cannot exhaust the stack. */
export const MAX_MSGPACK_DEPTH = 256

export class MsgpackError extends Error {
  readonly code = 'ERR_MSGPACK'
  constructor(message: string) {
    super(message)
    this.name = 'MsgpackError'
  }
}

const STRING_TYPE = 3
const BLOB_TYPE = 4
const GEOJSON_TYPE = 23

export class MsgpackWriter {
  private buffer: Buffer
  private length = 0

  constructor(initialBytes = 64) {
    this.buffer = Buffer.allocUnsafe(initialBytes)
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length))
  }

  private reserve(n: number): number {
    if (this.length + n > this.buffer.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + n))
      this.buffer.copy(next, 0, 0, this.length)
      this.buffer = next
    }
    const at = this.length
    this.length += n
    return at
  }

  private byte(b: number): void {
    const at = this.reserve(1)
    this.buffer[at] = b
  }

  raw(bytes: Buffer): void {
    // reserve() may swap in a larger buffer, so it must run before this.buffer is read.
    const at = this.reserve(bytes.length)
    bytes.copy(this.buffer, at)
  }

  nil(): void {
    this.byte(0xc0)
  }

  bool(value: boolean): void {
    this.byte(value ? 0xc3 : 0xc2)
  }

  int(value: number | bigint): void {
    if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) value = Number(value)
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      if (value >= 0) {
        if (value < 0x80) return this.byte(value)
        if (value < 0x100) { const at = this.reserve(2); this.buffer[at] = 0xcc; this.buffer[at + 1] = value; return }
        if (value < 0x10000) { const at = this.reserve(3); this.buffer[at] = 0xcd; this.buffer.writeUInt16BE(value, at + 1); return }
        if (value < 0x100000000) { const at = this.reserve(5); this.buffer[at] = 0xce; this.buffer.writeUInt32BE(value, at + 1); return }
      } else {
        if (value >= -32) return this.byte(value & 0xff)
        if (value >= -0x80) { const at = this.reserve(2); this.buffer[at] = 0xd0; this.buffer.writeInt8(value, at + 1); return }
        if (value >= -0x8000) { const at = this.reserve(3); this.buffer[at] = 0xd1; this.buffer.writeInt16BE(value, at + 1); return }
        if (value >= -0x80000000) { const at = this.reserve(5); this.buffer[at] = 0xd2; this.buffer.writeInt32BE(value, at + 1); return }
      }
    }
    const big = BigInt(value)
    if (big < -(2n ** 63n) || big >= 2n ** 64n) throw new MsgpackError(`integer ${big} does not fit in 64 bits`)
    const at = this.reserve(9)
    if (big >= 0n) {
      this.buffer[at] = 0xcf
      this.buffer.writeBigUInt64BE(big, at + 1)
    } else {
      this.buffer[at] = 0xd3
      this.buffer.writeBigInt64BE(big, at + 1)
    }
  }

  double(value: number): void {
    const at = this.reserve(9)
    this.buffer[at] = 0xcb
    this.buffer.writeDoubleBE(value, at + 1)
  }

  /** A str-family header for n payload bytes. */
  strHeader(n: number): void {
    if (n < 32) this.byte(0xa0 | n)
    else if (n < 0x100) { const at = this.reserve(2); this.buffer[at] = 0xd9; this.buffer[at + 1] = n }
    else if (n < 0x10000) { const at = this.reserve(3); this.buffer[at] = 0xda; this.buffer.writeUInt16BE(n, at + 1) }
    else { const at = this.reserve(5); this.buffer[at] = 0xdb; this.buffer.writeUInt32BE(n, at + 1) }
  }

  /** A value string: str header, particle type byte, bytes. */
  typedBytes(particleType: number, bytes: Buffer): void {
    this.strHeader(bytes.length + 1)
    this.byte(particleType)
    this.raw(bytes)
  }

  string(value: string): void {
    this.typedBytes(STRING_TYPE, Buffer.from(value, 'utf8'))
  }

  /** A plain msgpack string without the particle type byte (names inside expressions). */
  plainString(value: string): void {
    const bytes = Buffer.from(value, 'utf8')
    this.strHeader(bytes.length)
    this.raw(bytes)
  }

  arrayHeader(n: number): void {
    if (n < 16) this.byte(0x90 | n)
    else if (n < 0x10000) { const at = this.reserve(3); this.buffer[at] = 0xdc; this.buffer.writeUInt16BE(n, at + 1) }
    else { const at = this.reserve(5); this.buffer[at] = 0xdd; this.buffer.writeUInt32BE(n, at + 1) }
  }

  mapHeader(n: number): void {
    if (n < 16) this.byte(0x80 | n)
    else if (n < 0x10000) { const at = this.reserve(3); this.buffer[at] = 0xde; this.buffer.writeUInt16BE(n, at + 1) }
    else { const at = this.reserve(5); this.buffer[at] = 0xdf; this.buffer.writeUInt32BE(n, at + 1) }
  }

  ext(type: number, data: Buffer): void {
    const n = data.length
    const fixed: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 }
    const code = fixed[n]
    if (code !== undefined) {
      const at = this.reserve(2)
      this.buffer[at] = code
      this.buffer[at + 1] = type
    } else if (n < 0x100) {
      const at = this.reserve(3)
      this.buffer[at] = 0xc7
      this.buffer[at + 1] = n
      this.buffer[at + 2] = type
    } else if (n < 0x10000) {
      const at = this.reserve(4)
      this.buffer[at] = 0xc8
      this.buffer.writeUInt16BE(n, at + 1)
      this.buffer[at + 3] = type
    } else {
      const at = this.reserve(6)
      this.buffer[at] = 0xc9
      this.buffer.writeUInt32BE(n, at + 1)
      this.buffer[at + 5] = type
    }
    this.raw(data)
  }

  value(value: Value): void {
    if (value === null) return this.nil()
    switch (typeof value) {
      case 'boolean': return this.bool(value)
      case 'number': return Number.isSafeInteger(value) ? this.int(value) : this.double(value)
      case 'bigint': return this.int(value)
      case 'string': return this.string(value)
    }
    if (Buffer.isBuffer(value)) return this.typedBytes(BLOB_TYPE, value)
    if (value instanceof Double) return this.double(value.value)
    if (value instanceof GeoJson) return this.typedBytes(GEOJSON_TYPE, Buffer.from(value.json, 'utf8'))
    if (value instanceof TypedBlob) return this.typedBytes(value.subtype, value.bytes)
    if (value instanceof MsgpackExt) return this.ext(value.type, value.data)
    if (Array.isArray(value)) {
      this.arrayHeader(value.length)
      for (const item of value) this.value(item)
      return
    }
    if (value instanceof Map) {
      this.mapHeader(value.size)
      for (const [k, v] of value) {
        this.value(k)
        this.value(v)
      }
      return
    }
    throw new MsgpackError(`cannot pack a value of type ${typeof value}`)
  }
}

export function packValue(value: Value): Buffer {
  const writer = new MsgpackWriter()
  writer.value(value)
  return writer.toBuffer()
}

export class MsgpackReader {
  readonly buffer: Buffer
  offset: number
  private readonly end: number

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer
    this.offset = offset
    this.end = end
  }

  get remaining(): number {
    return this.end - this.offset
  }

  private need(n: number): number {
    if (this.offset + n > this.end) throw new MsgpackError(`msgpack value truncated at byte ${this.offset}`)
    const at = this.offset
    this.offset += n
    return at
  }

  peekByte(): number {
    if (this.offset >= this.end) throw new MsgpackError(`msgpack value truncated at byte ${this.offset}`)
    return this.buffer[this.offset]!
  }

  /** Reads an array header, returning its element count, or throws if the next value is not an array. */
  readArrayHeader(): number {
    const b = this.buffer[this.need(1)]!
    if ((b & 0xf0) === 0x90) return b & 0x0f
    if (b === 0xdc) return this.buffer.readUInt16BE(this.need(2))
    if (b === 0xdd) return this.buffer.readUInt32BE(this.need(4))
    throw new MsgpackError(`expected a msgpack array, found byte 0x${b.toString(16)}`)
  }

  readMapHeader(): number {
    const b = this.buffer[this.need(1)]!
    if ((b & 0xf0) === 0x80) return b & 0x0f
    if (b === 0xde) return this.buffer.readUInt16BE(this.need(2))
    if (b === 0xdf) return this.buffer.readUInt32BE(this.need(4))
    throw new MsgpackError(`expected a msgpack map, found byte 0x${b.toString(16)}`)
  }

  /** Skips one complete value without building it. */
  skip(): void {
    let pending = 1
    while (pending > 0) {
      pending--
      const b = this.buffer[this.need(1)]!
      if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) continue
      if ((b & 0xf0) === 0x80) { pending += 2 * (b & 0x0f); continue }
      if ((b & 0xf0) === 0x90) { pending += b & 0x0f; continue }
      if ((b & 0xe0) === 0xa0) { this.need(b & 0x1f); continue }
      switch (b) {
        case 0xcc: case 0xd0: this.need(1); break
        case 0xcd: case 0xd1: this.need(2); break
        case 0xce: case 0xd2: case 0xca: this.need(4); break
        case 0xcf: case 0xd3: case 0xcb: this.need(8); break
        case 0xc4: case 0xd9: this.need(this.buffer[this.need(1)]!); break
        case 0xc5: case 0xda: this.need(this.buffer.readUInt16BE(this.need(2))); break
        case 0xc6: case 0xdb: this.need(this.buffer.readUInt32BE(this.need(4))); break
        case 0xd4: this.need(2); break
        case 0xd5: this.need(3); break
        case 0xd6: this.need(5); break
        case 0xd7: this.need(9); break
        case 0xd8: this.need(17); break
        case 0xc7: this.need(1 + this.buffer[this.need(1)]!); break
        case 0xc8: this.need(1 + this.buffer.readUInt16BE(this.need(2))); break
        case 0xc9: this.need(1 + this.buffer.readUInt32BE(this.need(4))); break
        case 0xdc: pending += this.buffer.readUInt16BE(this.need(2)); break
        case 0xdd: pending += this.buffer.readUInt32BE(this.need(4)); break
        case 0xde: pending += 2 * this.buffer.readUInt16BE(this.need(2)); break
        case 0xdf: pending += 2 * this.buffer.readUInt32BE(this.need(4)); break
        default: throw new MsgpackError(`invalid msgpack byte 0x${b.toString(16)}`)
      }
    }
  }

  /** Reads one value into its JS form; ordered-collection ext entries are kept as MsgpackExt. */
  value(depth = 0): Value {
    if (depth > MAX_MSGPACK_DEPTH) throw new MsgpackError(`msgpack nesting deeper than ${MAX_MSGPACK_DEPTH} levels`)
    const b = this.buffer[this.need(1)]!
    if (b <= 0x7f) return b
    if (b >= 0xe0) return b - 0x100
    if ((b & 0xf0) === 0x80) return this.mapBody(b & 0x0f, depth)
    if ((b & 0xf0) === 0x90) return this.arrayBody(b & 0x0f, depth)
    if ((b & 0xe0) === 0xa0) return this.typed(b & 0x1f)
    switch (b) {
      case 0xc0: return null
      case 0xc2: return false
      case 0xc3: return true
      case 0xcc: return this.buffer[this.need(1)]!
      case 0xcd: return this.buffer.readUInt16BE(this.need(2))
      case 0xce: return this.buffer.readUInt32BE(this.need(4))
      case 0xcf: return intFromBigInt(this.buffer.readBigUInt64BE(this.need(8)))
      case 0xd0: return this.buffer.readInt8(this.need(1))
      case 0xd1: return this.buffer.readInt16BE(this.need(2))
      case 0xd2: return this.buffer.readInt32BE(this.need(4))
      case 0xd3: return intFromBigInt(this.buffer.readBigInt64BE(this.need(8)))
      case 0xca: return new Double(this.buffer.readFloatBE(this.need(4)))
      case 0xcb: return new Double(this.buffer.readDoubleBE(this.need(8)))
      case 0xd9: return this.typed(this.buffer[this.need(1)]!)
      case 0xda: return this.typed(this.buffer.readUInt16BE(this.need(2)))
      case 0xdb: return this.typed(this.buffer.readUInt32BE(this.need(4)))
      case 0xc4: return this.typed(this.buffer[this.need(1)]!)
      case 0xc5: return this.typed(this.buffer.readUInt16BE(this.need(2)))
      case 0xc6: return this.typed(this.buffer.readUInt32BE(this.need(4)))
      case 0xdc: return this.arrayBody(this.buffer.readUInt16BE(this.need(2)), depth)
      case 0xdd: return this.arrayBody(this.buffer.readUInt32BE(this.need(4)), depth)
      case 0xde: return this.mapBody(this.buffer.readUInt16BE(this.need(2)), depth)
      case 0xdf: return this.mapBody(this.buffer.readUInt32BE(this.need(4)), depth)
      case 0xd4: return this.extBody(1)
      case 0xd5: return this.extBody(2)
      case 0xd6: return this.extBody(4)
      case 0xd7: return this.extBody(8)
      case 0xd8: return this.extBody(16)
      case 0xc7: return this.extBody(this.buffer[this.need(1)]!)
      case 0xc8: return this.extBody(this.buffer.readUInt16BE(this.need(2)))
      case 0xc9: return this.extBody(this.buffer.readUInt32BE(this.need(4)))
    }
    throw new MsgpackError(`invalid msgpack byte 0x${b.toString(16)}`)
  }

  private typed(n: number): Value {
    const at = this.need(n)
    if (n === 0) return ''
    const type = this.buffer[at]!
    const bytes = this.buffer.subarray(at + 1, at + n)
    if (type === STRING_TYPE) return bytes.toString('utf8')
    if (type === BLOB_TYPE) return Buffer.from(bytes)
    if (type === GEOJSON_TYPE) return new GeoJson(bytes.toString('utf8'))
    return new TypedBlob(type, Buffer.from(bytes))
  }

  private extBody(n: number): MsgpackExt {
    const type = this.buffer[this.need(1)]!
    const at = this.need(n)
    return new MsgpackExt(type, Buffer.from(this.buffer.subarray(at, at + n)))
  }

  private arrayBody(n: number, depth: number): Value[] {
    const out: Value[] = []
    for (let i = 0; i < n; i++) out.push(this.value(depth + 1))
    return out
  }

  private mapBody(n: number, depth: number): Map<Value, Value> {
    const out = new Map<Value, Value>()
    for (let i = 0; i < n; i++) {
      const key = this.value(depth + 1)
      out.set(key, this.value(depth + 1))
    }
    return out
  }
}

/** Unpacks exactly one value; trailing bytes are an error. */
export function unpackValue(bytes: Buffer): Value {
  const reader = new MsgpackReader(bytes)
  const value = reader.value()
  if (reader.remaining !== 0) throw new MsgpackError(`${reader.remaining} bytes after the msgpack value`)
  return value
}

/** Checks that bytes hold exactly one well-formed msgpack value. */
export function isWellFormedMsgpack(bytes: Buffer): boolean {
  try {
    const reader = new MsgpackReader(bytes)
    reader.skip()
    return reader.remaining === 0
  } catch {
    return false
  }
}
