// Every map op, on a map held as parallel arrays of its keys' and values' stored bytes, always in
// key order (Aerospike keeps unordered maps key-sorted too; the order flags only decide the header
// and which results come back sorted). Selection rules, result shapes and error codes follow
// Aerospike Server's (particle_map.c).
import { canonicalValue, isMapKey, MAP_FLAGS_MASK } from './canonical.ts'
import { decodeList, decodeMap, type MapValue } from './collection.ts'
import { Kind, readHead } from './element.ts'
import { elementExists, elementNotFound, notApplicable, parameterError } from './errors.ts'
import { addDelta, readDelta } from './increment.ts'
import { MapOp } from './op-codes.ts'
import { readInt64, readUint64, uintArg, type CdtOp } from './payload.ts'
import {
  ReturnType, elementResult, indexRankCountResult, intListResult, intRange, intResult, isReturnElements,
  isReturnIndex, isReturnIndexRange, isReturnMap, isReturnRank, isReturnRankRange, isReturnTally, isReverse, listResult,
  mapResult, notFoundResult, positionsOutside, rangeResult, resultMapFlags, resultSpec, runPositions, tallyResult,
  type CdtResult, type ResultSpec,
} from './result.ts'
import { TO_END, countLess, foldInverted, lowerBound, maskIndexes, relativeRun, selectRun, valueOrder, type Run } from './selection.ts'
import { compareElements } from './order.ts'

export interface MapOutcome {
  /** The new map, when the op changed (or created) it. */
  map?: MapValue
  result?: CdtResult
}

const WriteFlag = { CREATE_ONLY: 1n, UPDATE_ONLY: 2n, NO_FAIL: 4n, PARTIAL: 8n } as const
const VALID_MAP_FLAGS = 0x13n

interface Ctx {
  map: MapValue
  modify: boolean
}

interface AddControl {
  overwrite: boolean
  create: boolean
  noFail: boolean
  partial: boolean
}

function writeControl(flags: bigint): AddControl {
  return {
    overwrite: (flags & WriteFlag.CREATE_ONLY) === 0n,
    create: (flags & WriteFlag.UPDATE_ONLY) === 0n,
    noFail: (flags & WriteFlag.NO_FAIL) !== 0n,
    partial: (flags & WriteFlag.PARTIAL) !== 0n,
  }
}

const PUT_ANY: AddControl = { overwrite: true, create: true, noFail: false, partial: false }

/** Order flags as a create argument gives them (invalid flags create an unordered map). */
function createFlags(arg: Buffer | undefined): number {
  if (arg === undefined) return 0
  const flags = readUint64(arg) & 0xffn
  return (flags & ~VALID_MAP_FLAGS) !== 0n ? 0 : Number(flags) & MAP_FLAGS_MASK
}

function findKey(map: MapValue, key: Buffer): { index: number; found: boolean } {
  const index = lowerBound(map.keys, key)
  return { index, found: index < map.keys.length && compareElements(map.keys[index]!, key) === 0 }
}

function keep(map: MapValue, mask: readonly boolean[]): MapValue {
  const keys: Buffer[] = []
  const values: Buffer[] = []
  for (let i = 0; i < map.keys.length; i++) {
    if (mask[i]) continue
    keys.push(map.keys[i]!)
    values.push(map.values[i]!)
  }
  return { flags: map.flags, keys, values }
}

// ---- writing ---------------------------------------------------------------------------------

function putOne(c: Ctx, created: boolean, keyArg: Buffer, valueArg: Buffer, control: AddControl, withResult: boolean): MapOutcome {
  if (!isMapKey(keyArg)) throw parameterError('map key is not an integer, string or blob')
  const key = canonicalValue(keyArg)
  const value = canonicalValue(valueArg)
  const { map } = c
  const n = map.keys.length
  const unchanged = (): MapOutcome => ({ map: created ? map : undefined, result: withResult ? intResult(n) : undefined })
  const at = findKey(map, key)
  if (at.found && !control.overwrite) {
    if (control.noFail) return unchanged()
    throw elementExists('map key exists')
  }
  if (!at.found && !control.create) {
    if (control.noFail) return unchanged()
    throw elementNotFound('map key not found')
  }
  const keys = [...map.keys]
  const values = [...map.values]
  if (at.found) values[at.index] = value
  else {
    keys.splice(at.index, 0, key)
    values.splice(at.index, 0, value)
  }
  return { map: { flags: map.flags, keys, values }, result: withResult ? intResult(keys.length) : undefined }
}

