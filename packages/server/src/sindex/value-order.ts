// Aerospike's value order for decoded values, enough to resolve rank and value contexts of an
// index: each value is packed and compared by the one msgpack order (ops/cdt/order.ts). A value
// is ordered in its stored form (maps sorted by key), as the bins it is compared with are stored.
import { MsgpackExt, packValue, type Value } from '@aerolite/protocol'
import { canonicalValue } from '../ops/cdt/canonical.ts'
import { compareElements } from '../ops/cdt/order.ts'

/** The bytes a value sorts by: its stored form, or as packed when it has none (a wildcard, say). */
function orderBytes(v: Value): Buffer {
  const packed = packValue(v)
  try {
    return canonicalValue(packed)
  } catch {
    return packed
  }
}

export function compareValues(a: Value, b: Value): number {
  return compareElements(orderBytes(a), orderBytes(b))
}

/** A test for values equal to `wanted` in value order (wanted packed once). */
export function equalTo(wanted: Value): (v: Value) => boolean {
  const bytes = orderBytes(wanted)
  return (v) => compareElements(orderBytes(v), bytes) === 0
}

/** The values in value order (each packed once). */
export function sortValues<T>(items: readonly T[], valueOf: (item: T) => Value): T[] {
  const keyed = items.map((item) => ({ item, bytes: orderBytes(valueOf(item)) }))
  keyed.sort((x, y) => compareElements(x.bytes, y.bytes))
  return keyed.map((k) => k.item)
}

/** Elements of a list without its ordered-list flag entry. */
export function listItems(list: Value[]): Value[] {
  return list.length > 0 && list[0] instanceof MsgpackExt ? list.slice(1) : list
}

/** Entries of a map without its ordered-map flag entry. */
export function mapEntries(map: Map<Value, Value>): Array<[Value, Value]> {
  return [...map].filter(([k]) => !(k instanceof MsgpackExt))
}
