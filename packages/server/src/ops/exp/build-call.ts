// CALL (`[CALL, result type, system, op, operand]`) and MAP_KEYS / MAP_VALUES.
// The op is packed like an operate's CDT/bit/HLL op, except that arguments which are lists are
// sub-expressions: they run first and their values take their place in the payload.
import { MsgpackReader, MsgpackWriter } from '@aerolite/protocol'
import type { Bin } from '../../record/bins.ts'
import { applyCall, isCallSystem } from './call.ts'
import type { Builder } from './compile.ts'
import { expressionError } from './cursor.ts'
import { parseGeoJson } from './geo.ts'
import { skipElement } from './msgpack-compare.ts'
import { CDT_CONTEXT_EVAL, CDT_SELECT, CallSystem, ExpOp, ExpType, type ExpTypeCode } from './opcodes.ts'
import type { Compiled } from './runtime.ts'
import { UNKNOWN, binToValue, packValue, particleTypeOf, valueToBin, type ExpResult, type ExpValue } from './value.ts'

const OPERAND_TYPES: Readonly<Record<number, readonly ExpTypeCode[]>> = {
  [CallSystem.CDT]: [ExpType.LIST, ExpType.MAP],
  [CallSystem.BITS]: [ExpType.BLOB],
  [CallSystem.HLL]: [ExpType.HLL],
}

/** The op payload: raw msgpack kept as sent, and sub-expressions evaluated per record. */
type Segment = Buffer | Compiled

export function buildCall(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 4)
  const resultType = b.cursor.uint()
  if (resultType >= BigInt(ExpType.INPUT_END)) throw expressionError(`CALL of type ${resultType}`)
  const systemCode = b.cursor.uint()
  const segments = buildOpSegments(b)
  const operand = b.next()
  const modify = (systemCode & BigInt(CallSystem.MODIFY_LOCAL)) !== 0n
  const system = Number(systemCode & ~BigInt(CallSystem.MODIFY_LOCAL) & 0xffffn)
  const systemKnown = systemCode < 0x10000n && isCallSystem(system)
  // A nil operand passes any system, and (as in Aerospike) gives the CALL a nil type.
  let type = Number(resultType) as ExpTypeCode
  if (operand.type === ExpType.NIL) type = ExpType.NIL
  else if (!systemKnown) throw expressionError(`CALL system ${systemCode}`)
  else if (!OPERAND_TYPES[system]!.includes(operand.type)) throw expressionError(`CALL operand of type ${operand.type}`)
  const expectedParticle = particleTypeOf(Number(resultType) as ExpTypeCode)
  return {
    type,
    isUnknownOp: false,
    run: (rt) => {
      if (!systemKnown) return UNKNOWN
      const payload = packSegments(segments, rt)
      if (payload === undefined) return UNKNOWN
      const operandBin = operandOf(operand.run(rt))
      if (operandBin === null) return UNKNOWN
      const result = applyCall(system, modify, payload, operandBin, rt.record)
      if (result === undefined || result.particleType !== expectedParticle) return UNKNOWN
      return resultValue(result)
    },
  }
}

/** Splits the op list into raw bytes and sub-expressions (the list arguments). */
function buildOpSegments(b: Builder): Segment[] {
  const cursor = b.cursor
  const start = cursor.at
  let count = cursor.listHeader()
  if (count === 0) throw expressionError('CALL op is empty')
  let code = cursor.uint()
  if (code === BigInt(CDT_CONTEXT_EVAL)) {
    if (count !== 3) throw expressionError('CALL context needs [ctx, op]')
    cursor.element()
    count = cursor.listHeader()
    if (count === 0) throw expressionError('CALL op is empty')
    code = cursor.uint()
  } else if (code === BigInt(CDT_SELECT)) {
    if (count < 3 || count > 4 || !cursor.isList()) throw expressionError('malformed path select')
    cursor.element()
    cursor.uint()
    if (count === 4) cursor.element()
    count = 1
  }
  const segments: Segment[] = []
  let rawStart = start
  for (let i = 1; i < count; i++) {
    if (!cursor.isList()) {
      cursor.element()
      continue
    }
    if (cursor.at > rawStart) segments.push(cursor.buf.subarray(rawStart, cursor.at))
    segments.push(b.next())
    rawStart = cursor.at
  }
  if (cursor.at > rawStart) segments.push(cursor.buf.subarray(rawStart, cursor.at))
  return segments
}

function packSegments(segments: Segment[], rt: Parameters<Compiled['run']>[0]): Buffer | undefined {
  const writer = new MsgpackWriter()
  for (const segment of segments) {
    if (Buffer.isBuffer(segment)) {
      writer.raw(segment)
      continue
    }
    const value = segment.run(rt)
    if (value.kind === 'unknown' || !packValue(writer, value)) return undefined
  }
  return writer.toBuffer()
}

/** The operand as a bin; undefined for nil (no value), null when it cannot be one. */
function operandOf(value: ExpResult): Bin | undefined | null {
  switch (value.kind) {
    case 'nil': return undefined
    case 'list':
    case 'map':
    case 'msgpack':
    case 'blob':
    case 'hll':
      return valueToBin('', value) ?? null
  }
  return null
}

function resultValue(bin: Bin): ExpResult {
  const value = binToValueSafe(bin)
  if (value === undefined) return UNKNOWN
  if (value.kind === 'geo' && parseGeoJson(value.json.toString('utf8')) === undefined) return UNKNOWN
  return value
}

function binToValueSafe(bin: Bin): ExpValue | undefined {
  try {
    return binToValue(bin.particleType, bin.value)
  } catch {
    return undefined
  }
}

/** `[MAP_KEYS, map]` / `[MAP_VALUES, map]`: the map's keys or values as a list. */
export function buildMapKeysOrValues(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const map = b.next()
  const keys = op === ExpOp.MAP_KEYS
  return {
    type: ExpType.LIST,
    isUnknownOp: false,
    run: (rt) => {
      const value = map.run(rt)
      if (value.kind !== 'map' && value.kind !== 'msgpack') return UNKNOWN
      const list = keysOrValues(value.msgpack, keys)
      return list === undefined ? UNKNOWN : { kind: 'list', msgpack: list }
    },
  }
}

function keysOrValues(map: Buffer, keys: boolean): Buffer | undefined {
  try {
    const reader = new MsgpackReader(map)
    let count = reader.readMapHeader()
    let at = reader.offset
    const first = map[at]
    // An ordered map's first entry is its header (ext key, nil value), not data.
    if (count > 0 && first !== undefined && (first === 0xc7 || first === 0xc8 || first === 0xc9 || (first >= 0xd4 && first <= 0xd8))) {
      at = skipElement(map, skipElement(map, at))
      count--
    }
    const parts: Buffer[] = []
    for (let i = 0; i < count; i++) {
      const keyEnd = skipElement(map, at)
      const valueEnd = skipElement(map, keyEnd)
      parts.push(keys ? map.subarray(at, keyEnd) : map.subarray(keyEnd, valueEnd))
      at = valueEnd
    }
    const writer = new MsgpackWriter()
    writer.arrayHeader(count)
    for (const part of parts) writer.raw(part)
    return writer.toBuffer()
  } catch {
    return undefined
  }
}
