// Aerospike's value order over msgpack elements, the one implementation for lists and maps, the
// expression compares and the contexts of secondary indexes:
// NIL < FALSE < TRUE < negative INT < INT < STRING < LIST < MAP < BYTES < DOUBLE < GEOJSON < INF.
// Integers compare by value, strings and blobs byte-wise (particle type byte first) then by length,
// lists element by element then by length, maps by pair count then pair by pair in stored order
// (stored maps are in key order). A wildcard met on the way makes the whole comparison equal, which
// is how value lookups match [1, *]. Collection flag entries are skipped.
import { limits } from '../../limits.ts'
import { Kind, hasFlagsEntry, readHead, type Head } from './element.ts'
import { parameterError } from './errors.ts'

const WILDCARD_MET = 2
const MAP_FLAG_K_ORDERED = 0x01

interface Cursor {
  buf: Buffer
  at: number
}

/** Notes whether a map without key order took part (expressions refuse to order such values). */
export interface MapOrderSeen {
  unorderedMap: boolean
}

function skipFlags(c: Cursor, count: number, perEntry: number): number {
  if (!hasFlagsEntry(c.buf, count, c.at)) return count
  for (let i = 0; i < perEntry; i++) c.at = endOf(c)
  return count - 1
}

function endOf(c: Cursor): number {
  const probe: Cursor = { buf: c.buf, at: c.at }
  skipOne(probe, 0)
  return probe.at
}

function skipOne(c: Cursor, depth: number): void {
  if (depth > limits.maxMsgpackDepth) throw parameterError('msgpack nesting too deep')
  const h = readHead(c.buf, c.at)
  if (h.kind === Kind.LIST || h.kind === Kind.MAP) {
    c.at = h.body
    const n = h.kind === Kind.MAP ? 2 * h.count : h.count
    for (let i = 0; i < n; i++) skipOne(c, depth + 1)
    return
  }
  c.at = h.body + h.length
}

/** A non-empty map is key-ordered when it opens with a flags entry that says so (a wildcard key counts as ordered). */
function isUnorderedMap(buf: Buffer, h: Head): boolean {
  if (h.kind !== Kind.MAP || h.count === 0) return false
  const first = buf[h.body]
  const isExt = first === 0xc7 || first === 0xc8 || first === 0xc9 || (first !== undefined && first >= 0xd4 && first <= 0xd8)
  return !isExt || (readHead(buf, h.body).extType & MAP_FLAG_K_ORDERED) === 0
}

/** Compares the elements under two cursors; on equality both cursors end past their elements. */
function compareCursors(x: Cursor, y: Cursor, depth: number, seen: MapOrderSeen | undefined): number {
  if (depth > limits.maxMsgpackDepth) throw parameterError('msgpack nesting too deep')
  const hx = readHead(x.buf, x.at)
  const hy = readHead(y.buf, y.at)
  if (seen !== undefined && (isUnorderedMap(x.buf, hx) || isUnorderedMap(y.buf, hy))) seen.unorderedMap = true
  if (hx.kind === Kind.WILDCARD || hy.kind === Kind.WILDCARD) return WILDCARD_MET
  if (hx.kind !== hy.kind) return hx.kind < hy.kind ? -1 : 1
  switch (hx.kind) {
    case Kind.INT:
    case Kind.NEGINT:
      if (hx.int < hy.int) return -1
      if (hx.int > hy.int) return 1
      break
    case Kind.DOUBLE:
      if (hx.double < hy.double) return -1
      if (hx.double > hy.double) return 1
      break
    case Kind.STRING:
    case Kind.BYTES:
    case Kind.GEOJSON:
    case Kind.EXT: {
      const n = Math.min(hx.length, hy.length)
      const c = x.buf.compare(y.buf, hy.body, hy.body + n, hx.body, hx.body + n)
      if (c !== 0) return c
      if (hx.length !== hy.length) return hx.length < hy.length ? -1 : 1
      break
    }
    case Kind.LIST:
    case Kind.MAP: {
      const perEntry = hx.kind === Kind.MAP ? 2 : 1
      x.at = hx.body
      y.at = hy.body
      const nx = skipFlags(x, hx.count, perEntry)
      const ny = skipFlags(y, hy.count, perEntry)
      if (hx.kind === Kind.MAP && nx !== ny) return nx < ny ? -1 : 1
      const common = Math.min(nx, ny) * perEntry
      for (let i = 0; i < common; i++) {
        const r = compareCursors(x, y, depth + 1, seen)
        if (r !== 0) return r
      }
      if (nx !== ny) return nx < ny ? -1 : 1
      return 0
    }
  }
  x.at = hx.body + hx.length
  y.at = hy.body + hy.length
  return 0
}

/**
 * -1, 0 or 1: the order of element `a` (at aAt) against element `b` (at bAt). Throws
 * PARAMETER_ERROR on malformed msgpack or nesting past limits.maxMsgpackDepth. `seen`, when given,
 * learns whether a map without key order took part.
 */
export function compareAt(a: Buffer, aAt: number, b: Buffer, bAt: number, seen?: MapOrderSeen): number {
  const r = compareCursors({ buf: a, at: aAt }, { buf: b, at: bAt }, 0, seen)
  return r === WILDCARD_MET ? 0 : r
}

export function compareElements(a: Buffer, b: Buffer): number {
  return compareAt(a, 0, b, 0)
}
