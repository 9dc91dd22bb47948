// Every list op, on a list held as its elements' stored bytes. Ordered lists stay sorted; the
// selection rules, result shapes and error codes follow Aerospike Server's (particle_list.c),
// including its quirks, because clients see them.
import { canonicalValue, LIST_FLAG_ORDERED } from './canonical.ts'
import { decodeList, type ListValue } from './collection.ts'
import { Kind, readHead } from './element.ts'
import { binTypeError, elementExists, nilPadding, notApplicable, parameterError } from './errors.ts'
import { addDelta, readDelta } from './increment.ts'
import { ListOp } from './op-codes.ts'
import { readInt64, readUint64, uintArg, type CdtOp } from './payload.ts'
import {
  ReturnType, elementResult, indexRankCountResult, intListResult, intRange, intResult, isReturnIndexRange,
  isReturnRankRange, isReturnTally, isReverse, listResult, notFoundResult, positionsOutside, rangeResult, resultSpec,
  runPositions, tallyResult, type CdtResult, type ResultSpec,
} from './result.ts'
import {
  TO_END, countLess, foldInverted, heapSelect, lowerBound, maskIndexes, relativeRun, selectRun, upperBound, valueOrder, type Run,
} from './selection.ts'
import { compareElements } from './order.ts'

export interface ListOutcome {
  /** The new list, when the op changed (or created) it. */
  list?: ListValue
  result?: CdtResult
}

const WriteFlag = { ADD_UNIQUE: 1n, INSERT_BOUNDED: 2n, NO_FAIL: 4n, PARTIAL: 8n } as const
const SortFlag = { DESCENDING: 1n, DROP_DUPLICATES: 2n } as const
const VALID_LIST_FLAGS = 0x11n
const INT32_MAX = 0x7fffffffn

interface Ctx {
  list: ListValue
  modify: boolean
  ordered: boolean
}

interface WriteMode {
  unique: boolean
  bounded: boolean
  noFail: boolean
  /** NO_FAIL and PARTIAL together: skip offending items, keep the rest. */
  partial: boolean
}

function writeMode(flags: bigint): WriteMode {
  const noFail = (flags & WriteFlag.NO_FAIL) !== 0n
  return {
    unique: (flags & WriteFlag.ADD_UNIQUE) !== 0n,
    bounded: (flags & WriteFlag.INSERT_BOUNDED) !== 0n,
    noFail,
    partial: noFail && (flags & WriteFlag.PARTIAL) !== 0n,
  }
}

/** Order flags as a create or set-type argument gives them (persisted index bits are not kept). */
function createFlags(arg: Buffer | undefined): number {
  if (arg === undefined) return 0
  const flags = readUint64(arg)
  return (flags & ~VALID_LIST_FLAGS) !== 0n ? 0 : Number(flags) & LIST_FLAG_ORDERED
}

/** ELEMENT_EXISTS, or success without change under NO_FAIL. */
function existsOutcome(mode: WriteMode, result: CdtResult | undefined, created: boolean, list: ListValue): ListOutcome {
  if (!mode.noFail) throw elementExists('list element exists')
  return created ? { list, result } : { result }
}

function isOrdered(list: ListValue): boolean {
  return (list.flags & LIST_FLAG_ORDERED) !== 0
}

function count(values: readonly Buffer[], value: Buffer): number {
  let n = 0
  for (const v of values) if (compareElements(v, value) === 0) n++
  return n
}

function removeMask(items: readonly Buffer[], mask: readonly boolean[]): Buffer[] {
  return items.filter((_, i) => !mask[i])
}

/** The items of a list argument (its flags entry, if any, dropped). */
function argumentItems(arg: Buffer): Buffer[] {
  const h = readHead(arg, 0)
  if (h.kind !== Kind.LIST) throw parameterError('expected a list of items')
  return decodeList(arg).items
}

// ---- adding ----------------------------------------------------------------------------------

