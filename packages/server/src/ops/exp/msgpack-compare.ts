// Expression compares over msgpack values, in Aerospike's value order (ops/cdt/order.ts, shared
// with lists, maps and index contexts). Expressions never fail a command on a bad value: malformed
// or too deeply nested msgpack compares as ERROR, and a map without key order is reported, since
// Aerospike refuses to order such values.
import { MsgpackReader } from '@aerolite/protocol'
import { compareAt, type MapOrderSeen } from '../cdt/order.ts'

export const CompareResult = { LESS: -1, EQUAL: 0, GREATER: 1, ERROR: 2 } as const
export type CompareResultCode = (typeof CompareResult)[keyof typeof CompareResult]

export interface CompareOutcome {
  result: CompareResultCode
  /** A map without key order took part: Aerospike refuses to order such values. */
  unorderedMap: boolean
}

export function compareMsgpack(a: Buffer, aAt: number, b: Buffer, bAt: number): CompareOutcome {
  const seen: MapOrderSeen = { unorderedMap: false }
  let result: CompareResultCode
  try {
    result = compareAt(a, aAt, b, bAt, seen) as CompareResultCode
  } catch {
    result = CompareResult.ERROR
  }
  return { result, unorderedMap: seen.unorderedMap }
}

/** Advances a cursor past one element and returns the end offset; throws on malformed bytes. */
export function skipElement(buf: Buffer, at: number): number {
  const reader = new MsgpackReader(buf, at)
  reader.skip()
  return reader.offset
}
