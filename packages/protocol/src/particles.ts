// Particle types: how a bin value (or key) is typed and encoded in an op or KEY field.
import { MsgpackError, packValue, unpackValue } from './msgpack.ts'
import { Double, GeoJson, TypedBlob, INT64_MAX, INT64_MIN, intFromBigInt, type Value } from './values.ts'

export const ParticleType = {
  NULL: 0,
  INTEGER: 1,
  FLOAT: 2,
  STRING: 3,
  BLOB: 4,
  JAVA_BLOB: 7,
  CSHARP_BLOB: 8,
  PYTHON_BLOB: 9,
  RUBY_BLOB: 10,
  PHP_BLOB: 11,
  ERLANG_BLOB: 12,
  BOOL: 17,
  HLL: 18,
  MAP: 19,
  LIST: 20,
  GEOJSON: 23,
} as const

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(ParticleType).map(([name, id]) => [id, name]))

export function particleTypeName(type: number): string {
  return NAMES[type] ?? `UNKNOWN(${type})`
}

export function isKnownParticleType(type: number): boolean {
  return type in NAMES
}

export function isBlobType(type: number): boolean {
  return type === ParticleType.BLOB || (type >= ParticleType.JAVA_BLOB && type <= ParticleType.ERLANG_BLOB)
}

export class ParticleError extends Error {
  readonly code = 'ERR_PARTICLE'
  constructor(message: string) {
    super(message)
    this.name = 'ParticleError'
  }
}

/** An HLL particle: opaque bytes, distinguished from a blob. */
export class HllValue {
  readonly bytes: Buffer
  constructor(bytes: Buffer) {
    this.bytes = bytes
  }
}

export type ParticleValue = Value | HllValue

export interface EncodedParticle {
  type: number
  bytes: Buffer
}

/** Reads an integer particle; clients may send 1..8 big-endian bytes. */
export function readIntegerParticle(bytes: Buffer): bigint {
  if (bytes.length === 8) return bytes.readBigInt64BE(0)
  if (bytes.length === 0 || bytes.length > 8) throw new ParticleError(`integer particle of ${bytes.length} bytes (expected 1 to 8)`)
  return BigInt.asIntN(bytes.length * 8, BigInt('0x' + bytes.toString('hex')))
}

export function integerParticle(value: number | bigint): Buffer {
  const big = BigInt(value)
  if (big < INT64_MIN || big > INT64_MAX) throw new ParticleError(`integer ${big} is outside the int64 range`)
  const out = Buffer.allocUnsafe(8)
  out.writeBigInt64BE(big, 0)
  return out
}

export function floatParticle(value: number): Buffer {
  const out = Buffer.allocUnsafe(8)
  out.writeDoubleBE(value, 0)
  return out
}

/** GeoJSON particles: flags byte, u16 cell count, cells (u64 each), then the JSON text. */
export function geoJsonParticle(json: string): Buffer {
  const text = Buffer.from(json, 'utf8')
  const out = Buffer.alloc(3 + text.length)
  text.copy(out, 3)
  return out
}

export function readGeoJsonParticle(bytes: Buffer): string {
  if (bytes.length < 3) throw new ParticleError(`GeoJSON particle of ${bytes.length} bytes is shorter than its 3-byte header`)
  const cells = bytes.readUInt16BE(1)
  const textAt = 3 + cells * 8
  if (textAt > bytes.length) throw new ParticleError(`GeoJSON particle declares ${cells} cells past its end`)
  return bytes.subarray(textAt).toString('utf8')
}

export function encodeParticle(value: ParticleValue): EncodedParticle {
  if (value === null) return { type: ParticleType.NULL, bytes: Buffer.alloc(0) }
  switch (typeof value) {
    case 'boolean': return { type: ParticleType.BOOL, bytes: Buffer.of(value ? 1 : 0) }
    case 'number':
      return Number.isInteger(value) ? { type: ParticleType.INTEGER, bytes: integerParticle(value) } : { type: ParticleType.FLOAT, bytes: floatParticle(value) }
    case 'bigint': return { type: ParticleType.INTEGER, bytes: integerParticle(value) }
    case 'string': return { type: ParticleType.STRING, bytes: Buffer.from(value, 'utf8') }
  }
  if (Buffer.isBuffer(value)) return { type: ParticleType.BLOB, bytes: value }
  if (value instanceof Double) return { type: ParticleType.FLOAT, bytes: floatParticle(value.value) }
  if (value instanceof GeoJson) return { type: ParticleType.GEOJSON, bytes: geoJsonParticle(value.json) }
  if (value instanceof TypedBlob) return { type: value.subtype, bytes: value.bytes }
  if (value instanceof HllValue) return { type: ParticleType.HLL, bytes: value.bytes }
  if (Array.isArray(value)) return { type: ParticleType.LIST, bytes: packValue(value) }
  if (value instanceof Map) return { type: ParticleType.MAP, bytes: packValue(value) }
  throw new ParticleError('value has no particle encoding')
}

export function decodeParticle(type: number, bytes: Buffer): ParticleValue {
  switch (type) {
    case ParticleType.NULL: return null
    case ParticleType.INTEGER: return intFromBigInt(readIntegerParticle(bytes))
    case ParticleType.FLOAT:
      if (bytes.length !== 8) throw new ParticleError(`float particle of ${bytes.length} bytes (expected 8)`)
      return new Double(bytes.readDoubleBE(0))
    case ParticleType.STRING: return bytes.toString('utf8')
    case ParticleType.BOOL:
      if (bytes.length !== 1) throw new ParticleError(`bool particle of ${bytes.length} bytes (expected 1)`)
      return bytes[0] !== 0
    case ParticleType.HLL: return new HllValue(Buffer.from(bytes))
    case ParticleType.GEOJSON: return new GeoJson(readGeoJsonParticle(bytes))
    case ParticleType.LIST:
    case ParticleType.MAP: {
      const value = unpackValue(bytes)
      const wanted = type === ParticleType.LIST ? Array.isArray(value) : value instanceof Map
      if (!wanted) throw new MsgpackError(`${particleTypeName(type)} particle does not hold a msgpack ${type === ParticleType.LIST ? 'array' : 'map'}`)
      return value
    }
  }
  if (type === ParticleType.BLOB) return Buffer.from(bytes)
  if (isBlobType(type)) return new TypedBlob(type, Buffer.from(bytes))
  throw new ParticleError(`unknown particle type ${type}`)
}
