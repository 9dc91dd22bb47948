// Aerospike's ordering of msgpack values, compared byte by byte without decoding: by type first
// (see MsgpackType), then ints and doubles by value, strings and blobs by bytes then length,
// lists element by element then by length, maps by size then entry by entry in stored order.
// A WILDCARD on either side makes the whole comparison equal. Ordered-collection headers are skipped.
import { MsgpackReader } from '@aerolite/protocol'
import { CMP_EXT_TYPE, MsgpackType, bytesType, type MsgpackTypeCode } from './msgpack-type.ts'

export const CompareResult = { LESS: -1, EQUAL: 0, GREATER: 1, ERROR: 2 } as const
export type CompareResultCode = (typeof CompareResult)[keyof typeof CompareResult]

/** Deeper values compare as ERROR rather than exhausting the stack. */
const MAX_COMPARE_DEPTH = 512
const MAP_FLAG_K_ORDERED = 0x01
/** Internal: a wildcard ended the comparison. */
const WILDCARD_HIT = 3

export interface CompareOutcome {
  result: CompareResultCode
  /** A map without key order took part: Aerospike refuses to order such values. */
  unorderedMap: boolean
}

interface Cursor {
  buf: Buffer
  at: number
  unorderedMap: boolean
}

interface Element {
  type: MsgpackTypeCode
  int: bigint
  double: number
  dataAt: number
  dataLength: number
  /** Elements inside a list or map (2 per map entry), not counting an ordered-collection header. */
  count: number
}

export function compareMsgpack(a: Buffer, aAt: number, b: Buffer, bAt: number): CompareOutcome {
  const ca: Cursor = { buf: a, at: aAt, unorderedMap: false }
  const cb: Cursor = { buf: b, at: bAt, unorderedMap: false }
  let result: number
  try {
    result = compareElement(ca, cb, 0)
  } catch {
    result = CompareResult.ERROR
  }
  if (result === WILDCARD_HIT) result = CompareResult.EQUAL
  return { result: result as CompareResultCode, unorderedMap: ca.unorderedMap || cb.unorderedMap }
}

/** Advances a cursor past one element and returns the end offset; throws on malformed bytes. */
export function skipElement(buf: Buffer, at: number): number {
  const reader = new MsgpackReader(buf, at)
  reader.skip()
  return reader.offset
}

function compareElement(a: Cursor, b: Cursor, depth: number): number {
  if (depth > MAX_COMPARE_DEPTH) return CompareResult.ERROR
  const ea = parse(a)
  const eb = parse(b)
  if (ea.type === MsgpackType.ERROR || eb.type === MsgpackType.ERROR) return CompareResult.ERROR
  if (ea.type === MsgpackType.WILDCARD || eb.type === MsgpackType.WILDCARD) return WILDCARD_HIT
  if (ea.type !== eb.type) return ea.type < eb.type ? CompareResult.LESS : CompareResult.GREATER
  switch (ea.type) {
    case MsgpackType.NEGINT:
    case MsgpackType.INT:
      return order(ea.int, eb.int)
    case MsgpackType.DOUBLE:
      return order(ea.double, eb.double)
    case MsgpackType.STRING:
    case MsgpackType.BYTES:
    case MsgpackType.GEOJSON:
    case MsgpackType.EXT: {
      const n = Math.min(ea.dataLength, eb.dataLength)
      const bytes = a.buf.compare(b.buf, eb.dataAt, eb.dataAt + n, ea.dataAt, ea.dataAt + n)
      if (bytes !== 0) return bytes < 0 ? CompareResult.LESS : CompareResult.GREATER
      return order(ea.dataLength, eb.dataLength)
    }
    case MsgpackType.LIST: {
      const n = Math.min(ea.count, eb.count)
      for (let i = 0; i < n; i++) {
        const r = compareElement(a, b, depth + 1)
        if (r !== CompareResult.EQUAL) return r
      }
      return order(ea.count, eb.count)
    }
    case MsgpackType.MAP: {
      if (ea.count !== eb.count) return order(ea.count, eb.count)
      for (let i = 0; i < ea.count; i++) {
        const r = compareElement(a, b, depth + 1)
        if (r !== CompareResult.EQUAL) return r
      }
      return CompareResult.EQUAL
    }
  }
  return CompareResult.EQUAL
}

function order(x: number | bigint, y: number | bigint): number {
  if (x < y) return CompareResult.LESS
  if (x > y) return CompareResult.GREATER
  return CompareResult.EQUAL
}

function element(type: MsgpackTypeCode): Element {
  return { type, int: 0n, double: 0, dataAt: 0, dataLength: 0, count: 0 }
}

function need(c: Cursor, n: number): number {
  const at = c.at
  if (at + n > c.buf.length) throw new RangeError('msgpack truncated')
  c.at += n
  return at
}

