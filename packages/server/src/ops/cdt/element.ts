// Reads msgpack elements in place, as Aerospike's CDT code sees them: each element has a kind in
// Aerospike's value order, strings and blobs are told apart by their leading particle type byte,
// and an ext whose type is 0xff is a wildcard or infinity rather than a stored value.
import { parameterError } from './errors.ts'

/** Element kinds, numbered in Aerospike's value order (NIL lowest, INF highest). */
export const Kind = {
  NIL: 1,
  FALSE: 2,
  TRUE: 3,
  NEGINT: 4,
  INT: 5,
  STRING: 6,
  LIST: 7,
  MAP: 8,
  BYTES: 9,
  DOUBLE: 10,
  GEOJSON: 11,
  EXT: 12,
  WILDCARD: 13,
  INF: 14,
} as const

/** Ext type of wildcard and infinity values (and never of collection flags). */
export const CMP_EXT_TYPE = 0xff
const STRING_PARTICLE = 3
const GEOJSON_PARTICLE = 23

export interface Head {
  kind: number
  /** Offset just past the header: first child of a container, first data byte of a str/bin/ext. */
  body: number
  /** Children of a list, pairs of a map (a leading flags ext entry included). */
  count: number
  /** Integer value (number when exact, bigint past 2^53). */
  int: number | bigint
  /** Double value. */
  double: number
  /** Data length of a str, bin or ext (for str/bin the particle type byte included). */
  length: number
  /** Ext type of an ext element. */
  extType: number
}

function truncated(at: number): never {
  throw parameterError(`msgpack element truncated at byte ${at}`)
}

function need(buf: Buffer, at: number, n: number): void {
  if (at + n > buf.length) truncated(at)
}

function head(kind: number, body: number): Head {
  return { kind, body, count: 0, int: 0, double: 0, length: 0, extType: 0 }
}

function bytesKind(buf: Buffer, body: number, length: number): number {
  if (length === 0) return Kind.BYTES
  const type = buf[body]!
  if (type === STRING_PARTICLE) return Kind.STRING
  if (type === GEOJSON_PARTICLE) return Kind.GEOJSON
  return Kind.BYTES
}

function bytesHead(buf: Buffer, at: number, lengthBytes: number): Head {
  need(buf, at, lengthBytes)
  const length = lengthBytes === 1 ? buf[at]! : lengthBytes === 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at)
  const body = at + lengthBytes
  need(buf, body, length)
  const h = head(bytesKind(buf, body, length), body)
  h.length = length
  return h
}

function extHead(buf: Buffer, at: number, length: number): Head {
  need(buf, at, 1 + length)
  const type = buf[at]!
  const body = at + 1
  let kind: number = Kind.EXT
  if (type === CMP_EXT_TYPE && length === 1) {
    if (buf[body] === 0) kind = Kind.WILDCARD
    else if (buf[body] === 1) kind = Kind.INF
  }
  const h = head(kind, body)
  h.length = length
  h.extType = type
  return h
}

function intHead(value: number | bigint, body: number): Head {
  const h = head(value < 0 ? Kind.NEGINT : Kind.INT, body)
  h.int = value
  return h
}

function exact(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
}

function containerHead(kind: number, count: number, body: number): Head {
  const h = head(kind, body)
  h.count = count
  return h
}