function insertItems(c: Ctx, created: boolean, index: bigint, items: Buffer[], isItems: boolean, mode: WriteMode, withResult: boolean): ListOutcome {
  const { list } = c
  const n = list.items.length
  const sizeResult = (size: number): CdtResult | undefined => (withResult ? intResult(size) : undefined)
  const unchanged = (result: CdtResult | undefined): ListOutcome => (created ? { list, result } : { result })
  if (isItems && items.length === 0) return unchanged(sizeResult(n))
  const at = index < 0n ? BigInt(n) + index : index
  if (index > INT32_MAX || at < 0n) throw notApplicable(`list index ${index} out of bounds for ${n} elements`)
  if (mode.bounded && at > BigInt(n)) {
    if (mode.noFail) return unchanged(sizeResult(n))
    throw notApplicable(`list index ${index} is past the end with INSERT_BOUNDED`)
  }
  let adding = items
  if (mode.unique) {
    adding = []
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!
      if (count(list.items, item) !== 0) {
        if (!mode.partial) return existsOutcome(mode, sizeResult(n), created, list)
        continue
      }
      if (isItems && items.slice(0, i).some((prev) => compareElements(prev, item) === 0)) {
        if (!mode.noFail) throw notApplicable('duplicate items with ADD_UNIQUE')
        if (!mode.partial) return unchanged(sizeResult(n))
        continue
      }
      adding.push(item)
    }
    if (adding.length === 0) return existsOutcome(mode, sizeResult(n), created, list)
  }
  const position = Number(at)
  const pad = position > n ? nilPadding(position - n) : []
  const next = [...list.items.slice(0, position), ...pad, ...adding, ...list.items.slice(position)]
  return { list: { flags: list.flags, items: next }, result: sizeResult(next.length) }
}

function addOrdered(c: Ctx, created: boolean, value: Buffer, mode: WriteMode): ListOutcome {
  const { items } = c.list
  const at = upperBound(items, value)
  const found = at > 0 && compareElements(items[at - 1]!, value) === 0
  if (found && mode.unique) return existsOutcome(mode, intResult(items.length), created, c.list)
  const next = [...items.slice(0, at), value, ...items.slice(at)]
  return { list: { flags: c.list.flags, items: next }, result: intResult(next.length) }
}

function addItemsOrdered(c: Ctx, created: boolean, values: Buffer[], mode: WriteMode): ListOutcome {
  const { list } = c
  const n = list.items.length
  if (values.length === 0) return { list: created ? list : undefined, result: intResult(n) }
  let sorted = [...values].sort(compareElements)
  if (mode.unique) {
    const distinct = sorted.filter((v, i) => i === 0 || compareElements(sorted[i - 1]!, v) !== 0)
    if (distinct.length !== sorted.length) {
      if (!mode.noFail) throw notApplicable('duplicate items with ADD_UNIQUE')
      if (!mode.partial) return created ? { list, result: intResult(n) } : { result: intResult(n) }
    }
    sorted = distinct
    const fresh: Buffer[] = []
    for (const v of sorted) {
      const at = lowerBound(list.items, v)
      if (at < n && compareElements(list.items[at]!, v) === 0) {
        if (!mode.partial) return existsOutcome(mode, intResult(n), created, list)
        continue
      }
      fresh.push(v)
    }
    sorted = fresh
  }
  const next = [...list.items]
  for (const v of sorted) next.splice(upperBound(next, v), 0, v)
  return { list: { flags: list.flags, items: next }, result: intResult(next.length) }
}

function setAt(c: Ctx, created: boolean, index: bigint, value: Buffer, mode: WriteMode): ListOutcome {
  const { list } = c
  const n = list.items.length
  if (c.ordered) throw notApplicable('set is not allowed on an ordered list')
  if (index >= BigInt(n)) return insertItems(c, created, index, [value], false, mode, false)
  const at = index < 0n ? BigInt(n) + index : index
  if (at < 0n) throw notApplicable(`list index ${index} out of bounds for ${n} elements`)
  const position = Number(at)
  if (mode.unique) {
    const first = list.items.findIndex((item) => compareElements(item, value) === 0)
    if (first >= 0 && (first !== position || count(list.items, value) > 1)) return existsOutcome(mode, undefined, created, list)
  }
  const next = [...list.items]
  next[position] = value
  return { list: { flags: list.flags, items: next } }
}