function putItems(c: Ctx, created: boolean, itemsArg: Buffer, control: AddControl): MapOutcome {
  const items = canonicalValue(itemsArg)
  if (readHead(items, 0).kind !== Kind.MAP) throw parameterError('put items needs a map')
  const adding = decodeMap(items)
  const { map } = c
  const n = map.keys.length
  const unchanged = (): MapOutcome => ({ map: created ? map : undefined, result: intResult(n) })
  if (adding.keys.length === 0) return unchanged()
  if (n === 0 && !control.create) {
    if (!control.noFail) throw elementNotFound('map keys not found')
    if (!control.partial) return unchanged()
  }
  const keys = [...map.keys]
  const values = [...map.values]
  for (let i = 0; i < adding.keys.length; i++) {
    const key = adding.keys[i]!
    const at = findKey(map, key)
    if (n !== 0 && at.found && !control.overwrite) {
      if (!control.noFail) throw elementExists('map key exists')
      if (!control.partial) return unchanged()
      continue
    }
    if (n !== 0 && !at.found && !control.create) {
      if (!control.noFail) throw elementNotFound('map key not found')
      if (!control.partial) return unchanged()
      continue
    }
    const now = findKey({ flags: 0, keys, values }, key)
    if (now.found) values[now.index] = adding.values[i]!
    else {
      keys.splice(now.index, 0, key)
      values.splice(now.index, 0, adding.values[i]!)
    }
  }
  return { map: { flags: map.flags, keys, values }, result: intResult(keys.length) }
}

function incrementKey(c: Ctx, created: boolean, op: CdtOp, negate: boolean): MapOutcome {
  const keyArg = op.args[0]!
  const delta = readDelta(op.args[1], negate)
  const at = isMapKey(keyArg) ? findKey(c.map, canonicalValue(keyArg)) : { index: 0, found: false }
  const next = addDelta(delta, at.found ? c.map.values[at.index] : undefined)
  const outcome = putOne(c, created, keyArg, next.element, PUT_ANY, false)
  return { map: outcome.map, result: next.result }
}

function setFlags(c: Ctx, created: boolean, arg: Buffer): MapOutcome {
  const flags = readUint64(arg) & 0xffn
  if ((flags & ~VALID_MAP_FLAGS) !== 0n) throw notApplicable(`invalid map flags 0x${flags.toString(16)}`)
  const next = Number(flags) & MAP_FLAGS_MASK
  if (next === c.map.flags && !created) return {}
  return { map: { flags: next, keys: c.map.keys, values: c.map.values } }
}

// ---- selecting -------------------------------------------------------------------------------

/** Each element's place in value order (ties broken by key order), as multi rank results give it. */
function denseRanks(map: MapValue): number[] {
  const ranks = new Array<number>(map.values.length)
  valueOrder(map.values).forEach((index, rank) => {
    ranks[index] = rank
  })
  return ranks
}

function rankResultFor(c: Ctx, rs: ResultSpec, indexes: readonly number[]): CdtResult {
  const n = c.map.keys.length
  const reverse = isReverse(rs)
  if (!rs.multi) {
    const rank = countLess(c.map.values, c.map.values[indexes[0]!]!)
    return intResult(reverse ? n - rank - 1 : rank)
  }
  const ranks = denseRanks(c.map)
  return intListResult(indexes.map((i) => (reverse ? n - ranks[i]! - 1 : ranks[i]!)))
}

function indexResultFor(c: Ctx, rs: ResultSpec, indexes: readonly number[]): CdtResult {
  const n = c.map.keys.length
  const reverse = isReverse(rs)
  const mapped = indexes.map((i) => (reverse ? n - i - 1 : i))
  return rs.multi ? intListResult(mapped) : intResult(mapped[0]!)
}