/** Reads one element's header (and a scalar's value), leaving the cursor at its contents. */
function parse(c: Cursor): Element {
  const buf = c.buf
  const b = buf[need(c, 1)]!
  if (b < 0x80) return { ...element(MsgpackType.INT), int: BigInt(b) }
  if (b >= 0xe0) return { ...element(MsgpackType.NEGINT), int: BigInt(b - 0x100) }
  if ((b & 0xe0) === 0xa0) return bytes(c, b & 0x1f)
  if ((b & 0xf0) === 0x80) return container(c, MsgpackType.MAP, 2 * (b & 0x0f))
  if ((b & 0xf0) === 0x90) return container(c, MsgpackType.LIST, b & 0x0f)
  switch (b) {
    case 0xc0: return element(MsgpackType.NIL)
    case 0xc2: return element(MsgpackType.FALSE)
    case 0xc3: return element(MsgpackType.TRUE)
    case 0xcc: return { ...element(MsgpackType.INT), int: BigInt(buf[need(c, 1)]!) }
    case 0xcd: return { ...element(MsgpackType.INT), int: BigInt(buf.readUInt16BE(need(c, 2))) }
    case 0xce: return { ...element(MsgpackType.INT), int: BigInt(buf.readUInt32BE(need(c, 4))) }
    case 0xcf: return { ...element(MsgpackType.INT), int: buf.readBigUInt64BE(need(c, 8)) }
    case 0xd0: return signed(BigInt(buf.readInt8(need(c, 1))))
    case 0xd1: return signed(BigInt(buf.readInt16BE(need(c, 2))))
    case 0xd2: return signed(BigInt(buf.readInt32BE(need(c, 4))))
    case 0xd3: return signed(buf.readBigInt64BE(need(c, 8)))
    case 0xca: return { ...element(MsgpackType.DOUBLE), double: buf.readFloatBE(need(c, 4)) }
    case 0xcb: return { ...element(MsgpackType.DOUBLE), double: buf.readDoubleBE(need(c, 8)) }
    case 0xc4: case 0xd9: return bytes(c, buf[need(c, 1)]!)
    case 0xc5: case 0xda: return bytes(c, buf.readUInt16BE(need(c, 2)))
    case 0xc6: case 0xdb: return bytes(c, buf.readUInt32BE(need(c, 4)))
    case 0xdc: return container(c, MsgpackType.LIST, buf.readUInt16BE(need(c, 2)))
    case 0xdd: return container(c, MsgpackType.LIST, buf.readUInt32BE(need(c, 4)))
    case 0xde: return container(c, MsgpackType.MAP, 2 * buf.readUInt16BE(need(c, 2)))
    case 0xdf: return container(c, MsgpackType.MAP, 2 * buf.readUInt32BE(need(c, 4)))
    case 0xd4: return ext(c, 1)
    case 0xd5: return ext(c, 2)
    case 0xd6: return ext(c, 4)
    case 0xd7: return ext(c, 8)
    case 0xd8: return ext(c, 16)
    case 0xc7: return ext(c, buf[need(c, 1)]!)
    case 0xc8: return ext(c, buf.readUInt16BE(need(c, 2)))
    case 0xc9: return ext(c, buf.readUInt32BE(need(c, 4)))
  }
  return element(MsgpackType.ERROR)
}

function signed(value: bigint): Element {
  return { ...element(value < 0n ? MsgpackType.NEGINT : MsgpackType.INT), int: value }
}

function bytes(c: Cursor, length: number): Element {
  const at = need(c, length)
  return { ...element(bytesType(c.buf[at], length)), dataAt: at, dataLength: length }
}

function ext(c: Cursor, length: number): Element {
  const type = c.buf[need(c, 1)]!
  const at = need(c, length)
  if (type === CMP_EXT_TYPE && length === 1) {
    if (c.buf[at] === 0) return element(MsgpackType.WILDCARD)
    if (c.buf[at] === 1) return element(MsgpackType.INF)
  }
  return { ...element(MsgpackType.EXT), dataAt: at, dataLength: length }
}

/** Skips an ordered-collection header ext (and a map header's nil value) and notes maps without key order. */
function container(c: Cursor, type: MsgpackTypeCode, count: number): Element {
  if (count === 0) return { ...element(type), count }
  const first = c.buf[c.at]
  const extTypeAt = first === 0xc7 ? c.at + 2 : first === 0xc8 ? c.at + 3 : first === 0xc9 ? c.at + 5 : first !== undefined && first >= 0xd4 && first <= 0xd8 ? c.at + 1 : -1
  if (extTypeAt < 0) {
    if (type === MsgpackType.MAP) c.unorderedMap = true
    return { ...element(type), count }
  }
  const extType = c.buf[extTypeAt]
  if (extType === undefined) throw new RangeError('msgpack truncated')
  if (type === MsgpackType.MAP && (extType & MAP_FLAG_K_ORDERED) === 0) c.unorderedMap = true
  if (extType === CMP_EXT_TYPE) return { ...element(type), count }
  const headerElements = type === MsgpackType.MAP ? 2 : 1
  for (let i = 0; i < headerElements; i++) c.at = skipElement(c.buf, c.at)
  return { ...element(type), count: count - headerElements }
}