function replaceOrdered(c: Ctx, created: boolean, index: number, value: Buffer, mode: WriteMode): ListOutcome {
  const { items } = c.list
  if (index > items.length) throw notApplicable(`index ${index} is past the end of an ordered list`)
  const rank = lowerBound(items, value)
  const found = rank < items.length && compareElements(items[rank]!, value) === 0
  if (mode.unique && found) {
    if (rank === index) return created ? { list: c.list } : {}
    return existsOutcome(mode, undefined, created, c.list)
  }
  const rest = index < items.length ? [...items.slice(0, index), ...items.slice(index + 1)] : [...items]
  rest.splice(lowerBound(rest, value), 0, value)
  return { list: { flags: c.list.flags, items: rest } }
}

function increment(c: Ctx, created: boolean, op: CdtOp): ListOutcome {
  const n = c.list.items.length
  const index = readInt64(op.args[0]!)
  const at = index < 0n ? BigInt(n) + index : index
  if (index > INT32_MAX || at < 0n) throw notApplicable(`list index ${index} out of bounds for ${n} elements`)
  const position = Number(at)
  const delta = readDelta(op.args[1], false)
  const mode = writeMode(uintArg(op, 3, 0n))
  const next = addDelta(delta, position < n ? c.list.items[position] : undefined)
  const outcome = c.ordered ? replaceOrdered(c, created, position, next.element, mode) : setAt(c, created, BigInt(position), next.element, mode)
  return { list: outcome.list, result: next.result }
}

function sortList(c: Ctx, flags: bigint): ListOutcome {
  const { items } = c.list
  if (items.length <= 1) return {}
  let next = c.ordered ? [...items] : valueOrder(items).map((i) => items[i]!)
  if (!c.ordered && (flags & SortFlag.DESCENDING) !== 0n) {
    const order = items.map((_, i) => i)
    order.sort((a, b) => compareElements(items[b]!, items[a]!) || a - b)
    next = order.map((i) => items[i]!)
  }
  if ((flags & SortFlag.DROP_DUPLICATES) !== 0n) next = next.filter((v, i) => i === 0 || compareElements(next[i - 1]!, v) !== 0)
  return { list: { flags: c.list.flags, items: next } }
}

function setFlags(c: Ctx, created: boolean, arg: Buffer): ListOutcome {
  const flags = readUint64(arg)
  if ((flags & ~VALID_LIST_FLAGS) !== 0n) throw notApplicable(`invalid list flags 0x${flags.toString(16)}`)
  const next = Number(flags) & LIST_FLAG_ORDERED
  if (next === c.list.flags) return created ? { list: c.list } : {}
  const items = next === LIST_FLAG_ORDERED && !c.ordered ? valueOrder(c.list.items).map((i) => c.list.items[i]!) : c.list.items
  return { list: { flags: next, items } }
}

// ---- selecting -------------------------------------------------------------------------------

function ranksOf(c: Ctx, elements: readonly Buffer[], rs: ResultSpec): number[] {
  const n = c.list.items.length
  return elements.map((e) => {
    const rank = countLess(c.list.items, e)
    return isReverse(rs) ? n - rank - 1 : rank
  })
}

/** The list without the elements the mask selects (an empty list keeps the list's flags). */
function withoutMask(c: Ctx, mask: readonly boolean[], emptyFlags: number): ListValue | undefined {
  if (!c.modify) return undefined
  const items = removeMask(c.list.items, mask)
  return { flags: items.length === 0 ? emptyFlags : c.list.flags, items }
}

function listNotFound(rs: ResultSpec, index: number): CdtResult | undefined {
  if (rs.type === ReturnType.KEY || rs.type === ReturnType.KEY_VALUE || rs.type === ReturnType.UNORDERED_MAP || rs.type === ReturnType.ORDERED_MAP) {
    throw notApplicable(`return type ${rs.type} is not supported for lists`)
  }
  return notFoundResult(rs, index)
}

function trim(c: Ctx, rs: ResultSpec, index: number, keep: number): ListOutcome {
  const { items } = c.list
  const n = items.length
  const removed = [...items.slice(0, index), ...items.slice(index + keep)]
  const list = c.modify ? { flags: c.list.flags, items: items.slice(index, index + keep) } : undefined
  if (isReturnTally(rs)) return { list, result: tallyResult(rs, removed.length) }
  const outside = (): number[] => positionsOutside([{ index, count: keep }], n, isReverse(rs))
  let result: CdtResult | undefined
  switch (rs.type) {
    case ReturnType.INDEX:
    case ReturnType.REVERSE_INDEX:
      result = intListResult(outside())
      break
    case ReturnType.RANK:
    case ReturnType.REVERSE_RANK:
      result = intListResult(c.ordered ? outside() : ranksOf(c, removed, rs))
      break
    case ReturnType.VALUE:
      result = listResult(removed)
      break
    default:
      throw notApplicable(`return type ${rs.type} is not supported by trim`)
  }
  return { list, result }
}