/** Keys, values or pairs of the chosen entries, in the order given. */
function elementsFor(c: Ctx, rs: ResultSpec, indexes: readonly number[]): CdtResult | undefined {
  const { keys, values } = c.map
  if (isReturnMap(rs)) {
    // Only the ORDERED_MAP result is sorted by key; the others keep the selection's order.
    const order = rs.type === ReturnType.ORDERED_MAP ? [...indexes].sort((a, b) => a - b) : indexes
    return mapResult(resultMapFlags(rs), order.map((i) => keys[i]!), order.map((i) => values[i]!))
  }
  const source = rs.type === ReturnType.KEY ? keys : values
  if (rs.multi) return listResult(indexes.map((i) => source[i]!))
  return indexes.length === 0 ? undefined : elementResult(source[indexes[0]!]!)
}

function maskOf(n: number, indexes: readonly number[], inverted: boolean): boolean[] {
  const mask = new Array<boolean>(n).fill(inverted)
  for (const i of indexes) mask[i] = !inverted
  return mask
}

function removed(c: Ctx, mask: readonly boolean[]): MapValue | undefined {
  return c.modify ? keep(c.map, mask) : undefined
}

function keyNotFound(rs: ResultSpec, index: number): CdtResult | undefined {
  if (isReturnRankRange(rs)) throw notApplicable(`return type ${rs.type} is not supported here`)
  return notFoundResult(rs, index)
}

function valueNotFound(rs: ResultSpec, rank: number): CdtResult | undefined {
  if (isReturnIndexRange(rs)) throw notApplicable(`return type ${rs.type} is not supported here`)
  return notFoundResult(rs, rank)
}

function removeAll(c: Ctx, rs: ResultSpec): MapOutcome {
  const n = c.map.keys.length
  const map = c.modify ? { flags: c.map.flags, keys: [], values: [] } : undefined
  const all = intRange(0, n, n, false)
  switch (rs.type) {
    case ReturnType.NONE:
      return { map }
    case ReturnType.INDEX:
    case ReturnType.REVERSE_INDEX:
    case ReturnType.RANK:
    case ReturnType.REVERSE_RANK:
      return { map, result: rs.multi ? intListResult(intRange(0, n, n, isReverse(rs))) : intResult(0) }
    case ReturnType.COUNT:
      return { map, result: intResult(n) }
    case ReturnType.EXISTS:
      return { map, result: indexRankCountResult({ ...rs, inverted: false }, 0, n, n) }
    case ReturnType.INDEX_RANGE:
    case ReturnType.REVERSE_INDEX_RANGE:
    case ReturnType.RANK_RANGE:
    case ReturnType.REVERSE_RANK_RANGE:
      return { map, result: intListResult([0, n]) }
  }
  if (isReturnElements(rs)) return { map, result: elementsFor(c, rs, all) }
  throw notApplicable(`return type ${rs.type} is not supported for maps`)
}

/**
 * The run an index range (`by` index) or rank range selects, INVERTED folded in, after refusing
 * the range return type of the other kind.
 */
function positionRun(c: Ctx, rs: ResultSpec, by: 'index' | 'rank', position: bigint, countArg: bigint): { rs: ResultSpec; run: Run } {
  const n = c.map.keys.length
  const run = selectRun(position, countArg, n, rs.multi)
  if (run === undefined) throw notApplicable(`map ${by} ${position} out of bounds for ${n} entries`)
  if (by === 'index' ? isReturnRankRange(rs) : isReturnIndexRange(rs)) throw notApplicable(`return type ${rs.type} is not supported by ${by}`)
  return foldInverted(rs, run, n)
}

function byIndexRange(c: Ctx, asked: ResultSpec, index: bigint, countArg: bigint): MapOutcome {
  const n = c.map.keys.length
  const { rs, run: { index: start, count } } = positionRun(c, asked, 'index', index, countArg)
  if (count === 0) return { result: keyNotFound(rs, start) }
  if (count === n && !rs.inverted) return removeAll(c, rs)
  const chosen = intRange(start, count, n, false)
  const mask = maskOf(n, chosen, rs.inverted)
  const map = removed(c, mask)
  const selected = rs.inverted ? maskIndexes(mask) : chosen
  let result: CdtResult | undefined
  if (isReturnRank(rs)) result = rankResultFor(c, rs, selected)
  else if (isReturnElements(rs)) result = elementsFor(c, rs, selected)
  else result = rangeResult(rs, start, count, n)
  return { map, result }
}

