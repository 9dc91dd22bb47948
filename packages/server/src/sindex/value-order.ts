// Equality and Aerospike's CDT ordering of decoded values (nil < bool < int < string < list < map <
// bytes < double < geojson), enough to resolve rank and value contexts of an index.
import { Double, GeoJson, MsgpackExt, TypedBlob, type Value } from '@aerolite/protocol'

function rankOf(v: Value): number {
  if (v === null) return 0
  if (typeof v === 'boolean') return 1
  if (typeof v === 'number') return Number.isInteger(v) ? 2 : 7
  if (typeof v === 'bigint') return 2
  if (typeof v === 'string') return 3
  if (Array.isArray(v)) return 4
  if (v instanceof Map) return 5
  if (Buffer.isBuffer(v) || v instanceof TypedBlob) return 6
  if (v instanceof Double) return 7
  if (v instanceof GeoJson) return 8
  return 9
}

function bytesOf(v: Value): Buffer {
  return Buffer.isBuffer(v) ? v : v instanceof TypedBlob ? v.bytes : Buffer.alloc(0)
}

/** Elements of a list without its ordered-list flag entry. */
export function listItems(list: Value[]): Value[] {
  return list.length > 0 && list[0] instanceof MsgpackExt ? list.slice(1) : list
}

/** Entries of a map without its ordered-map flag entry. */
export function mapEntries(map: Map<Value, Value>): Array<[Value, Value]> {
  return [...map].filter(([k]) => !(k instanceof MsgpackExt))
}

export function compareValues(a: Value, b: Value): number {
  const ra = rankOf(a)
  const rb = rankOf(b)
  if (ra !== rb) return ra - rb
  switch (ra) {
    case 1: return Number(a) - Number(b)
    case 2: {
      const x = BigInt(a as number | bigint)
      const y = BigInt(b as number | bigint)
      return x < y ? -1 : x > y ? 1 : 0
    }
    case 3: return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string))
    case 4: {
      const x = listItems(a as Value[])
      const y = listItems(b as Value[])
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i]!, y[i]!)
        if (c !== 0) return c
      }
      return x.length - y.length
    }
    case 5: {
      const x = mapEntries(a as Map<Value, Value>).sort((p, q) => compareValues(p[0], q[0]))
      const y = mapEntries(b as Map<Value, Value>).sort((p, q) => compareValues(p[0], q[0]))
      if (x.length !== y.length) return x.length - y.length
      for (let i = 0; i < x.length; i++) {
        const c = compareValues(x[i]![0], y[i]![0]) || compareValues(x[i]![1], y[i]![1])
        if (c !== 0) return c
      }
      return 0
    }
    case 6: return Buffer.compare(bytesOf(a), bytesOf(b))
    case 7: {
      const x = a instanceof Double ? a.value : (a as number)
      const y = b instanceof Double ? b.value : (b as number)
      return x - y
    }
    case 8: return (a as GeoJson).json < (b as GeoJson).json ? -1 : (a as GeoJson).json > (b as GeoJson).json ? 1 : 0
  }
  return 0
}

export function valuesEqual(a: Value, b: Value): boolean {
  return compareValues(a, b) === 0
}
