// Comparisons: EQ..LE on two values of one type, REGEX on a string, GEO between shapes, IN_LIST.
import { MsgpackReader } from '@aerolite/protocol'
import type { Builder } from './compile.ts'
import { expressionError } from './cursor.ts'
import { geoMatches, parseGeoJson, type GeoShape } from './geo.ts'
import { CompareResult, compareMsgpack, skipElement } from './msgpack-compare.ts'
import { ExpOp, ExpType } from './opcodes.ts'
import { compilePosixRegex } from './regex.ts'
import type { Compiled } from './runtime.ts'
import { FALSE, TRUE, UNKNOWN, boolValue, packedValue, type ExpResult, type ExpValue } from './value.ts'

export function buildCompare(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 2)
  const left = b.next()
  const right = b.next()
  if (left.type !== right.type) throw expressionError(`op ${op} compares different types ${left.type} and ${right.type}`)
  if (left.type === ExpType.GEOJSON || left.type === ExpType.HLL) throw expressionError(`op ${op} cannot compare type ${left.type}`)
  return {
    type: ExpType.BOOL,
    isUnknownOp: false,
    run: (rt) => {
      const a = left.run(rt)
      if (a.kind === 'unknown') return UNKNOWN
      const c = right.run(rt)
      if (c.kind === 'unknown') return UNKNOWN
      const order = orderOf(a, c)
      return order === undefined ? UNKNOWN : boolValue(holds(op, order))
    },
  }
}

/** -1, 0 or 1; NaN when floats do not order; undefined when Aerospike cannot order the values. */
function orderOf(a: ExpValue, b: ExpValue): number | undefined {
  switch (a.kind) {
    case 'nil': return b.kind === 'nil' ? 0 : undefined
    case 'bool': return b.kind === 'bool' ? Number(a.value) - Number(b.value) : undefined
    case 'int': return b.kind === 'int' ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : undefined
    case 'float':
      if (b.kind !== 'float') return undefined
      return a.value < b.value ? -1 : a.value > b.value ? 1 : a.value === b.value ? 0 : NaN
    case 'str':
    case 'blob':
      return b.kind === a.kind ? Buffer.compare(a.bytes, b.bytes) : undefined
    case 'list':
    case 'map':
    case 'msgpack': {
      if (b.kind !== 'list' && b.kind !== 'map' && b.kind !== 'msgpack') return undefined
      const outcome = compareMsgpack(a.msgpack, 0, b.msgpack, 0)
      if (outcome.result === CompareResult.ERROR || outcome.unorderedMap) return undefined
      return outcome.result
    }
  }
  return undefined
}

function holds(op: number, order: number): boolean {
  switch (op) {
    case ExpOp.EQ: return order === 0
    case ExpOp.NE: return order !== 0
    case ExpOp.GT: return order > 0
    case ExpOp.GE: return order >= 0
    case ExpOp.LT: return order < 0
    default: return order <= 0
  }
}

/** `[REGEX, flags, pattern, string]`: POSIX regcomp flags and pattern, matched anywhere in the string. */
export function buildRegex(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 3)
  const flags = Number(BigInt.asIntN(32, b.cursor.int()))
  const pattern = b.cursor.rawBytes()
  const subject = b.next()
  if (subject.type !== ExpType.STR) throw expressionError('REGEX needs a string')
  const regex = compilePosixRegex(pattern, flags)
  if (regex === undefined) throw expressionError('REGEX pattern does not compile')
  return {
    type: ExpType.BOOL,
    isUnknownOp: false,
    run: (rt) => {
      const value = subject.run(rt)
      if (value.kind !== 'str') return UNKNOWN
      // The server matches a C string: it ends at the first NUL.
      const end = value.bytes.indexOf(0)
      const text = (end < 0 ? value.bytes : value.bytes.subarray(0, end)).toString('latin1')
      return boolValue(regex.test(text))
    },
  }
}

export function buildGeoCompare(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 2)
  const candidate = b.next()
  if (candidate.type !== ExpType.GEOJSON) throw expressionError('GEO compare needs GeoJSON')
  const query = b.next()
  if (query.type !== ExpType.GEOJSON) throw expressionError('GEO compare needs GeoJSON')
  return {
    type: ExpType.BOOL,
    isUnknownOp: false,
    run: (rt) => {
      const a = shapeOf(candidate.run(rt))
      if (a === undefined) return UNKNOWN
      const c = shapeOf(query.run(rt))
      if (c === undefined) return UNKNOWN
      return boolValue(geoMatches(a, c))
    },
  }
}

function shapeOf(value: ExpResult): GeoShape | undefined {
  if (value.kind !== 'geo') return undefined
  return value.shape ?? parseGeoJson(value.json.toString('utf8'))
}

/** `[IN_LIST, value, list]`: is the value an element of the list. */
export function buildInList(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 2)
  const needle = b.next()
  const list = b.next()
  if (list.type !== ExpType.LIST) throw expressionError('IN_LIST needs a list')
  return {
    type: ExpType.BOOL,
    isUnknownOp: false,
    run: (rt) => {
      const value = needle.run(rt)
      if (value.kind === 'unknown') return UNKNOWN
      const haystack = list.run(rt)
      if (haystack.kind !== 'list' && haystack.kind !== 'msgpack') return UNKNOWN
      const packed = packedValue(value)
      if (packed === undefined) return UNKNOWN
      return contains(haystack.msgpack, packed)
    },
  }
}

function contains(list: Buffer, packed: Buffer): ExpResult {
  let count: number
  let at: number
  try {
    const reader = new MsgpackReader(list)
    count = reader.readArrayHeader()
    at = reader.offset
  } catch {
    return UNKNOWN
  }
  for (let i = 0; i < count; i++) {
    const outcome = compareMsgpack(packed, 0, list, at)
    if (outcome.result === CompareResult.ERROR) return UNKNOWN
    if (outcome.result === CompareResult.EQUAL) return TRUE
    try {
      at = skipElement(list, at)
    } catch {
      return UNKNOWN
    }
  }
  return FALSE
}