function byKey(c: Ctx, rs: ResultSpec, key: Buffer): MapOutcome {
  if (rs.inverted) throw notApplicable('INVERTED is not supported for single-element ops')
  const at = findKey(c.map, key)
  if (!at.found) return { result: keyNotFound(rs, -1) }
  return byIndexRange(c, rs, BigInt(at.index), 1n)
}

function byKeyInterval(c: Ctx, rs: ResultSpec, start: Buffer, end: Buffer | undefined): MapOutcome {
  if (isReturnRankRange(rs)) throw notApplicable(`return type ${rs.type} is not supported by key range`)
  const { keys } = c.map
  const first = lowerBound(keys, start)
  const last = end === undefined ? keys.length : lowerBound(keys, end, first)
  return byIndexRange(c, rs, BigInt(first), BigInt(Math.max(0, last - first)))
}

function byValueInterval(c: Ctx, rs: ResultSpec, start: Buffer, end: Buffer | undefined, single: boolean): MapOutcome {
  if (isReturnIndexRange(rs)) throw notApplicable(`return type ${rs.type} is not supported by value`)
  if (rs.inverted && !rs.multi) throw notApplicable('INVERTED is not supported for single-element ops')
  const { values } = c.map
  const n = values.length
  if (n === 0) return { result: valueNotFound(rs, -1) }
  const matches: number[] = []
  let rank = 0
  for (let i = 0; i < n; i++) {
    const cmpStart = compareElements(values[i]!, start)
    if (cmpStart < 0) {
      rank++
      continue
    }
    const hit = single ? cmpStart === 0 : end === undefined || compareElements(values[i]!, end) < 0
    if (hit && (rs.multi || matches.length === 0)) matches.push(i)
  }
  if (!isReturnRank(rs) && !isReturnRankRange(rs)) rank = 0
  if (matches.length === 0) {
    if (rs.inverted) return removeAll(c, { ...rs, inverted: false })
    return { result: valueNotFound(rs, rank) }
  }
  const mask = maskOf(n, matches, rs.inverted)
  const map = removed(c, mask)
  const selected = maskIndexes(mask)
  let result: CdtResult | undefined
  if (isReturnElements(rs)) result = elementsFor(c, rs, selected)
  else if (isReturnIndex(rs)) result = indexResultFor(c, rs, selected)
  else result = rangeResult(rs, rank, matches.length, n)
  return { map, result }
}

function byRankRange(c: Ctx, asked: ResultSpec, rank: bigint, countArg: bigint): MapOutcome {
  const n = c.map.keys.length
  const { rs, run: { index: start, count } } = positionRun(c, asked, 'rank', rank, countArg)
  if (count === 0) return { result: valueNotFound(rs, start) }
  const inRank = valueOrder(c.map.values).slice(start, start + count)
  const mask = maskOf(n, inRank, rs.inverted)
  const map = removed(c, mask)
  const byMask = rs.inverted || rs.type === ReturnType.ORDERED_MAP
  const selected = byMask ? maskIndexes(mask) : inRank
  let result: CdtResult | undefined
  if (isReturnIndex(rs)) result = indexResultFor(c, rs, selected)
  else if (isReturnElements(rs)) result = elementsFor(c, rs, selected)
  else if (isReturnRankRange(rs)) result = rangeResult(rs, start, rs.inverted ? n - count : count, n)
  else result = indexRankCountResult(rs, start, count, n)
  return { map, result }
}

function byRelativeIndex(c: Ctx, rs: ResultSpec, key: Buffer, index: bigint, countArg: bigint): MapOutcome {
  const rel = relativeRun(index, countArg, lowerBound(c.map.keys, key))
  return byIndexRange(c, rs, rel.index, rel.count)
}

function byRelativeRank(c: Ctx, rs: ResultSpec, value: Buffer, rank: bigint, countArg: bigint): MapOutcome {
  const rel = relativeRun(rank, countArg, countLess(c.map.values, value))
  return byRankRange(c, rs, rel.index, rel.count)
}

function listArgument(arg: Buffer): Buffer[] {
  if (readHead(arg, 0).kind !== Kind.LIST) throw parameterError('expected a list')
  return decodeList(arg).items
}

