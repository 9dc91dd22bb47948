// Run-time values of expressions, and their conversions to and from bins and msgpack.
// Strings, blobs and HLLs keep their raw bytes; lists and maps stay msgpack, as bins hold them.
import { GeoJson, MsgpackWriter, ParticleType, TypedBlob, geoJsonParticle, readGeoJsonParticle, unpackValue } from '@aerolite/protocol'
import type { Bin } from '../../record/bins.ts'
import type { GeoShape } from './geo.ts'
import { ExpType, type ExpTypeCode } from './opcodes.ts'

export type ExpValue =
  | { readonly kind: 'nil' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly bytes: Buffer }
  | { readonly kind: 'blob'; readonly bytes: Buffer }
  | { readonly kind: 'hll'; readonly bytes: Buffer }
  /** GeoJSON text; literals carry their shape, parsed when the expression was built. */
  | { readonly kind: 'geo'; readonly json: Buffer; readonly shape?: GeoShape }
  | { readonly kind: 'list'; readonly msgpack: Buffer }
  | { readonly kind: 'map'; readonly msgpack: Buffer }
  /** Msgpack whose type only shows at run time (ext literals such as INF and WILDCARD). */
  | { readonly kind: 'msgpack'; readonly msgpack: Buffer }
  | { readonly kind: 'remove' }

/** The third truth value: a missing bin, a type mismatch or a failed call make a result unknown. */
export const UNKNOWN = { kind: 'unknown' } as const
export type Unknown = typeof UNKNOWN
export type ExpResult = ExpValue | Unknown

export const NIL: ExpValue = { kind: 'nil' }
export const TRUE: ExpValue = { kind: 'bool', value: true }
export const FALSE: ExpValue = { kind: 'bool', value: false }

export function boolValue(value: boolean): ExpValue {
  return value ? TRUE : FALSE
}

export function intValue(value: bigint): ExpValue {
  return { kind: 'int', value: BigInt.asIntN(64, value) }
}

const BYTES_STRING = 3
const BYTES_BLOB = 4
const BYTES_GEOJSON = 23
const BYTES_HLL = 18

/** The particle type a value of this result type is stored as. */
export function particleTypeOf(type: ExpTypeCode): number {
  switch (type) {
    case ExpType.NIL: return ParticleType.NULL
    case ExpType.BOOL: return ParticleType.BOOL
    case ExpType.INT: return ParticleType.INTEGER
    case ExpType.STR: return ParticleType.STRING
    case ExpType.LIST: return ParticleType.LIST
    case ExpType.MAP: return ParticleType.MAP
    case ExpType.BLOB: return ParticleType.BLOB
    case ExpType.FLOAT: return ParticleType.FLOAT
    case ExpType.GEOJSON: return ParticleType.GEOJSON
    case ExpType.HLL: return ParticleType.HLL
  }
  return -1
}

/** A bin's value; undefined for particle types no expression reads (language blobs). */
export function binToValue(particleType: number, value: Buffer): ExpValue | undefined {
  switch (particleType) {
    case ParticleType.NULL: return NIL
    case ParticleType.INTEGER: return { kind: 'int', value: value.length === 8 ? value.readBigInt64BE(0) : 0n }
    case ParticleType.FLOAT: return { kind: 'float', value: value.length === 8 ? value.readDoubleBE(0) : 0 }
    case ParticleType.BOOL: return boolValue(value[0] === 1)
    case ParticleType.STRING: return { kind: 'str', bytes: value }
    case ParticleType.BLOB: return { kind: 'blob', bytes: value }
    case ParticleType.HLL: return { kind: 'hll', bytes: value }
    case ParticleType.LIST: return { kind: 'list', msgpack: value }
    case ParticleType.MAP: return { kind: 'map', msgpack: value }
    case ParticleType.GEOJSON: return { kind: 'geo', json: Buffer.from(readGeoJsonParticle(value), 'utf8') }
  }
  return undefined
}

