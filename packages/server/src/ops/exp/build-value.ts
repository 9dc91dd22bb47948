// Literal values inside an expression: scalars in place, lists quoted (`[QUOTE, list]`), maps and
// ext markers (INF, WILDCARD) as msgpack.
import type { Builder } from './compile.ts'
import { expressionError, type ExpCursor } from './cursor.ts'
import { parseGeoJson } from './geo.ts'
import { MsgpackType } from './msgpack-type.ts'
import { ExpType, type ExpTypeCode } from './opcodes.ts'
import type { Compiled } from './runtime.ts'
import { NIL, boolValue, type ExpValue } from './value.ts'

const BYTES_BLOB = 4
const BYTES_HLL = 18

export function constant(type: ExpTypeCode, value: ExpValue): Compiled {
  return { type, isUnknownOp: false, run: () => value }
}

export function buildLiteral(cursor: ExpCursor): Compiled {
  switch (cursor.peekType()) {
    case MsgpackType.NIL:
      cursor.element()
      return constant(ExpType.NIL, NIL)
    case MsgpackType.FALSE:
    case MsgpackType.TRUE:
      return constant(ExpType.BOOL, boolValue(cursor.bool()))
    case MsgpackType.INT:
    case MsgpackType.NEGINT:
      return constant(ExpType.INT, { kind: 'int', value: cursor.int() })
    case MsgpackType.DOUBLE:
      return constant(ExpType.FLOAT, { kind: 'float', value: cursor.double() })
    case MsgpackType.STRING:
      return constant(ExpType.STR, { kind: 'str', bytes: cursor.rawBytes().subarray(1) })
    case MsgpackType.BYTES: {
      const bytes = cursor.rawBytes()
      if (bytes[0] === BYTES_BLOB) return constant(ExpType.BLOB, { kind: 'blob', bytes: bytes.subarray(1) })
      if (bytes[0] === BYTES_HLL) return constant(ExpType.HLL, { kind: 'hll', bytes: bytes.subarray(1) })
      throw expressionError(`blob literal of type ${bytes[0] ?? 'none'}`)
    }
    case MsgpackType.GEOJSON: {
      const json = cursor.rawBytes().subarray(1)
      const shape = parseGeoJson(json.toString('utf8'))
      if (shape === undefined) throw expressionError('invalid GeoJSON literal')
      return constant(ExpType.GEOJSON, { kind: 'geo', json, shape })
    }
    case MsgpackType.MAP:
      return constant(ExpType.MAP, { kind: 'map', msgpack: cursor.element() })
    case MsgpackType.ERROR:
      throw expressionError(`invalid element at byte ${cursor.at}`)
  }
  return constant(ExpType.END, { kind: 'msgpack', msgpack: cursor.element() })
}

export function buildQuote(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  if (!b.cursor.isList()) throw expressionError('QUOTE needs a list')
  return constant(ExpType.LIST, { kind: 'list', msgpack: b.cursor.element() })
}