function byIndexRange(c: Ctx, rs: ResultSpec, index: bigint, countArg: bigint): ListOutcome {
  const { items } = c.list
  const n = items.length
  const run = selectRun(index, countArg, n, rs.multi)
  if (run === undefined) throw notApplicable(`list index ${index} out of bounds for ${n} elements`)
  // Range results of an inverted multi op are refused here; a single-element op gets foldInverted's error.
  if (rs.inverted && rs.multi && (isReturnIndexRange(rs) || isReturnRankRange(rs))) throw notApplicable(`return type ${rs.type} cannot be inverted`)
  const folded = foldInverted(rs, run, n)
  if (folded.rs.inverted) return trim(c, { ...rs, inverted: false }, run.index, run.count)
  rs = folded.rs
  const { index: start, count: selected } = folded.run
  if (selected === 0) return { result: listNotFound(rs, start) }
  const removed = items.slice(start, start + selected)
  const remaining = [...items.slice(0, start), ...items.slice(start + selected)]
  const list = c.modify ? { flags: c.list.flags, items: remaining } : undefined
  const reverse = isReverse(rs)
  let result: CdtResult | undefined
  switch (rs.type) {
    case ReturnType.NONE:
      break
    case ReturnType.INDEX:
    case ReturnType.REVERSE_INDEX:
      result = indexRankCountResult(rs, start, selected, n)
      break
    case ReturnType.RANK:
    case ReturnType.REVERSE_RANK:
      if (remaining.length === 0) result = indexRankCountResult(rs, 0, selected, n)
      else if (!rs.multi) {
        const rank = c.ordered ? start : countLess(items, removed[0]!)
        result = intResult(reverse ? n - rank - 1 : rank)
      } else result = c.ordered ? intListResult(intRange(start, selected, n, reverse)) : intListResult(ranksOf(c, removed, rs))
      break
    case ReturnType.COUNT:
      result = intResult(selected)
      break
    case ReturnType.EXISTS:
      result = indexRankCountResult(rs, start, selected, n)
      break
    case ReturnType.VALUE:
      result = rs.multi ? listResult(removed) : elementResult(removed[0]!)
      break
    case ReturnType.INDEX_RANGE:
    case ReturnType.REVERSE_INDEX_RANGE:
      result = intListResult([rs.type === ReturnType.REVERSE_INDEX_RANGE ? n - start - selected : start, selected])
      break
    case ReturnType.RANK_RANGE:
    case ReturnType.REVERSE_RANK_RANGE:
      if (!c.ordered) throw notApplicable('rank range results need an ordered list here')
      result = rangeResult(rs, start, selected, n)
      break
    default:
      throw notApplicable(`return type ${rs.type} is not supported for lists`)
  }
  return { list, result }
}

/**
 * What a selection by value from an unordered list returns. Without INVERTED it takes the ranks
 * `ranks` (with it, everything else); `indexes` are the taken positions, ascending, and `values`
 * the same positions in the order VALUE results list them.
 */
function rankRunResult(c: Ctx, rs: ResultSpec, ranks: Run, indexes: readonly number[], values: readonly number[]): CdtResult | undefined {
  const { items } = c.list
  const n = items.length
  switch (rs.type) {
    case ReturnType.NONE:
    case ReturnType.COUNT:
    case ReturnType.EXISTS:
    case ReturnType.RANK:
    case ReturnType.REVERSE_RANK:
    case ReturnType.RANK_RANGE:
    case ReturnType.REVERSE_RANK_RANGE:
      return rangeResult(rs, ranks.index, ranks.count, n)
    case ReturnType.INDEX:
    case ReturnType.REVERSE_INDEX:
      if (rs.multi) return intListResult(indexes.map((i) => (isReverse(rs) ? n - i - 1 : i)))
      return indexRankCountResult(rs, indexes[0] ?? 0, indexes.length, n)
    case ReturnType.VALUE:
      if (rs.multi) return listResult(values.map((i) => items[i]!))
      return values.length === 0 ? undefined : elementResult(items[values[0]!]!)
  }
  throw notApplicable(`return type ${rs.type} is not supported for lists`)
}

