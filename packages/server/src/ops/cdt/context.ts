// The context walk: follows a nested context (list index/rank/value, map key/index/rank/value)
// from a bin's list or map down to the collection an op applies to, creates the missing levels
// when the context asks for it, runs the op there, and writes the changed element back up,
// keeping every ordered list it passes through sorted.
import { canonicalValue, LIST_FLAG_ORDERED } from './canonical.ts'
import { decodeList, decodeMap, encodeList, encodeMap, type ListValue, type MapValue } from './collection.ts'
import { Kind, readHead } from './element.ts'
import { binTypeError, nilPadding, notApplicable, parameterError } from './errors.ts'
import { applyListOp } from './list-ops.ts'
import { applyMapOp } from './map-ops.ts'
import { isListOp } from './op-codes.ts'
import { compareElements } from './order.ts'
import { readInt64, type CdtOp, type ContextStep } from './payload.ts'
import type { CdtResult } from './result.ts'
import { heapSelect, lowerBound, selectRun, upperBound, valueOrder } from './selection.ts'

const Ctx = {
  INDEX: 0,
  RANK: 1,
  KEY: 2,
  VALUE: 3,
  LIST: 0x10,
  MAP: 0x20,
  BASE_MASK: 0x0f,
  CDT_MASK: 0x30,
  CREATE_MASK: 0x1c0,
  CREATE_UNORDERED: 0x40,
  CREATE_UNBOUND: 0x80,
  CREATE_ORDERED: 0xc0,
  PERSIST_INDEX: 0x100,
} as const


export interface CdtOutcome {
  /** The bin's new value (a list or map), when the op changed it. */
  value?: Buffer
  result?: CdtResult
}

interface Frame {
  list?: ListValue
  map?: MapValue
  index: number
  /** Set on the level where a missing element is created: nils to pad with, or the new key. */
  insert?: { pad: number; key?: Buffer }
}

function createOrder(type: number): number {
  return type & Ctx.CREATE_MASK & ~Ctx.PERSIST_INDEX
}

function isMapKeyStep(type: number): boolean {
  return (type & (Ctx.CDT_MASK | Ctx.BASE_MASK)) === (Ctx.MAP | Ctx.KEY)
}

function isListIndexStep(type: number): boolean {
  return (type & (Ctx.CDT_MASK | Ctx.BASE_MASK)) === (Ctx.LIST | Ctx.INDEX)
}

function stepIndex(step: ContextStep): bigint {
  try {
    return readInt64(step.value)
  } catch {
    throw notApplicable('context index is not an integer')
  }
}

function stepKey(step: ContextStep): Buffer {
  try {
    return canonicalValue(step.value)
  } catch {
    throw notApplicable('context key cannot be stored')
  }
}

/** Checks that a step can create the level it names (Aerospike's cdt_context_ctx_type_create_sz). */
function checkCreatable(step: ContextStep, nested: boolean): void {
  const { type } = step
  if (nested && (type & Ctx.PERSIST_INDEX) !== 0) throw notApplicable('persisted index only for the top level')
  if ((type & Ctx.CDT_MASK) === 0 && (type & Ctx.CREATE_MASK) !== 0) throw notApplicable(`invalid context type 0x${type.toString(16)}`)
  if (isMapKeyStep(type)) {
    stepKey(step)
    return
  }
  if (!isListIndexStep(type)) throw notApplicable(`context type 0x${type.toString(16)} cannot create`)
  const index = stepIndex(step)
  if (index < -1n) throw notApplicable(`cannot create at list index ${index}`)
  const order = createOrder(type)
  if (order === Ctx.CREATE_UNBOUND || order === Ctx.CREATE_ORDERED || (type & Ctx.PERSIST_INDEX) !== 0) return
  if (index > 0n) throw notApplicable(`cannot create at list index ${index} without padding`)
}

