// Helpers for the CDT tests: op payloads from JS values, bins, and results back as JS values.
import assert from 'node:assert/strict'
import { Double, GeoJson, MsgpackExt, ParticleType, packValue, unpackValue, type Value } from '@aerolite/protocol'
import { commandErrorCode } from '../command-error-code.ts'
import { applyCdtOperation, type CdtApplied, type CdtBin } from '../../../src/ops/cdt/index.ts'

export const WILDCARD = new MsgpackExt(0xff, Buffer.of(0))
export const INF = new MsgpackExt(0xff, Buffer.of(1))

/** An op payload: [code, ...args]. */
export function op(code: number, ...args: Value[]): Buffer {
  return packValue([code, ...args])
}

/** An op payload inside a context: [0xff, [type, value, ...], [code, ...args]]. */
export function ctxOp(context: Value[], code: number, ...args: Value[]): Buffer {
  return packValue([0xff, context, [code, ...args]])
}

export function listBin(items: Value[], ordered = false): CdtBin {
  return { particleType: ParticleType.LIST, value: packValue(ordered ? [new MsgpackExt(1, Buffer.alloc(0)), ...items] : items) }
}

export function mapBin(entries: Array<[Value, Value]>, flags = 0): CdtBin {
  const map = new Map<Value, Value>()
  if (flags !== 0) map.set(new MsgpackExt(flags, Buffer.alloc(0)), null)
  for (const [k, v] of entries) map.set(k, v)
  return { particleType: ParticleType.MAP, value: packValue(map) }
}

/** A result or bin particle as a JS value (lists and maps stay in msgpack order). */
export function particle(p: { particleType: number; value: Buffer } | undefined): unknown {
  if (p === undefined) return undefined
  switch (p.particleType) {
    case ParticleType.INTEGER: return Number(p.value.readBigInt64BE(0))
    case ParticleType.FLOAT: return p.value.readDoubleBE(0)
    case ParticleType.BOOL: return p.value[0] === 1
    case ParticleType.STRING: return p.value.toString('utf8')
    case ParticleType.GEOJSON: return new GeoJson(p.value.subarray(3).toString('utf8'))
    case ParticleType.LIST:
    case ParticleType.MAP: return plain(unpackValue(p.value))
  }
  return p.value
}

/** Maps become arrays of [key, value] pairs (flags entries shown as {flags}), to check order. */
function plain(v: Value): unknown {
  if (Array.isArray(v)) return v.map(plain)
  if (v instanceof Map) return [...v].map(([k, x]) => (k instanceof MsgpackExt ? { flags: k.type } : [plain(k), plain(x)]))
  if (v instanceof MsgpackExt) return { flags: v.type }
  if (v instanceof Double) return v.value
  if (typeof v === 'bigint') return Number(v)
  return v
}

export function apply(bin: CdtBin | undefined, payload: Buffer, mode: 'read' | 'modify' = 'modify'): CdtApplied {
  return applyCdtOperation(bin, payload, mode)
}

export function read(bin: CdtBin | undefined, payload: Buffer): unknown {
  return particle(apply(bin, payload, 'read').result)
}

/** Result and new bin value of a modify op, as JS values. */
export function modify(bin: CdtBin | undefined, payload: Buffer): { result: unknown; bin: unknown } {
  const out = apply(bin, payload, 'modify')
  return { result: particle(out.result), bin: particle(out.bin) }
}

export function assertCode(code: number, fn: () => unknown): void {
  assert.equal(commandErrorCode(fn), code)
}
