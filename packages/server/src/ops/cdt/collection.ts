// Lists and maps as arrays of their elements' stored bytes, and back. Elements stay the exact
// bytes they were stored as, so untouched elements are written back byte for byte.
import { MsgpackWriter } from '@aerolite/protocol'
import { Kind, containerElements, elementEnd, readHead, type Elements } from './element.ts'
import { binTypeError } from './errors.ts'

export interface ListValue {
  /** 0 unordered, 1 ordered. */
  flags: number
  items: Buffer[]
}

/** Maps are kept sorted by key whatever their flags, as Aerospike stores them. */
export interface MapValue {
  /** 0 unordered, 1 key-ordered, 3 key-value-ordered. */
  flags: number
  keys: Buffer[]
  values: Buffer[]
}

const FLAGS_ENTRY = (flags: number): Buffer => Buffer.of(0xc7, 0x00, flags)
const NIL = Buffer.of(0xc0)

/** The elements of the list or map `buf` holds; BIN_TYPE_ERROR when it holds anything else. */
function elementsOf(buf: Buffer, kind: typeof Kind.LIST | typeof Kind.MAP): Elements {
  const h = readHead(buf, 0)
  if (h.kind !== kind) throw binTypeError(`value is not a ${kind === Kind.MAP ? 'map' : 'list'}`)
  return containerElements(buf, h.body, h.count, kind === Kind.MAP)
}

export function decodeList(buf: Buffer): ListValue {
  const elements = elementsOf(buf, Kind.LIST)
  let { at } = elements
  const items: Buffer[] = []
  for (let i = 0; i < elements.count; i++) {
    const end = elementEnd(buf, at)
    items.push(buf.subarray(at, end))
    at = end
  }
  return { flags: elements.flags, items }
}

export function decodeMap(buf: Buffer): MapValue {
  const elements = elementsOf(buf, Kind.MAP)
  let { at } = elements
  const keys: Buffer[] = []
  const values: Buffer[] = []
  for (let i = 0; i < elements.count; i++) {
    const keyEnd = elementEnd(buf, at)
    const valueEnd = elementEnd(buf, keyEnd)
    keys.push(buf.subarray(at, keyEnd))
    values.push(buf.subarray(keyEnd, valueEnd))
    at = valueEnd
  }
  return { flags: elements.flags, keys, values }
}

function header(count: number, isMap: boolean): Buffer {
  const w = new MsgpackWriter(5)
  if (isMap) w.mapHeader(count)
  else w.arrayHeader(count)
  return w.toBuffer()
}

export function encodeList(list: ListValue): Buffer {
  const parts: Buffer[] = []
  if (list.flags !== 0) parts.push(header(list.items.length + 1, false), FLAGS_ENTRY(list.flags))
  else parts.push(header(list.items.length, false))
  for (const item of list.items) parts.push(item)
  return Buffer.concat(parts)
}

/** A map's bytes; `flags` other than 0 write the leading flags entry (ext + nil). */
export function encodeMap(map: MapValue): Buffer {
  const parts: Buffer[] = []
  if (map.flags !== 0) parts.push(header(map.keys.length + 1, true), FLAGS_ENTRY(map.flags), NIL)
  else parts.push(header(map.keys.length, true))
  for (let i = 0; i < map.keys.length; i++) parts.push(map.keys[i]!, map.values[i]!)
  return Buffer.concat(parts)
}

/** A plain list (no flags) of already-encoded elements: the form of multi-value results. */
export function encodeItems(items: readonly Buffer[]): Buffer {
  return Buffer.concat([header(items.length, false), ...items])
}