/** How a key-list or value-list op matched the entries against the keys or values it was given. */
interface ListMatch {
  /** How many keys or values it was given. */
  wanted: number
  /** Per entry, whether it matched one of them. */
  hits: boolean[]
  /** Per key or value given, its run of matching positions: indexes by key, ranks by value. */
  runs: () => Run[]
  /**
   * The return types the runs answer (INDEX by key, RANK by value); the other one of the two is
   * answered from the matched indexes (by value) or refused (by key).
   */
  runsAnswer: (rs: ResultSpec) => boolean
}

/** What a key-list or value-list op returns and leaves, once it has matched the entries. */
function byListMatch(c: Ctx, rs: ResultSpec, match: ListMatch, what: string): MapOutcome {
  const n = c.map.keys.length
  const refuse = (): never => {
    throw notApplicable(`return type ${rs.type} is not supported by ${what}`)
  }
  if (match.wanted === 0) {
    if (isReturnIndexRange(rs) || isReturnRankRange(rs) || (isReturnRank(rs) && !match.runsAnswer(rs))) refuse()
    if (!rs.inverted) return { result: notFoundResult(rs, 0) }
    return removeAll(c, { ...rs, inverted: false })
  }
  const mask = match.hits.map((h) => h !== rs.inverted)
  const selected = maskIndexes(mask)
  const map = selected.length === 0 ? undefined : removed(c, mask)
  if (isReturnTally(rs)) return { map, result: tallyResult(rs, selected.length) }
  if (match.runsAnswer(rs)) {
    const runs = match.runs()
    const reverse = isReverse(rs)
    return { map, result: intListResult(rs.inverted ? positionsOutside(runs, n, reverse) : runPositions(runs, n, reverse)) }
  }
  if (isReturnIndex(rs)) return { map, result: indexResultFor(c, rs, selected) }
  if (!isReturnElements(rs)) refuse()
  return { map, result: elementsFor(c, rs, selected) }
}

function byKeyList(c: Ctx, rs: ResultSpec, listArg: Buffer): MapOutcome {
  const wanted = listArgument(listArg)
  const runs = wanted.map((k): Run => {
    const at = findKey(c.map, k)
    return { index: at.index, count: at.found ? 1 : 0 }
  })
  const hits = new Array<boolean>(c.map.keys.length).fill(false)
  for (const r of runs) if (r.count > 0) hits[r.index] = true
  return byListMatch(c, rs, { wanted: wanted.length, hits, runs: () => runs, runsAnswer: isReturnIndex }, 'key list')
}

function byValueList(c: Ctx, rs: ResultSpec, listArg: Buffer): MapOutcome {
  const wanted = listArgument(listArg)
  const { values } = c.map
  const hits = values.map((v) => wanted.some((w) => compareElements(v, w) === 0))
  const runs = (): Run[] => wanted.map((w) => ({ index: countLess(values, w), count: values.filter((v) => compareElements(v, w) === 0).length }))
  return byListMatch(c, rs, { wanted: wanted.length, hits, runs, runsAnswer: isReturnRank }, 'value list')
}

// ---- dispatch --------------------------------------------------------------------------------

/** Ops that create the map when it is not there yet, and where their order flags are. */
const CREATING = new Map<number, number | undefined>([
  [MapOp.SET_TYPE, undefined],
  [MapOp.ADD, 2],
  [MapOp.ADD_ITEMS, 1],
  [MapOp.PUT, 2],
  [MapOp.PUT_ITEMS, 1],
  [MapOp.REPLACE, undefined],
  [MapOp.INCREMENT, 2],
  [MapOp.DECREMENT, 2],
])