/** A value as a bin particle; undefined when it cannot be stored (INF, WILDCARD, REMOVE_RESULT). */
export function valueToBin(name: string, value: ExpValue): Bin | undefined {
  switch (value.kind) {
    case 'nil': return { name, particleType: ParticleType.NULL, value: Buffer.alloc(0) }
    case 'bool': return { name, particleType: ParticleType.BOOL, value: Buffer.of(value.value ? 1 : 0) }
    case 'int': {
      const bytes = Buffer.allocUnsafe(8)
      bytes.writeBigInt64BE(value.value, 0)
      return { name, particleType: ParticleType.INTEGER, value: bytes }
    }
    case 'float': {
      const bytes = Buffer.allocUnsafe(8)
      bytes.writeDoubleBE(value.value, 0)
      return { name, particleType: ParticleType.FLOAT, value: bytes }
    }
    case 'str': return { name, particleType: ParticleType.STRING, value: value.bytes }
    case 'blob': return { name, particleType: ParticleType.BLOB, value: value.bytes }
    case 'hll': return { name, particleType: ParticleType.HLL, value: value.bytes }
    case 'geo': return { name, particleType: ParticleType.GEOJSON, value: geoJsonParticle(value.json.toString('utf8')) }
    case 'list': return { name, particleType: ParticleType.LIST, value: value.msgpack }
    case 'map': return { name, particleType: ParticleType.MAP, value: value.msgpack }
    case 'msgpack': return msgpackBin(name, value.msgpack)
    case 'remove': return undefined
  }
}

/** Msgpack of unknown type becomes a bin only when it is a list or a map. */
function msgpackBin(name: string, msgpack: Buffer): Bin | undefined {
  const first = msgpack[0]
  if (first === undefined) return undefined
  if ((first & 0xf0) === 0x90 || first === 0xdc || first === 0xdd) return { name, particleType: ParticleType.LIST, value: msgpack }
  if ((first & 0xf0) === 0x80 || first === 0xde || first === 0xdf) return { name, particleType: ParticleType.MAP, value: msgpack }
  return undefined
}

/** Appends a value in the msgpack form CDT, bit and HLL op arguments use. */
export function packValue(writer: MsgpackWriter, value: ExpValue): boolean {
  switch (value.kind) {
    case 'nil': writer.nil(); return true
    case 'bool': writer.bool(value.value); return true
    case 'int': writer.int(value.value); return true
    case 'float': writer.double(value.value); return true
    case 'str': writer.typedBytes(BYTES_STRING, value.bytes); return true
    case 'blob': writer.typedBytes(BYTES_BLOB, value.bytes); return true
    case 'hll': writer.typedBytes(BYTES_HLL, value.bytes); return true
    case 'geo': writer.typedBytes(BYTES_GEOJSON, value.json); return true
    case 'list':
    case 'map':
    case 'msgpack': writer.raw(value.msgpack); return true
    case 'remove': return false
  }
}

export function packedValue(value: ExpValue): Buffer | undefined {
  const writer = new MsgpackWriter()
  return packValue(writer, value) ? writer.toBuffer() : undefined
}

/** A msgpack element as a value, as path operations hand elements to LOOPVAR; UNKNOWN when it has no expression type. */
export function valueFromMsgpack(element: Buffer): ExpResult {
  const first = element[0]
  if (first === undefined) return UNKNOWN
  if (first === 0xc0) return NIL
  if (first === 0xc2 || first === 0xc3) return boolValue(first === 0xc3)
  if (first === 0xca) return element.length >= 5 ? { kind: 'float', value: element.readFloatBE(1) } : UNKNOWN
  if (first === 0xcb) return element.length >= 9 ? { kind: 'float', value: element.readDoubleBE(1) } : UNKNOWN
  const list = msgpackBin('', element)
  if (list !== undefined) return list.particleType === ParticleType.LIST ? { kind: 'list', msgpack: element } : { kind: 'map', msgpack: element }
  try {
    const value = unpackValue(element)
    if (typeof value === 'number' || typeof value === 'bigint') return intValue(BigInt(value))
    if (typeof value === 'string') return { kind: 'str', bytes: Buffer.from(value, 'utf8') }
    if (Buffer.isBuffer(value)) return { kind: 'blob', bytes: value }
    if (value instanceof GeoJson) return { kind: 'geo', json: Buffer.from(value.json, 'utf8') }
    if (value instanceof TypedBlob && value.subtype === BYTES_HLL) return { kind: 'hll', bytes: value.bytes }
  } catch {
    return UNKNOWN
  }
  return UNKNOWN
}