/** Elements in [start, end) (end undefined: to the largest value); `single` selects equal to start. */
function byValueInterval(c: Ctx, rs: ResultSpec, start: Buffer, end: Buffer | undefined, single: boolean): ListOutcome {
  const { items } = c.list
  const n = items.length
  if (rs.inverted && !rs.multi) throw notApplicable('INVERTED is not supported for single-element ops')
  if (c.ordered) {
    const rank = lowerBound(items, start)
    let selected: number
    if (single) {
      const found = rank < n && compareElements(items[rank]!, start) === 0
      selected = !found ? 0 : rs.multi ? upperBound(items, start, rank) - rank : 1
    } else if (end === undefined) {
      selected = n - rank
    } else if (compareElements(start, end) >= 0) {
      selected = 0
    } else {
      selected = lowerBound(items, end, rank) - rank
    }
    if (selected === 0 && !rs.multi) return { result: listNotFound(rs, 0) }
    return byIndexRange(c, rs, BigInt(rank), BigInt(selected))
  }
  let rank = 0
  let selected = 0
  const mask = new Array<boolean>(n).fill(false)
  for (let i = 0; i < n; i++) {
    const item = items[i]!
    const cmpStart = compareElements(item, start)
    let take = false
    if (cmpStart < 0) {
      rank++
      take = rs.inverted
    } else if (!single) {
      const cmpEnd = end === undefined ? -1 : compareElements(item, end)
      take = rs.inverted ? cmpEnd >= 0 : cmpEnd < 0
    } else if (cmpStart === 0) {
      take = rs.multi ? !rs.inverted : selected === 0
    } else {
      take = rs.inverted && rs.multi
    }
    if (take) {
      mask[i] = true
      selected++
    }
  }
  const list = selected === 0 ? undefined : withoutMask(c, mask, 0)
  const indexes = maskIndexes(mask)
  return { list, result: rankRunResult(c, rs, { index: rank, count: rs.inverted ? n - selected : selected }, indexes, indexes) }
}

function byRankRange(c: Ctx, rs: ResultSpec, rank: bigint, countArg: bigint): ListOutcome {
  if (rs.inverted && !rs.multi) throw notApplicable('INVERTED is not supported for single-element ops')
  if (c.ordered) return byIndexRange(c, rs, rank, countArg)
  const { items } = c.list
  const n = items.length
  const run = selectRun(rank, countArg, n, rs.multi)
  if (run === undefined) throw notApplicable(`list rank ${rank} out of bounds for ${n} elements`)
  const inRange = heapSelect(n, run.index, run.count, (a, b) => compareElements(items[a]!, items[b]!))
  const removeCount = rs.inverted ? n - run.count : run.count
  if (removeCount === 0) return { result: listNotFound(rs, run.index) }
  const mask = new Array<boolean>(n).fill(rs.inverted)
  for (const i of inRange) mask[i] = !rs.inverted
  if (rs.inverted && isReturnRankRange(rs)) throw notApplicable(`return type ${rs.type} cannot be inverted`)
  const list = withoutMask(c, mask, 0)
  const indexes = maskIndexes(mask)
  return { list, result: rankRunResult(c, rs, run, indexes, rs.inverted ? indexes : inRange) }
}

function byRelativeRank(c: Ctx, rs: ResultSpec, value: Buffer, rank: bigint, countArg: bigint): ListOutcome {
  const origin = c.ordered ? lowerBound(c.list.items, value) : countLess(c.list.items, value)
  const rel = relativeRun(rank, countArg, origin)
  return c.ordered ? byIndexRange(c, rs, rel.index, rel.count) : byRankRange(c, rs, rel.index, rel.count)
}

