// Which children of a list or map one level of a path context selects, in storage order. Filter
// expressions see the child through the loop variables (a list child's index and value, a map
// child's key and value) and answer true, false or unknown; unknown fails the op with
// PARAMETER_ERROR unless the op is NO_FAIL, where it counts as false. An AND filter is checked
// after the step itself matched.
import type { CompiledExpression, ExpResult } from '../exp/index.ts'
import type { ListValue, MapValue } from './collection.ts'
import { decodeList } from './collection.ts'
import { LIST_FLAG_ORDERED } from './canonical.ts'
import { parameterError } from './errors.ts'
import { compareElements } from './order.ts'
import { Step, type PathLevel } from './path-payload.ts'
import { lowerBound, selectRun, valueOrder } from './selection.ts'

/** Runs an expression for one element, with its loop variables set. */
export interface PathEnv {
  noFail: boolean
  run(exp: CompiledExpression, element: LoopElement): ExpResult
}

export interface LoopElement {
  /** A map child's key. */
  key?: Buffer
  value: Buffer
  /** A list child's index. */
  index?: number
}

const FALSE = 0
const TRUE = 1
const UNKNOWN = 2

const LIST_BITS = 0x10
const MAP_BITS = 0x20
const LIST_TYPE_MASK = 0x30
const MAP_TYPE_MASK = 0xf0

function truth(result: ExpResult): number {
  if (result.kind === 'bool') return result.value ? TRUE : FALSE
  return result.kind === 'unknown' ? UNKNOWN : FALSE
}

function filterTruth(exp: CompiledExpression | undefined, element: LoopElement, env: PathEnv): number {
  return exp === undefined ? TRUE : truth(env.run(exp, element))
}

/** An unknown answer from a step that walks every child. */
function resolveUnknown(tri: number, env: PathEnv): number {
  if (tri !== UNKNOWN) return tri
  if (!env.noFail) throw parameterError('a path filter answered unknown')
  return FALSE
}

function checkStepFor(level: PathLevel, mask: number, bits: number, what: string): void {
  const type = level.type & mask
  if (type !== 0 && type !== bits) throw parameterError(`context type 0x${level.type.toString(16)} on a ${what}`)
}

/** Calls visit(i) for each selected child of a non-empty list. */
export function forEachListChild(list: ListValue, level: PathLevel, env: PathEnv, visit: (index: number) => void): void {
  checkStepFor(level, LIST_TYPE_MASK, LIST_BITS, 'list')
  const { items } = list
  const element = (index: number): LoopElement => ({ index, value: items[index]! })
  if (level.kind === Step.INDEX || level.kind === Step.RANK) {
    const run = selectRun(level.index, 1n, items.length, false)
    if (run === undefined) return
    let index = run.index
    if (level.kind === Step.RANK && (list.flags & LIST_FLAG_ORDERED) === 0) index = valueOrder(items)[run.index]!
    // Here an unknown AND filter only leaves the child out.
    if (filterTruth(level.and, element(index), env) === TRUE) visit(index)
    return
  }
  for (let i = 0; i < items.length; i++) {
    let tri: number
    if (level.kind === Step.EXP) tri = filterTruth(level.filter, element(i), env)
    else if (level.kind === Step.VALUE) tri = compareElements(items[i]!, level.value) === 0 ? TRUE : FALSE
    else tri = UNKNOWN
    if (tri === TRUE) tri = filterTruth(level.and, element(i), env)
    if (resolveUnknown(tri, env) === TRUE) visit(i)
  }
}

/** The keys of a KEY_LIST step, sorted; PARAMETER_ERROR when it is not a list or an ordered one out of order. */
function keyList(level: PathLevel): Buffer[] {
  let list: ListValue
  try {
    list = decodeList(level.value)
  } catch {
    throw parameterError('the key list of a path context is not a list')
  }
  const keys = [...list.items]
  if ((list.flags & LIST_FLAG_ORDERED) !== 0) {
    for (let i = 1; i < keys.length; i++) if (compareElements(keys[i - 1]!, keys[i]!) > 0) throw parameterError('ordered key list is not in order')
  } else keys.sort(compareElements)
  return keys
}

function sortedHas(sorted: readonly Buffer[], key: Buffer): boolean {
  const at = lowerBound(sorted, key)
  return at < sorted.length && compareElements(sorted[at]!, key) === 0
}

/** Calls visit(i) for each selected child of a non-empty map (i is the pair's position). */
export function forEachMapChild(map: MapValue, level: PathLevel, env: PathEnv, visit: (index: number) => void): void {
  checkStepFor(level, MAP_TYPE_MASK, MAP_BITS, 'map')
  const { keys, values } = map
  const element = (i: number): LoopElement => ({ key: keys[i]!, value: values[i]! })
  if (level.kind === Step.INDEX || level.kind === Step.RANK) {
    const run = selectRun(level.index, 1n, keys.length, false)
    if (run === undefined) return
    // Maps are stored in key order, so an index is a position; a rank is one in value order.
    const index = level.kind === Step.INDEX ? run.index : valueOrder(values)[run.index]!
    if (filterTruth(level.and, element(index), env) === TRUE) visit(index)
    return
  }
  const wanted = level.kind === Step.KEY_LIST ? keyList(level) : []
  let keyFound = false
  for (let i = 0; i < keys.length; i++) {
    let tri: number
    if (keyFound) tri = FALSE
    else if (level.kind === Step.EXP) tri = filterTruth(level.filter, element(i), env)
    else if (level.kind === Step.KEY) {
      keyFound = compareElements(keys[i]!, level.value) === 0
      tri = keyFound ? TRUE : FALSE
    } else if (level.kind === Step.VALUE) tri = compareElements(values[i]!, level.value) === 0 ? TRUE : FALSE
    else if (level.kind === Step.KEY_LIST) tri = sortedHas(wanted, keys[i]!) ? TRUE : FALSE
    else tri = UNKNOWN
    if (tri === TRUE) tri = filterTruth(level.and, element(i), env)
    if (resolveUnknown(tri, env) === TRUE) visit(i)
  }
}