/** The container a step creates around `inner`. */
function createLevel(step: ContextStep, inner: Buffer): Buffer {
  const order = createOrder(step.type)
  if (isMapKeyStep(step.type)) {
    const flags = order === Ctx.CREATE_ORDERED ? 0x03 : order === Ctx.CREATE_UNBOUND ? 0x01 : 0
    return encodeMap({ flags, keys: [stepKey(step)], values: [inner] })
  }
  const index = stepIndex(step)
  if (order === Ctx.CREATE_ORDERED) return encodeList({ flags: LIST_FLAG_ORDERED, items: [inner] })
  const pad = order === Ctx.CREATE_UNBOUND && index > 0n ? Number(index) : 0
  return encodeList({ flags: 0, items: [...nilPadding(pad), inner] })
}

/** The ordered list's items with the element at `at` moved to where its value belongs. */
function reposition(items: Buffer[], at: number): Buffer[] {
  const element = items[at]!
  const rest = [...items.slice(0, at), ...items.slice(at + 1)]
  const low = lowerBound(rest, element)
  const high = upperBound(rest, element)
  if (at >= low && at <= high) return items
  return [...rest.slice(0, low), element, ...rest.slice(low)]
}

function listChild(list: ListValue, step: ContextStep, create: boolean): Frame | undefined {
  const { items } = list
  const n = items.length
  const ordered = (list.flags & LIST_FLAG_ORDERED) !== 0
  const base = step.type & Ctx.BASE_MASK
  if (base === Ctx.INDEX || (base === Ctx.RANK && ordered)) {
    const index = stepIndex(step)
    const run = selectRun(index, 1n, n, false)
    if (run !== undefined) return { list, index: run.index }
    if (!create) throw notApplicable(`list index ${index} out of bounds for ${n} elements`)
    if ((n === 0 && index === -1n) || index === BigInt(n)) return { list, index: n, insert: { pad: 0 } }
    if (ordered) return { list, index: n, insert: { pad: 0 } }
    if ((step.type & Ctx.CREATE_MASK) === Ctx.CREATE_UNBOUND && index > BigInt(n)) return { list, index: n, insert: { pad: Number(index) - n } }
    throw notApplicable(`list index ${index} out of bounds for ${n} elements`)
  }
  if (base === Ctx.RANK) {
    const run = selectRun(stepIndex(step), 1n, n, false)
    if (run === undefined) throw notApplicable('list rank out of bounds')
    return { list, index: heapSelect(n, run.index, 1, (a, b) => compareElements(items[a]!, items[b]!))[0]! }
  }
  if (base === Ctx.VALUE) {
    const index = ordered ? lowerBound(items, step.value) : items.findIndex((item) => compareElements(item, step.value) === 0)
    if (index < 0 || index >= n || compareElements(items[index]!, step.value) !== 0) throw notApplicable('list value not found')
    return { list, index }
  }
  throw notApplicable('lists have no keys')
}

function mapChild(map: MapValue, step: ContextStep, create: boolean): Frame {
  const n = map.keys.length
  const base = step.type & Ctx.BASE_MASK
  if (base === Ctx.INDEX || base === Ctx.RANK) {
    const run = selectRun(stepIndex(step), 1n, n, false)
    if (run === undefined) throw notApplicable('map index or rank out of bounds')
    return { map, index: base === Ctx.INDEX ? run.index : valueOrder(map.values)[run.index]! }
  }
  if (base === Ctx.KEY) {
    const key = stepKey(step)
    const index = lowerBound(map.keys, key)
    if (index < n && compareElements(map.keys[index]!, key) === 0) return { map, index }
    if (!create) throw notApplicable('map key not found')
    return { map, index, insert: { pad: 0, key } }
  }
  const index = map.values.findIndex((v) => compareElements(v, step.value) === 0)
  if (index < 0) throw notApplicable('map value not found')
  return { map, index }
}