function byValueList(c: Ctx, rs: ResultSpec, valuesArg: Buffer): ListOutcome {
  if (isReturnRankRange(rs) || isReturnIndexRange(rs)) throw notApplicable(`return type ${rs.type} is not supported by value list`)
  const h = readHead(valuesArg, 0)
  if (h.kind !== Kind.LIST) throw parameterError('expected a list of values')
  const values = decodeList(valuesArg).items
  const { items } = c.list
  const n = items.length
  if (values.length === 0) {
    if (!rs.inverted) return { result: listNotFound(rs, 0) }
    return byIndexRange(c, { ...rs, inverted: false }, 0n, BigInt(n))
  }
  const reverse = isReverse(rs)
  const mask = new Array<boolean>(n).fill(false)
  // Per value, where its equal elements start in value order and how many there are.
  const runs = values.map((v): Run => {
    if (c.ordered) {
      const start = lowerBound(items, v)
      return { index: start, count: upperBound(items, v, start) - start }
    }
    return { index: countLess(items, v), count: count(items, v) }
  })
  for (let i = 0; i < n; i++) {
    const hit = c.ordered ? runs.some((r) => i >= r.index && i < r.index + r.count) : values.some((v) => compareElements(items[i]!, v) === 0)
    mask[i] = hit !== rs.inverted
  }
  const indexes = maskIndexes(mask)
  const list = indexes.length === 0 ? undefined : withoutMask(c, mask, c.ordered ? LIST_FLAG_ORDERED : 0)
  if (isReturnTally(rs)) return { list, result: tallyResult(rs, indexes.length) }
  const inOrder = (): number[] => indexes.map((i) => (reverse ? n - i - 1 : i))
  let result: CdtResult | undefined
  switch (rs.type) {
    case ReturnType.INDEX:
    case ReturnType.REVERSE_INDEX:
      result = intListResult(rs.inverted || !c.ordered ? inOrder() : runPositions(runs, n, reverse))
      break
    case ReturnType.RANK:
    case ReturnType.REVERSE_RANK:
      if (!rs.inverted) result = intListResult(runPositions(runs, n, reverse))
      else result = intListResult(c.ordered ? inOrder() : positionsOutside(runs, n, reverse))
      break
    case ReturnType.VALUE:
      if (rs.inverted || !c.ordered) result = listResult(indexes.map((i) => items[i]!))
      else result = listResult(runs.flatMap((r) => items.slice(r.index, r.index + r.count)))
      break
    default:
      throw notApplicable(`return type ${rs.type} is not supported for lists`)
  }
  return { list, result }
}

// ---- dispatch --------------------------------------------------------------------------------

/** Ops that create the list when it is not there yet; the others do nothing on a missing list. */
const CREATING = new Set<number>([ListOp.SET_TYPE, ListOp.APPEND, ListOp.APPEND_ITEMS, ListOp.INSERT, ListOp.INSERT_ITEMS, ListOp.SET, ListOp.INCREMENT])

/**
 * Applies one list op. `list` undefined means there is no list yet (missing bin, or a context
 * level about to be created); `topLevel` tells whether the list is the bin itself.
 */
