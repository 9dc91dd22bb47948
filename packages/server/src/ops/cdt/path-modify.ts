// Path rewrite (select with APPLY): every element the last context level selects is replaced by
// the modify expression's value, or removed when it returns REMOVE_RESULT. Collections keep their
// flags; an ordered list whose contents changed is sorted again.
import { ResultCode } from '@aerolite/protocol'
import { CommandError } from '../../command-error.ts'
import { packedValue } from '../exp/index.ts'
import { canonicalValue, LIST_FLAG_ORDERED } from './canonical.ts'
import { decodeList, decodeMap, encodeList, encodeMap } from './collection.ts'
import { binTypeError } from './errors.ts'
import { compareElements } from './order.ts'
import { forEachListChild, forEachMapChild, type LoopElement, type PathEnv } from './path-match.ts'
import type { PathOp } from './path-payload.ts'
import { isCollection, isList } from './path-select.ts'

/** What becomes of one selected leaf: its new bytes, null to remove it, undefined to keep it. */
function rewrite(op: PathOp, env: PathEnv, element: LoopElement): Buffer | null | undefined {
  const result = env.run(op.modify!, element)
  if (result.kind === 'unknown') {
    if (op.noFail) return undefined
    throw new CommandError(ResultCode.SERVER_ERROR, 'the path modify expression answered unknown')
  }
  if (result.kind === 'remove') return null
  const packed = packedValue(result)
  if (packed === undefined) throw binTypeError('the path modify expression has no storable value')
  try {
    return canonicalValue(packed)
  } catch {
    throw binTypeError('the path modify expression has no storable value')
  }
}

/** The collection `value` rewritten from `depth` down; undefined when nothing changed. */
function rewriteLevel(value: Buffer, depth: number, op: PathOp, env: PathEnv): Buffer | undefined {
  const level = op.levels[depth]!
  const leaf = depth === op.levels.length - 1
  if (isList(value)) {
    const list = decodeList(value)
    if (list.items.length === 0) return undefined
    const items: Array<Buffer | null> = [...list.items]
    let changed = false
    forEachListChild(list, level, env, (i) => {
      const child = list.items[i]!
      const next = leaf ? rewrite(op, env, { index: i, value: child }) : isCollection(child) ? rewriteLevel(child, depth + 1, op, env) : undefined
      if (next === undefined) return
      items[i] = next
      changed = true
    })
    if (!changed) return undefined
    const kept = items.filter((item): item is Buffer => item !== null)
    if ((list.flags & LIST_FLAG_ORDERED) !== 0) kept.sort(compareElements)
    return encodeList({ flags: list.flags, items: kept })
  }
  const map = decodeMap(value)
  if (map.keys.length === 0) return undefined
  const values: Array<Buffer | null> = [...map.values]
  let changed = false
  forEachMapChild(map, level, env, (i) => {
    const child = map.values[i]!
    const next = leaf ? rewrite(op, env, { key: map.keys[i]!, value: child }) : isCollection(child) ? rewriteLevel(child, depth + 1, op, env) : undefined
    if (next === undefined) return
    values[i] = next
    changed = true
  })
  if (!changed) return undefined
  const keys = map.keys.filter((_, i) => values[i] !== null)
  return encodeMap({ flags: map.flags, keys, values: values.filter((v): v is Buffer => v !== null) })
}

/** Runs an APPLY on the bin's list or map `root`; the new bin value, or undefined when unchanged. */
export function modifyPath(root: Buffer, op: PathOp, env: PathEnv): Buffer | undefined {
  return rewriteLevel(root, 0, op, env)
}