/** Runs the op on the collection `leaf` (undefined: there is none yet) and encodes a change. */
function runLeaf(op: CdtOp, leaf: Buffer | undefined, modify: boolean, topLevel: boolean): CdtOutcome {
  if (isListOp(op.code)) {
    const outcome = applyListOp(op, leaf === undefined ? undefined : decodeList(leaf), modify, topLevel)
    return { value: outcome.list && encodeList(outcome.list), result: outcome.result }
  }
  if (leaf !== undefined && readHead(leaf, 0).kind !== Kind.MAP) throw binTypeError('map op on a value that is not a map')
  const outcome = applyMapOp(op, leaf === undefined ? undefined : decodeMap(leaf), modify)
  return { value: outcome.map && encodeMap(outcome.map), result: outcome.result }
}

function writeBack(frame: Frame, child: Buffer): Buffer {
  if (frame.list !== undefined) {
    const old = frame.list.items
    let items: Buffer[]
    if (frame.insert !== undefined) items = [...old.slice(0, frame.index), ...nilPadding(frame.insert.pad), child, ...old.slice(frame.index)]
    else {
      items = [...old]
      items[frame.index] = child
    }
    const at = frame.insert !== undefined ? frame.index + frame.insert.pad : frame.index
    if ((frame.list.flags & LIST_FLAG_ORDERED) !== 0) items = reposition(items, at)
    return encodeList({ flags: frame.list.flags, items })
  }
  const map = frame.map!
  const keys = [...map.keys]
  const values = [...map.values]
  if (frame.insert?.key !== undefined) {
    keys.splice(frame.index, 0, frame.insert.key)
    values.splice(frame.index, 0, child)
  } else values[frame.index] = child
  return encodeMap({ flags: map.flags, keys, values })
}

/**
 * Applies a parsed CDT op to a bin value (a canonical list or map; undefined when the bin does
 * not exist, which only modify ops may see).
 */
export function runCdtOp(op: CdtOp, root: Buffer | undefined, modify: boolean): CdtOutcome {
  const steps = op.context
  if (steps.length === 0) return runLeaf(op, root, modify, true)
  if (root !== undefined && !(readHead(root, 0).kind === Kind.LIST || readHead(root, 0).kind === Kind.MAP)) {
    throw parameterError('context on a bin that is not a list or map')
  }
  const frames: Frame[] = []
  let current = root
  let createdFrom = -1
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!
    const base = step.type & Ctx.BASE_MASK
    if (base > Ctx.VALUE || ((step.type & Ctx.CDT_MASK) === 0 && (step.type & Ctx.CREATE_MASK) !== 0)) {
      throw notApplicable(`invalid context type 0x${step.type.toString(16)}`)
    }
    const createOn = createOrder(step.type) !== 0
    if (current === undefined) {
      if (!createOn) throw notApplicable('bin is empty and the context does not create')
      checkCreatable(step, false)
      for (let j = i + 1; j < steps.length; j++) checkCreatable(steps[j]!, true)
      createdFrom = i
      break
    }
    const kind = readHead(current, 0).kind
    let frame: Frame | undefined
    if (kind === Kind.LIST) {
      if ((step.type & Ctx.MAP) !== 0) throw notApplicable('map context on a list')
      frame = listChild(decodeList(current), step, createOn)
    } else if (kind === Kind.MAP) {
      if ((step.type & Ctx.LIST) !== 0) throw notApplicable('list context on a map')
      frame = mapChild(decodeMap(current), step, createOn)
    } else {
      throw notApplicable('context leads into a value that is not a list or map')
    }
    frames.push(frame!)
    if (frame!.insert !== undefined) {
      if (!modify) throw notApplicable('context element not found')
      for (let j = i + 1; j < steps.length; j++) checkCreatable(steps[j]!, true)
      createdFrom = i + 1
      break
    }
    current = frame!.list !== undefined ? frame!.list.items[frame!.index]! : frame!.map!.values[frame!.index]!
  }
  const outcome = runLeaf(op, createdFrom >= 0 ? undefined : current, modify, false)
  if (outcome.value === undefined) return { result: outcome.result }
  let child = outcome.value
  if (createdFrom >= 0) {
    for (let j = steps.length - 1; j >= createdFrom; j--) child = createLevel(steps[j]!, child)
  }
  for (let j = frames.length - 1; j >= 0; j--) child = writeBack(frames[j]!, child)
  return { value: child, result: outcome.result }
}
