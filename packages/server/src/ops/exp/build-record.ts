// What an expression reads from the record: metadata, the user key, bins and bin types, and the
// loop variables of path operations.
import { CITRUSLEAF_EPOCH_SECONDS, ParticleType } from '@aerolite/protocol'
import type { Builder } from './compile.ts'
import { limits } from '../../limits.ts'
import { expressionError } from './cursor.ts'
import { BUILTIN_VAR_COUNT, BUILTIN_VAR_INDEX, ExpOp, ExpType, type ExpTypeCode } from './opcodes.ts'
import type { Compiled, ExpRecord } from './runtime.ts'
import { UNKNOWN, binToValue, boolValue, particleTypeOf, type ExpResult, type ExpValue } from './value.ts'

const NS_PER_MS = 1_000_000n
const NS_PER_SECOND = 1_000_000_000n

const int = (value: number | bigint): ExpValue => ({ kind: 'int', value: BigInt(value) })

/** The metadata ops, by op code: result type and how to read it. */
const META: Readonly<Record<number, [ExpTypeCode, (r: ExpRecord) => ExpValue]>> = {
  // A memory namespace has no device: Aerospike reports 0 there and the stored size as memory size.
  [ExpOp.DEVICE_SIZE]: [ExpType.INT, () => int(0)],
  [ExpOp.MEMORY_SIZE]: [ExpType.INT, (r) => int(r.view.storedBytes)],
  [ExpOp.RECORD_SIZE]: [ExpType.INT, (r) => int(r.view.storedBytes)],
  [ExpOp.LAST_UPDATE]: [ExpType.INT, (r) => int(BigInt(Math.trunc(r.view.lastUpdateMs)) * NS_PER_MS)],
  [ExpOp.SINCE_UPDATE]: [ExpType.INT, (r) => int(Math.max(0, Math.trunc(r.nowMs - r.view.lastUpdateMs)))],
  [ExpOp.VOID_TIME]: [ExpType.INT, (r) => int(r.view.voidTime === 0 ? -1n : BigInt(r.view.voidTime + CITRUSLEAF_EPOCH_SECONDS) * NS_PER_SECOND)],
  [ExpOp.TTL]: [ExpType.INT, (r) => int(ttlSeconds(r))],
  [ExpOp.SET_NAME]: [ExpType.STR, (r) => ({ kind: 'str', bytes: Buffer.from(r.view.setName, 'utf8') })],
  [ExpOp.KEY_EXISTS]: [ExpType.BOOL, (r) => boolValue(r.view.key !== undefined)],
  // Memory namespaces keep no tombstones: every record an expression meets is live.
  [ExpOp.IS_TOMBSTONE]: [ExpType.BOOL, () => boolValue(false)],
}

/** Seconds left to live; -1 for a record that never expires; at least 1 otherwise. */
function ttlSeconds(r: ExpRecord): number {
  if (r.view.voidTime === 0) return -1
  const nowSeconds = Math.floor(r.nowMs / 1000) - CITRUSLEAF_EPOCH_SECONDS
  return Math.max(1, r.view.voidTime - nowSeconds)
}

export function buildMeta(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 0)
  const [type, read] = META[op]!
  return { type, isUnknownOp: false, run: (rt) => read(rt.record) }
}

/** `[DIGEST_MODULO, mod]`: the digest's bytes 16..19 (little-endian) modulo mod. */
export function buildDigestModulo(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const mod = BigInt.asIntN(32, b.cursor.int())
  if (mod === 0n) throw expressionError('DIGEST_MODULO by zero')
  return {
    type: ExpType.INT,
    isUnknownOp: false,
    run: (rt) => int(BigInt(rt.record.view.digest.readUInt32LE(16)) % mod),
  }
}

const KEY_TYPES: Readonly<Partial<Record<number, number>>> = {
  [ExpType.INT]: ParticleType.INTEGER,
  [ExpType.STR]: ParticleType.STRING,
  [ExpType.BLOB]: ParticleType.BLOB,
}

