// The stored form of a value that arrives from outside (a bin write or a CDT op argument), as
// Aerospike Server rewrites it before storing: integers and headers in their shortest form, no
// wildcard or infinity, map keys only integers, strings or plain blobs, every map sorted by key
// without duplicates (a key-ordered map that arrives unsorted is refused), ordered lists checked,
// and collection flags reduced to the order bits (persisted indexes are never part of the wire form).
import { MsgpackWriter } from '@aerolite/protocol'
import { limits } from '../../limits.ts'
import { Kind, containerElements, readHead } from './element.ts'
import { parameterError } from './errors.ts'
import { compareElements } from './order.ts'
import { encodeList, encodeMap } from './collection.ts'

export const LIST_FLAG_ORDERED = 0x01
export const MAP_FLAG_K_ORDERED = 0x01
export const MAP_FLAGS_MASK = 0x03

const BLOB_PARTICLE = 4

interface Canonical {
  bytes: Buffer
  end: number
}

/** True for the element kinds Aerospike accepts as map keys. */
export function isMapKey(key: Buffer): boolean {
  const h = readHead(key, 0)
  if (h.kind === Kind.INT || h.kind === Kind.NEGINT || h.kind === Kind.STRING) return true
  return h.kind === Kind.BYTES && h.length > 0 && key[h.body] === BLOB_PARTICLE
}

function bytesHeader(marker: number, length: number): Buffer {
  const w = new MsgpackWriter(8)
  const isBin = marker === 0xc4 || marker === 0xc5 || marker === 0xc6
  if (!isBin) {
    w.strHeader(length)
    return w.toBuffer()
  }
  if (length < 0x100) return Buffer.of(0xc4, length)
  if (length < 0x10000) {
    const out = Buffer.alloc(3)
    out[0] = 0xc5
    out.writeUInt16BE(length, 1)
    return out
  }
  const out = Buffer.alloc(5)
  out[0] = 0xc6
  out.writeUInt32BE(length, 1)
  return out
}

function canonicalAt(buf: Buffer, at: number, depth: number): Canonical {
  if (depth > limits.maxMsgpackDepth) throw parameterError('value nested too deep')
  const h = readHead(buf, at)
  switch (h.kind) {
    case Kind.NIL:
    case Kind.FALSE:
    case Kind.TRUE:
      return { bytes: buf.subarray(at, h.body), end: h.body }
    case Kind.INT:
    case Kind.NEGINT: {
      const w = new MsgpackWriter(9)
      w.int(h.int)
      const bytes = w.toBuffer()
      return { bytes: bytes.length === h.body - at ? buf.subarray(at, h.body) : bytes, end: h.body }
    }
    case Kind.DOUBLE:
      return { bytes: buf.subarray(at, h.body), end: h.body }
    case Kind.STRING:
    case Kind.BYTES:
    case Kind.GEOJSON: {
      const end = h.body + h.length
      const header = bytesHeader(buf[at]!, h.length)
      if (header.length === h.body - at) return { bytes: buf.subarray(at, end), end }
      return { bytes: Buffer.concat([header, buf.subarray(h.body, end)]), end }
    }
    case Kind.LIST:
      return canonicalList(buf, h.body, h.count, depth)
    case Kind.MAP:
      return canonicalMap(buf, h.body, h.count, depth)
  }
  throw parameterError('a wildcard, infinity or ext value cannot be stored')
}

function canonicalList(buf: Buffer, body: number, count: number, depth: number): Canonical {
  const elements = containerElements(buf, body, count, false)
  const flags = elements.flags & LIST_FLAG_ORDERED
  const n = elements.count
  let at = elements.at
  const items: Buffer[] = []
  for (let i = 0; i < n; i++) {
    const child = canonicalAt(buf, at, depth + 1)
    if ((flags & LIST_FLAG_ORDERED) !== 0 && i > 0 && compareElements(items[i - 1]!, child.bytes) > 0) {
      throw parameterError('ordered list is not in order')
    }
    items.push(child.bytes)
    at = child.end
  }
  return { bytes: encodeList({ flags, items }), end: at }
}

function canonicalMap(buf: Buffer, body: number, count: number, depth: number): Canonical {
  const elements = containerElements(buf, body, count, true)
  const flags = elements.flags & MAP_FLAGS_MASK
  const n = elements.count
  let at = elements.at
  const entries: Array<{ key: Buffer; value: Buffer }> = []
  let sorted = true
  for (let i = 0; i < n; i++) {
    const key = canonicalAt(buf, at, depth + 1)
    if (!isMapKey(key.bytes)) throw parameterError('map key is not an integer, string or blob')
    const value = canonicalAt(buf, key.end, depth + 1)
    if (i > 0 && compareElements(entries[i - 1]!.key, key.bytes) >= 0) sorted = false
    entries.push({ key: key.bytes, value: value.bytes })
    at = value.end
  }
  if (!sorted) {
    if ((flags & MAP_FLAG_K_ORDERED) !== 0) throw parameterError('key-ordered map is not in key order')
    entries.sort((a, b) => compareElements(a.key, b.key))
  }
  for (let i = 1; i < entries.length; i++) {
    if (compareElements(entries[i - 1]!.key, entries[i]!.key) === 0) throw parameterError('map has duplicate keys')
  }
  return { bytes: encodeMap({ flags, keys: entries.map((e) => e.key), values: entries.map((e) => e.value) }), end: at }
}

/** The stored form of the single element in `buf`; PARAMETER_ERROR if it cannot be stored. */
export function canonicalValue(buf: Buffer): Buffer {
  const c = canonicalAt(buf, 0, 0)
  if (c.end !== buf.length) throw parameterError('bytes after the msgpack value')
  return c.bytes
}
