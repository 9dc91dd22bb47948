// How Aerospike classifies a msgpack element. The numeric order is also the order values of
// different types sort in (nil < bools < ints < strings < lists < maps < blobs < doubles < ...).
import { CMP_EXT_TYPE, Kind } from '../cdt/element.ts'

// One value-order table serves lists, maps and expressions (ops/cdt/element.ts); expressions add
// ERROR for a byte that cannot start an element.
export const MsgpackType = { ERROR: 0, ...Kind } as const

export type MsgpackTypeCode = (typeof MsgpackType)[keyof typeof MsgpackType]

const CMP_WILDCARD = 0x00
const CMP_INF = 0x01

const BYTES_STRING = 3
const BYTES_GEOJSON = 23

/** Strings and blobs share the str/bin headers; the leading type byte tells them apart. */
function bytesType(typeByte: number | undefined, length: number): MsgpackTypeCode {
  if (length === 0) return MsgpackType.BYTES
  if (typeByte === BYTES_STRING) return MsgpackType.STRING
  if (typeByte === BYTES_GEOJSON) return MsgpackType.GEOJSON
  return MsgpackType.BYTES
}

/** The type of the element at `at`; ERROR when the byte cannot start an element. Reads at most the header. */
export function peekType(buf: Buffer, at: number): MsgpackTypeCode {
  const b = buf[at]
  if (b === undefined) return MsgpackType.ERROR
  if (b < 0x80) return MsgpackType.INT
  if (b >= 0xe0) return MsgpackType.NEGINT
  if ((b & 0xe0) === 0xa0) return bytesType(buf[at + 1], b & 0x1f)
  if ((b & 0xf0) === 0x80) return MsgpackType.MAP
  if ((b & 0xf0) === 0x90) return MsgpackType.LIST
  switch (b) {
    case 0xc0: return MsgpackType.NIL
    case 0xc2: return MsgpackType.FALSE
    case 0xc3: return MsgpackType.TRUE
    case 0xd0: case 0xd1: case 0xd2: case 0xd3:
      return ((buf[at + 1] ?? 0) & 0x80) === 0 ? MsgpackType.INT : MsgpackType.NEGINT
    case 0xcc: case 0xcd: case 0xce: case 0xcf: return MsgpackType.INT
    case 0xca: case 0xcb: return MsgpackType.DOUBLE
    case 0xc4: case 0xd9: return bytesType(buf[at + 2], buf[at + 1] ?? 0)
    case 0xc5: case 0xda: return bytesType(buf[at + 3], at + 3 <= buf.length ? buf.readUInt16BE(at + 1) : 0)
    case 0xc6: case 0xdb: return bytesType(buf[at + 5], at + 5 <= buf.length ? buf.readUInt32BE(at + 1) : 0)
    case 0xdc: case 0xdd: return MsgpackType.LIST
    case 0xde: case 0xdf: return MsgpackType.MAP
    case 0xd4:
      if (buf[at + 1] === CMP_EXT_TYPE) {
        if (buf[at + 2] === CMP_WILDCARD) return MsgpackType.WILDCARD
        if (buf[at + 2] === CMP_INF) return MsgpackType.INF
      }
      return MsgpackType.ERROR
    case 0xd5: case 0xd6: case 0xd7: case 0xd8: return MsgpackType.EXT
    case 0xc7:
      if (buf[at + 1] === 1 && buf[at + 2] === CMP_EXT_TYPE) {
        if (buf[at + 3] === CMP_WILDCARD) return MsgpackType.WILDCARD
        if (buf[at + 3] === CMP_INF) return MsgpackType.INF
      }
      return MsgpackType.EXT
    case 0xc8: case 0xc9: return MsgpackType.EXT
  }
  return MsgpackType.ERROR
}