/** `[KEY, type]`: the stored user key; unknown when none is stored or it has another type. */
export function buildKey(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const type = b.cursor.uint()
  const particleType = type < 16n ? KEY_TYPES[Number(type)] : undefined
  if (particleType === undefined) throw expressionError(`KEY of type ${type}`)
  return {
    type: Number(type) as ExpTypeCode,
    isUnknownOp: false,
    run: (rt) => {
      const key = rt.record.view.key
      if (key === undefined || key.particleType !== particleType) return UNKNOWN
      if (particleType === ParticleType.INTEGER && key.bytes.length !== 8) return UNKNOWN
      return binToValue(particleType, key.bytes) ?? UNKNOWN
    },
  }
}

function binName(b: Builder): string {
  const name = b.cursor.rawBytes()
  if (name.length > limits.maxBinNameBytes || name.includes(0)) throw expressionError('invalid bin name')
  return name.toString('utf8')
}

/** `[BIN, type, name]`: the bin's value; unknown when the bin is missing or of another type. */
export function buildBin(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 2)
  const type = b.cursor.uint()
  if (type >= BigInt(ExpType.INPUT_END)) throw expressionError(`BIN of type ${type}`)
  const name = binName(b)
  const particleType = particleTypeOf(Number(type) as ExpTypeCode)
  return {
    type: Number(type) as ExpTypeCode,
    isUnknownOp: false,
    run: (rt) => {
      for (const bin of rt.record.bins) {
        if (bin.name !== name) continue
        if (bin.particleType !== particleType) return UNKNOWN
        return binToValue(bin.particleType, bin.value) ?? UNKNOWN
      }
      return UNKNOWN
    },
  }
}

/** `[BIN_TYPE, name]`: the bin's particle type, 0 when it is missing. */
export function buildBinType(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const name = binName(b)
  return {
    type: ExpType.INT,
    isUnknownOp: false,
    run: (rt) => {
      for (const bin of rt.record.bins) if (bin.name === name) return int(bin.particleType)
      return int(ParticleType.NULL)
    },
  }
}

export function buildRemoveResult(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 0)
  return { type: ExpType.REMOVE, isUnknownOp: false, run: () => ({ kind: 'remove' }) }
}

/** `[LOOPVAR, type, index]`: the current element's key (0), value (1) or index (2) in a path operation. */
export function buildLoopVar(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 2)
  const type = b.cursor.uint()
  const index = b.cursor.uint()
  if (index >= BigInt(BUILTIN_VAR_COUNT)) throw expressionError(`LOOPVAR ${index}`)
  if (index === BigInt(BUILTIN_VAR_INDEX) && type !== BigInt(ExpType.INT)) throw expressionError('LOOPVAR index must be an integer')
  if (type >= BigInt(ExpType.INPUT_END)) throw expressionError(`LOOPVAR of type ${type}`)
  const slot = Number(index)
  const expected = Number(type) as ExpTypeCode
  return {
    type: expected,
    isUnknownOp: false,
    run: (rt) => {
      const value = rt.builtins[slot] ?? UNKNOWN
      return hasType(value, expected) ? value : UNKNOWN
    },
  }
}

function hasType(value: ExpResult, type: ExpTypeCode): boolean {
  switch (type) {
    case ExpType.NIL: return value.kind === 'nil'
    case ExpType.BOOL: return value.kind === 'bool'
    case ExpType.INT: return value.kind === 'int'
    case ExpType.STR: return value.kind === 'str'
    case ExpType.LIST: return value.kind === 'list'
    case ExpType.MAP: return value.kind === 'map'
    case ExpType.BLOB: return value.kind === 'blob'
    case ExpType.FLOAT: return value.kind === 'float'
    case ExpType.GEOJSON: return value.kind === 'geo'
    case ExpType.HLL: return value.kind === 'hll'
  }
  return false
}