/** Applies one map op. `map` undefined means there is no map yet (missing bin or created context). */
export function applyMapOp(op: CdtOp, existing: MapValue | undefined, modify: boolean): MapOutcome {
  const { code, args } = op
  const created = existing === undefined
  if (created) {
    if (code === MapOp.REPLACE_ITEMS) throw elementNotFound('replace items on a missing map')
    if (!CREATING.has(code)) return {}
  }
  const flagsAt = CREATING.get(code)
  const map: MapValue = existing ?? { flags: flagsAt === undefined ? 0 : createFlags(args[flagsAt]), keys: [], values: [] }
  const c: Ctx = { map, modify }
  const spec = (multi: boolean): ResultSpec => resultSpec(readUint64(args[0]!), multi)
  switch (code) {
    case MapOp.SET_TYPE:
      return setFlags(c, created, args[0]!)
    case MapOp.ADD:
      return putOne(c, created, args[0]!, args[1]!, { ...PUT_ANY, overwrite: false }, true)
    case MapOp.PUT:
      return putOne(c, created, args[0]!, args[1]!, writeControl(uintArg(op, 3, 0n)), true)
    case MapOp.REPLACE:
      return putOne(c, created, args[0]!, args[1]!, { ...PUT_ANY, create: false }, true)
    case MapOp.ADD_ITEMS:
      return putItems(c, created, args[0]!, { ...PUT_ANY, overwrite: false })
    case MapOp.PUT_ITEMS:
      return putItems(c, created, args[0]!, writeControl(uintArg(op, 2, 0n)))
    case MapOp.REPLACE_ITEMS:
      return putItems(c, created, args[0]!, { ...PUT_ANY, create: false })
    case MapOp.INCREMENT:
    case MapOp.DECREMENT:
      return incrementKey(c, created, op, code === MapOp.DECREMENT)
    case MapOp.CLEAR:
      return { map: { flags: map.flags, keys: [], values: [] } }
    case MapOp.SIZE:
      return { result: intResult(map.keys.length) }
    case MapOp.GET_BY_KEY:
    case MapOp.REMOVE_BY_KEY:
      return byKey(c, spec(false), args[1]!)
    case MapOp.GET_BY_INDEX:
    case MapOp.REMOVE_BY_INDEX:
      return byIndexRange(c, spec(false), readInt64(args[1]!), 1n)
    case MapOp.GET_BY_VALUE:
    case MapOp.REMOVE_BY_VALUE:
      return byValueInterval(c, spec(false), args[1]!, args[1]!, true)
    case MapOp.GET_ALL_BY_VALUE:
    case MapOp.REMOVE_ALL_BY_VALUE:
      return byValueInterval(c, spec(true), args[1]!, args[1]!, true)
    case MapOp.GET_BY_RANK:
    case MapOp.REMOVE_BY_RANK:
      return byRankRange(c, spec(false), readInt64(args[1]!), 1n)
    case MapOp.GET_BY_KEY_LIST:
    case MapOp.REMOVE_BY_KEY_LIST:
      return byKeyList(c, spec(true), args[1]!)
    case MapOp.GET_BY_VALUE_LIST:
    case MapOp.REMOVE_BY_VALUE_LIST:
      return byValueList(c, spec(true), args[1]!)
    case MapOp.GET_BY_KEY_INTERVAL:
    case MapOp.REMOVE_BY_KEY_INTERVAL:
      return byKeyInterval(c, spec(true), args[1]!, args[2])
    case MapOp.GET_BY_INDEX_RANGE:
    case MapOp.REMOVE_BY_INDEX_RANGE:
      return byIndexRange(c, spec(true), readInt64(args[1]!), uintArg(op, 2, TO_END))
    case MapOp.GET_BY_VALUE_INTERVAL:
    case MapOp.REMOVE_BY_VALUE_INTERVAL:
      return byValueInterval(c, spec(true), args[1]!, args[2], false)
    case MapOp.GET_BY_RANK_RANGE:
    case MapOp.REMOVE_BY_RANK_RANGE:
      return byRankRange(c, spec(true), readInt64(args[1]!), uintArg(op, 2, TO_END))
    case MapOp.GET_BY_KEY_REL_INDEX_RANGE:
    case MapOp.REMOVE_BY_KEY_REL_INDEX_RANGE:
      return byRelativeIndex(c, spec(true), args[1]!, readInt64(args[2]!), uintArg(op, 3, TO_END))
    case MapOp.GET_BY_VALUE_REL_RANK_RANGE:
    case MapOp.REMOVE_BY_VALUE_REL_RANK_RANGE:
      return byRelativeRank(c, spec(true), args[1]!, readInt64(args[2]!), uintArg(op, 3, TO_END))
  }
  throw parameterError(`unknown map op ${code}`)
}