export function applyListOp(op: CdtOp, existing: ListValue | undefined, modify: boolean, topLevel: boolean): ListOutcome {
  const { code, args } = op
  const created = existing === undefined
  if (created) {
    if (code === ListOp.SORT && topLevel) throw binTypeError('sort of a missing list')
    if (!CREATING.has(code)) return {}
  }
  const flagsAt = code === ListOp.INCREMENT ? 2 : 1
  const createWith = code === ListOp.APPEND || code === ListOp.APPEND_ITEMS || code === ListOp.INCREMENT ? createFlags(args[flagsAt]) : 0
  const list: ListValue = existing ?? { flags: createWith, items: [] }
  const c: Ctx = { list, modify, ordered: isOrdered(list) }
  switch (code) {
    case ListOp.SET_TYPE:
      return setFlags(c, created, args[0]!)
    case ListOp.APPEND:
    case ListOp.APPEND_ITEMS: {
      const isItems = code === ListOp.APPEND_ITEMS
      const value = canonicalValue(args[0]!)
      const mode = writeMode(uintArg(op, 2, 0n))
      if (isItems && readHead(value, 0).kind !== Kind.LIST) throw parameterError('append items needs a list')
      if (c.ordered) return isItems ? addItemsOrdered(c, created, argumentItems(value), mode) : addOrdered(c, created, value, mode)
      return insertItems(c, created, BigInt(list.items.length), isItems ? argumentItems(value) : [value], isItems, mode, true)
    }
    case ListOp.INSERT:
    case ListOp.INSERT_ITEMS: {
      const isItems = code === ListOp.INSERT_ITEMS
      const value = canonicalValue(args[1]!)
      if (isItems && readHead(value, 0).kind !== Kind.LIST) throw parameterError('insert items needs a list')
      if (c.ordered) throw notApplicable('insert is not allowed on an ordered list')
      return insertItems(c, created, readInt64(args[0]!), isItems ? argumentItems(value) : [value], isItems, writeMode(uintArg(op, 2, 0n)), true)
    }
    case ListOp.SET:
      return setAt(c, created, readInt64(args[0]!), canonicalValue(args[1]!), writeMode(uintArg(op, 2, 0n)))
    case ListOp.INCREMENT:
      return increment(c, created, op)
    case ListOp.SORT:
      return sortList(c, uintArg(op, 0, 0n))
    case ListOp.CLEAR:
      return { list: { flags: list.flags, items: [] } }
    case ListOp.SIZE:
      return { result: intResult(list.items.length) }
    case ListOp.REMOVE:
    case ListOp.POP:
    case ListOp.GET:
      return byIndexRange(c, resultSpec(BigInt(code === ListOp.REMOVE ? ReturnType.COUNT : ReturnType.VALUE), false), readInt64(args[0]!), 1n)
    case ListOp.REMOVE_RANGE:
    case ListOp.POP_RANGE:
    case ListOp.GET_RANGE:
      return byIndexRange(c, resultSpec(BigInt(code === ListOp.REMOVE_RANGE ? ReturnType.COUNT : ReturnType.VALUE), true), readInt64(args[0]!), uintArg(op, 1, TO_END))
    case ListOp.TRIM:
      return byIndexRange(c, { type: ReturnType.COUNT, inverted: true, multi: true }, readInt64(args[0]!), uintArg(op, 1, TO_END))
    case ListOp.GET_BY_INDEX:
    case ListOp.REMOVE_BY_INDEX:
      return byIndexRange(c, resultSpec(readUint64(args[0]!), false), readInt64(args[1]!), 1n)
    case ListOp.GET_BY_INDEX_RANGE:
    case ListOp.REMOVE_BY_INDEX_RANGE:
      return byIndexRange(c, resultSpec(readUint64(args[0]!), true), readInt64(args[1]!), uintArg(op, 2, TO_END))
    case ListOp.GET_BY_VALUE:
    case ListOp.REMOVE_BY_VALUE:
    case ListOp.GET_ALL_BY_VALUE:
    case ListOp.REMOVE_ALL_BY_VALUE: {
      const multi = code === ListOp.GET_ALL_BY_VALUE || code === ListOp.REMOVE_ALL_BY_VALUE
      return byValueInterval(c, resultSpec(readUint64(args[0]!), multi), args[1]!, args[1]!, true)
    }
    case ListOp.GET_BY_VALUE_INTERVAL:
    case ListOp.REMOVE_BY_VALUE_INTERVAL:
      return byValueInterval(c, resultSpec(readUint64(args[0]!), true), args[1]!, args[2], false)
    case ListOp.GET_BY_RANK:
    case ListOp.REMOVE_BY_RANK:
      return byRankRange(c, resultSpec(readUint64(args[0]!), false), readInt64(args[1]!), 1n)
    case ListOp.GET_BY_RANK_RANGE:
    case ListOp.REMOVE_BY_RANK_RANGE:
      return byRankRange(c, resultSpec(readUint64(args[0]!), true), readInt64(args[1]!), uintArg(op, 2, TO_END))
    case ListOp.GET_BY_VALUE_REL_RANK_RANGE:
    case ListOp.REMOVE_BY_VALUE_REL_RANK_RANGE:
      return byRelativeRank(c, resultSpec(readUint64(args[0]!), true), args[1]!, readInt64(args[2]!), uintArg(op, 3, TO_END))
    case ListOp.GET_ALL_BY_VALUE_LIST:
    case ListOp.REMOVE_ALL_BY_VALUE_LIST:
      return byValueList(c, resultSpec(readUint64(args[0]!), true), args[1]!)
  }
  throw parameterError(`unknown list op ${code}`)
}