/** The header of the element at `at`. Throws PARAMETER_ERROR on truncated or invalid msgpack. */
export function readHead(buf: Buffer, at: number): Head {
  if (at >= buf.length) truncated(at)
  const b = buf[at]!
  const p = at + 1
  if (b <= 0x7f) return intHead(b, p)
  if (b >= 0xe0) return intHead(b - 0x100, p)
  if ((b & 0xf0) === 0x80) return containerHead(Kind.MAP, b & 0x0f, p)
  if ((b & 0xf0) === 0x90) return containerHead(Kind.LIST, b & 0x0f, p)
  if ((b & 0xe0) === 0xa0) {
    const length = b & 0x1f
    need(buf, p, length)
    const h = head(bytesKind(buf, p, length), p)
    h.length = length
    return h
  }
  switch (b) {
    case 0xc0: return head(Kind.NIL, p)
    case 0xc2: return head(Kind.FALSE, p)
    case 0xc3: return head(Kind.TRUE, p)
    case 0xcc: need(buf, p, 1); return intHead(buf[p]!, p + 1)
    case 0xcd: need(buf, p, 2); return intHead(buf.readUInt16BE(p), p + 2)
    case 0xce: need(buf, p, 4); return intHead(buf.readUInt32BE(p), p + 4)
    case 0xcf: need(buf, p, 8); return intHead(exact(buf.readBigUInt64BE(p)), p + 8)
    case 0xd0: need(buf, p, 1); return intHead(buf.readInt8(p), p + 1)
    case 0xd1: need(buf, p, 2); return intHead(buf.readInt16BE(p), p + 2)
    case 0xd2: need(buf, p, 4); return intHead(buf.readInt32BE(p), p + 4)
    case 0xd3: need(buf, p, 8); return intHead(exact(buf.readBigInt64BE(p)), p + 8)
    case 0xca: { need(buf, p, 4); const h = head(Kind.DOUBLE, p + 4); h.double = buf.readFloatBE(p); return h }
    case 0xcb: { need(buf, p, 8); const h = head(Kind.DOUBLE, p + 8); h.double = buf.readDoubleBE(p); return h }
    case 0xc4: case 0xd9: return bytesHead(buf, p, 1)
    case 0xc5: case 0xda: return bytesHead(buf, p, 2)
    case 0xc6: case 0xdb: return bytesHead(buf, p, 4)
    case 0xdc: need(buf, p, 2); return containerHead(Kind.LIST, buf.readUInt16BE(p), p + 2)
    case 0xdd: need(buf, p, 4); return containerHead(Kind.LIST, buf.readUInt32BE(p), p + 4)
    case 0xde: need(buf, p, 2); return containerHead(Kind.MAP, buf.readUInt16BE(p), p + 2)
    case 0xdf: need(buf, p, 4); return containerHead(Kind.MAP, buf.readUInt32BE(p), p + 4)
    case 0xd4: return extHead(buf, p, 1)
    case 0xd5: return extHead(buf, p, 2)
    case 0xd6: return extHead(buf, p, 4)
    case 0xd7: return extHead(buf, p, 8)
    case 0xd8: return extHead(buf, p, 16)
    case 0xc7: need(buf, p, 1); return extHead(buf, p + 1, buf[p]!)
    case 0xc8: need(buf, p, 2); return extHead(buf, p + 2, buf.readUInt16BE(p))
    case 0xc9: need(buf, p, 4); return extHead(buf, p + 4, buf.readUInt32BE(p))
  }
  throw parameterError(`invalid msgpack byte 0x${b.toString(16)} at ${at}`)
}

function isExtMarker(b: number): boolean {
  return b === 0xc7 || b === 0xc8 || b === 0xc9 || (b >= 0xd4 && b <= 0xd8)
}

/**
 * True when a container's first element is its flags entry: an ext that is not a wildcard or
 * infinity. `at` is the container's first child.
 */
export function hasFlagsEntry(buf: Buffer, count: number, at: number): boolean {
  if (count === 0 || at >= buf.length || !isExtMarker(buf[at]!)) return false
  return readHead(buf, at).extType !== CMP_EXT_TYPE
}

/** Where a container's elements start and how many there are, its flags entry (if any) skipped. */
export interface Elements {
  /** Ext type of the flags entry; 0 without one. */
  flags: number
  at: number
  count: number
}

/**
 * The elements of a list (`pairs` false) or map whose first child is at `body` and whose header
 * counts `count` children or pairs; a map's flags entry is a key and a value.
 */
export function containerElements(buf: Buffer, body: number, count: number, pairs: boolean): Elements {
  if (!hasFlagsEntry(buf, count, body)) return { flags: 0, at: body, count }
  const flags = readHead(buf, body).extType
  const afterKey = elementEnd(buf, body)
  return { flags, at: pairs ? elementEnd(buf, afterKey) : afterKey, count: count - 1 }
}

/** Offset just past the element at `at`. */
export function elementEnd(buf: Buffer, at: number): number {
  let pending = 1
  let offset = at
  // Every element takes at least one byte, so a lying count runs into the end and fails there.
  while (pending > 0) {
    pending--
    const h = readHead(buf, offset)
    if (h.kind === Kind.LIST || h.kind === Kind.MAP) {
      pending += h.kind === Kind.MAP ? 2 * h.count : h.count
      offset = h.body
    } else {
      offset = h.body + h.length
    }
  }
  return offset
}
