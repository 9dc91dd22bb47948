// Results of CDT ops: the return types a "by" op takes, and the values they produce as bin
// particles (what the client receives): integers, booleans, lists of indexes or ranks, lists of
// elements, maps of pairs, or one element turned into its own particle type.
import { MsgpackWriter, ParticleType, floatParticle, integerParticle } from '@aerolite/protocol'
import { Kind, readHead } from './element.ts'
import { notApplicable } from './errors.ts'
import { encodeItems, encodeMap } from './collection.ts'
import type { Run } from './selection.ts'

export interface CdtResult {
  particleType: number
  value: Buffer
}

export const ReturnType = {
  NONE: 0,
  INDEX: 1,
  REVERSE_INDEX: 2,
  RANK: 3,
  REVERSE_RANK: 4,
  COUNT: 5,
  KEY: 6,
  VALUE: 7,
  KEY_VALUE: 8,
  INDEX_RANGE: 9,
  REVERSE_INDEX_RANGE: 10,
  RANK_RANGE: 11,
  REVERSE_RANK_RANGE: 12,
  EXISTS: 13,
  UNORDERED_MAP: 16,
  ORDERED_MAP: 17,
} as const

const INVERTED_FLAG = 0x10000n
const RESULT_TYPE_MASK = 0xffffn

/** Flags of the map a KEY_VALUE, UNORDERED_MAP or ORDERED_MAP result is built as. */
const PRESERVE_ORDER_FLAG = 0x08

export interface ResultSpec {
  type: number
  inverted: boolean
  /** The op selects any number of elements (range, all-by-value) rather than one. */
  multi: boolean
}

export function resultSpec(returnType: bigint, multi: boolean): ResultSpec {
  return { type: Number(returnType & RESULT_TYPE_MASK), inverted: (returnType & INVERTED_FLAG) !== 0n, multi }
}

export function isReturnIndex(rs: ResultSpec): boolean {
  return rs.type === ReturnType.INDEX || rs.type === ReturnType.REVERSE_INDEX
}

export function isReturnRank(rs: ResultSpec): boolean {
  return rs.type === ReturnType.RANK || rs.type === ReturnType.REVERSE_RANK
}

export function isReturnIndexRange(rs: ResultSpec): boolean {
  return rs.type === ReturnType.INDEX_RANGE || rs.type === ReturnType.REVERSE_INDEX_RANGE
}

export function isReturnRankRange(rs: ResultSpec): boolean {
  return rs.type === ReturnType.RANK_RANGE || rs.type === ReturnType.REVERSE_RANK_RANGE
}

export function isReturnMap(rs: ResultSpec): boolean {
  return rs.type === ReturnType.KEY_VALUE || rs.type === ReturnType.UNORDERED_MAP || rs.type === ReturnType.ORDERED_MAP
}

export function isReturnElements(rs: ResultSpec): boolean {
  return rs.type === ReturnType.KEY || rs.type === ReturnType.VALUE || isReturnMap(rs)
}

/** Return types that only tell how many elements an op selected. */
export function isReturnTally(rs: ResultSpec): boolean {
  return rs.type === ReturnType.NONE || rs.type === ReturnType.COUNT || rs.type === ReturnType.EXISTS
}

export function isReverse(rs: ResultSpec): boolean {
  return rs.type === ReturnType.REVERSE_INDEX || rs.type === ReturnType.REVERSE_RANK
}

/** The flags of the map a map-returning result type builds. */
export function resultMapFlags(rs: ResultSpec): number {
  if (rs.type === ReturnType.KEY_VALUE) return PRESERVE_ORDER_FLAG
  if (rs.type === ReturnType.ORDERED_MAP) return 0x01
  return 0
}

export function intResult(value: number | bigint): CdtResult {
  return { particleType: ParticleType.INTEGER, value: integerParticle(value) }
}

export function boolResult(value: boolean): CdtResult {
  return { particleType: ParticleType.BOOL, value: Buffer.of(value ? 1 : 0) }
}

export function listResult(items: readonly Buffer[]): CdtResult {
  return { particleType: ParticleType.LIST, value: encodeItems(items) }
}

export function intListResult(values: readonly number[]): CdtResult {
  const w = new MsgpackWriter(8 + values.length * 2)
  w.arrayHeader(values.length)
  for (const v of values) w.int(v)
  return { particleType: ParticleType.LIST, value: w.toBuffer() }
}

export function mapResult(flags: number, keys: Buffer[], values: Buffer[]): CdtResult {
  return { particleType: ParticleType.MAP, value: encodeMap({ flags, keys, values }) }
}

/** A single element as its own particle; nil gives no result at all. */
export function elementResult(element: Buffer): CdtResult | undefined {
  const h = readHead(element, 0)
  switch (h.kind) {
    case Kind.NIL:
      return undefined
    case Kind.FALSE:
    case Kind.TRUE:
      return boolResult(h.kind === Kind.TRUE)
    case Kind.INT:
    case Kind.NEGINT:
      return intResult(BigInt.asIntN(64, BigInt(h.int)))
    case Kind.DOUBLE:
      return { particleType: ParticleType.FLOAT, value: floatParticle(h.double) }
    case Kind.STRING:
      return { particleType: ParticleType.STRING, value: Buffer.from(element.subarray(h.body + 1, h.body + h.length)) }
    case Kind.GEOJSON: {
      const json = element.subarray(h.body + 1, h.body + h.length)
      return { particleType: ParticleType.GEOJSON, value: Buffer.concat([Buffer.alloc(3), json]) }
    }
    case Kind.BYTES:
      if (h.length === 0) return { particleType: ParticleType.BLOB, value: Buffer.alloc(0) }
      return { particleType: element[h.body]!, value: Buffer.from(element.subarray(h.body + 1, h.body + h.length)) }
    case Kind.LIST:
      return { particleType: ParticleType.LIST, value: Buffer.from(element) }
    case Kind.MAP:
      return { particleType: ParticleType.MAP, value: Buffer.from(element) }
  }
  throw notApplicable('element cannot be returned')
}

