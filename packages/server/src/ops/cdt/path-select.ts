// Path select: walks a bin's list or map level by level, following the children each context
// step selects. TREE returns the bin with only the selected branches (scalars met above the
// last level stay, collections drop their order flags); the leaf modes return a flat list of the
// values, keys, or key-value pairs the last level selected.
import { ParticleType } from '@aerolite/protocol'
import { decodeList, decodeMap, encodeItems, encodeList, encodeMap } from './collection.ts'
import { Kind, readHead } from './element.ts'
import { binTypeError } from './errors.ts'
import { forEachListChild, forEachMapChild, type PathEnv } from './path-match.ts'
import { LEAF_KEY_BIT, LEAF_VALUE_BIT, PathMode, type PathOp } from './path-payload.ts'
import type { CdtResult } from './result.ts'

export function isCollection(element: Buffer): boolean {
  const kind = readHead(element, 0).kind
  return kind === Kind.LIST || kind === Kind.MAP
}

export function isList(element: Buffer): boolean {
  return readHead(element, 0).kind === Kind.LIST
}

/** The matching tree of the collection `value` from `depth` down. */
function selectTree(value: Buffer, depth: number, op: PathOp, env: PathEnv): Buffer {
  const level = op.levels[depth]!
  const leaf = depth === op.levels.length - 1
  const below = (child: Buffer): Buffer => (!leaf && isCollection(child) ? selectTree(child, depth + 1, op, env) : child)
  if (isList(value)) {
    const list = decodeList(value)
    // An empty collection keeps its flags: there is nothing to filter.
    if (list.items.length === 0) return encodeList(list)
    const items: Buffer[] = []
    forEachListChild(list, level, env, (i) => items.push(below(list.items[i]!)))
    return encodeItems(items)
  }
  const map = decodeMap(value)
  if (map.keys.length === 0) return encodeMap(map)
  const keys: Buffer[] = []
  const values: Buffer[] = []
  forEachMapChild(map, level, env, (i) => {
    keys.push(map.keys[i]!)
    values.push(below(map.values[i]!))
  })
  return encodeMap({ flags: 0, keys, values })
}

/** Appends what the last level selects under the collection `value` to `out`. */
function selectLeaves(value: Buffer, depth: number, op: PathOp, env: PathEnv, out: Buffer[]): void {
  const level = op.levels[depth]!
  const leaf = depth === op.levels.length - 1
  if (isList(value)) {
    const list = decodeList(value)
    if (list.items.length === 0) return
    if (leaf && (op.mode & LEAF_KEY_BIT) !== 0) {
      if (!op.noFail) throw binTypeError('a list has no map keys to select')
      return
    }
    forEachListChild(list, level, env, (i) => {
      const child = list.items[i]!
      if (!leaf && isCollection(child)) selectLeaves(child, depth + 1, op, env, out)
      else if (leaf) out.push(child)
    })
    return
  }
  const map = decodeMap(value)
  if (map.keys.length === 0) return
  forEachMapChild(map, level, env, (i) => {
    const child = map.values[i]!
    if (!leaf && isCollection(child)) selectLeaves(child, depth + 1, op, env, out)
    else if (leaf) {
      if ((op.mode & LEAF_KEY_BIT) !== 0) out.push(map.keys[i]!)
      if ((op.mode & LEAF_VALUE_BIT) !== 0) out.push(child)
    }
  })
}

/** Runs a select (not APPLY) on the bin's list or map `root`. */
export function selectPath(root: Buffer, op: PathOp, env: PathEnv): CdtResult {
  if (op.mode === PathMode.TREE) {
    return { particleType: isList(root) ? ParticleType.LIST : ParticleType.MAP, value: selectTree(root, 0, op, env) }
  }
  const out: Buffer[] = []
  selectLeaves(root, 0, op, env, out)
  return { particleType: ParticleType.LIST, value: encodeItems(out) }
}