/** Ascending integers start..start+count-1, mapped to their reverse position when `reverse`. */
export function intRange(start: number, count: number, total: number, reverse: boolean): number[] {
  const first = reverse ? total - start - count : start
  const out: number[] = new Array(count)
  for (let i = 0; i < count; i++) out[i] = first + i
  return out
}

/** The positions of each run in turn, mapped as intRange maps them. */
export function runPositions(runs: readonly Run[], total: number, reverse: boolean): number[] {
  return runs.flatMap((r) => intRange(r.index, r.count, total, reverse))
}

/**
 * The ascending positions no run covers (mapped as intRange maps them), as Aerospike lists the
 * complement of runs. Runs may overlap or repeat (a value named twice in a value list).
 */
export function positionsOutside(runs: readonly Run[], total: number, reverse: boolean): number[] {
  const sorted = runs.filter((r) => r.count > 0).sort((a, b) => a.index - b.index)
  let out: number[] = []
  let prev = 0
  for (const r of sorted) {
    if (r.index > prev) out = out.concat(intRange(prev, r.index - prev, total, reverse))
    prev = Math.max(prev, r.index + r.count)
  }
  return out.concat(intRange(prev, total - prev, total, reverse))
}

/** NONE, COUNT or EXISTS (the isReturnTally types) of `count` selected elements. */
export function tallyResult(rs: ResultSpec, count: number): CdtResult | undefined {
  if (rs.type === ReturnType.COUNT) return intResult(count)
  return rs.type === ReturnType.EXISTS ? boolResult(count !== 0) : undefined
}

/** What an op that selected nothing returns (Aerospike's result_data_set_not_found). */
export function notFoundResult(rs: ResultSpec, index: number): CdtResult | undefined {
  switch (rs.type) {
    case ReturnType.NONE:
      return undefined
    case ReturnType.INDEX_RANGE:
    case ReturnType.REVERSE_INDEX_RANGE:
    case ReturnType.RANK_RANGE:
    case ReturnType.REVERSE_RANK_RANGE:
      return intListResult([index, 0])
    case ReturnType.INDEX:
    case ReturnType.REVERSE_INDEX:
    case ReturnType.RANK:
    case ReturnType.REVERSE_RANK:
      return rs.multi ? intListResult([]) : intResult(-1)
    case ReturnType.COUNT:
      return intResult(0)
    case ReturnType.EXISTS:
      return boolResult(false)
    case ReturnType.KEY:
    case ReturnType.VALUE:
      return rs.multi ? intListResult([]) : undefined
    case ReturnType.KEY_VALUE:
    case ReturnType.UNORDERED_MAP:
    case ReturnType.ORDERED_MAP:
      return mapResult(resultMapFlags(rs), [], [])
  }
  throw notApplicable(`return type ${rs.type} is not supported`)
}

/**
 * Results that only depend on where a contiguous run of `count` indexes or ranks starts
 * (Aerospike's result_data_set_index_rank_count); an inverted spec describes the complement.
 */
export function indexRankCountResult(rs: ResultSpec, start: number, count: number, total: number): CdtResult | undefined {
  const reverse = isReverse(rs)
  switch (rs.type) {
    case ReturnType.NONE:
      return undefined
    case ReturnType.COUNT:
      return intResult(rs.inverted ? total - count : count)
    case ReturnType.EXISTS:
      return boolResult(rs.inverted ? count === 0 : count !== 0)
    case ReturnType.INDEX:
    case ReturnType.REVERSE_INDEX:
    case ReturnType.RANK:
    case ReturnType.REVERSE_RANK:
      if (!rs.multi) {
        if (count === 0) return intResult(-1)
        return intResult(reverse ? total - start - 1 : start)
      }
      if (rs.inverted) {
        return intListResult([...intRange(0, start, total, reverse), ...intRange(start + count, total - start - count, total, reverse)])
      }
      return intListResult(intRange(start, count, total, reverse))
  }
  throw notApplicable(`return type ${rs.type} is not supported here`)
}

/** Like indexRankCountResult, plus the [start, count] range return types (result_data_set_range). */
export function rangeResult(rs: ResultSpec, start: number, count: number, total: number): CdtResult | undefined {
  switch (rs.type) {
    case ReturnType.INDEX_RANGE:
    case ReturnType.RANK_RANGE:
    case ReturnType.REVERSE_INDEX_RANGE:
    case ReturnType.REVERSE_RANK_RANGE: {
      if (rs.inverted) throw notApplicable(`return type ${rs.type} cannot be inverted`)
      const reverse = rs.type === ReturnType.REVERSE_INDEX_RANGE || rs.type === ReturnType.REVERSE_RANK_RANGE
      return intListResult([reverse ? total - start - count : start, count])
    }
  }
  return indexRankCountResult(rs, start, count, total)
}
