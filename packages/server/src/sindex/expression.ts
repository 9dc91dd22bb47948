// Expression indexes: the expression is built once with the filter-expression compiler and run on
// each record's bins to give the value the index holds. As Aerospike does, sindex-create refuses an
// expression that reads record metadata other than the digest, reads the user key, reads neither a
// bin nor the digest, or whose type is not what the index holds.
import { GeoJson, MsgpackReader, ParticleType, decodeParticle, type Value } from '@aerolite/protocol'
import type { Namespace } from '../namespace/namespace.ts'
import { ExpType, compileExpression, runExpression, type CompiledExpression, type ExpResult } from '../ops/exp/index.ts'
import { ExpOp } from '../ops/exp/opcodes.ts'
import { OP_FAMILIES } from '../ops/families.ts'
import type { RecordView } from '../ops/op-context.ts'
import type { Bin } from '../record/bins.ts'
import type { CollectionType, KeyType } from './definition.ts'
import type { ExpressionValue } from './keys.ts'

const PARTICLE_OF_KEY_TYPE: Readonly<Record<KeyType, number>> = {
  numeric: ParticleType.INTEGER,
  string: ParticleType.STRING,
  blob: ParticleType.BLOB,
  geo2dsphere: ParticleType.GEOJSON,
}

const PARTICLE_OF_EXP_TYPE: Readonly<Record<number, number>> = {
  [ExpType.NIL]: ParticleType.NULL,
  [ExpType.BOOL]: ParticleType.BOOL,
  [ExpType.INT]: ParticleType.INTEGER,
  [ExpType.STR]: ParticleType.STRING,
  [ExpType.LIST]: ParticleType.LIST,
  [ExpType.MAP]: ParticleType.MAP,
  [ExpType.BLOB]: ParticleType.BLOB,
  [ExpType.FLOAT]: ParticleType.FLOAT,
  [ExpType.GEOJSON]: ParticleType.GEOJSON,
  [ExpType.HLL]: ParticleType.HLL,
}

/** Particle type names as sindex-create's errors print them. */
const PARTICLE_NAMES: Readonly<Record<number, string>> = {
  [ParticleType.NULL]: 'null',
  [ParticleType.INTEGER]: 'numeric',
  [ParticleType.FLOAT]: 'float',
  [ParticleType.STRING]: 'string',
  [ParticleType.BLOB]: 'blob',
  [ParticleType.BOOL]: 'bool',
  [ParticleType.HLL]: 'hll',
  [ParticleType.MAP]: 'map',
  [ParticleType.LIST]: 'list',
  [ParticleType.GEOJSON]: 'geojson',
}

const META_OPS = new Set<number>([
  ExpOp.DEVICE_SIZE, ExpOp.LAST_UPDATE, ExpOp.SINCE_UPDATE, ExpOp.VOID_TIME, ExpOp.TTL, ExpOp.SET_NAME, ExpOp.KEY_EXISTS,
  ExpOp.IS_TOMBSTONE, ExpOp.MEMORY_SIZE, ExpOp.RECORD_SIZE,
])

/** CDT op codes in a CALL that wrap another op. */
const CDT_CONTEXT_EVAL = 0xff
const CDT_SELECT = 0xfe

interface ExpressionUse {
  metadata: boolean
  userKey: boolean
  bins: boolean
  digestModulo: boolean
}

/** Why sindex-create refuses this expression for this index; undefined when it is fine. */
export function expressionProblem(bytes: Buffer, keyType: KeyType, collection: CollectionType): string | undefined {
  let compiled: CompiledExpression
  let use: ExpressionUse
  try {
    compiled = compileExpression(bytes)
    use = { metadata: false, userKey: false, bins: false, digestModulo: false }
    walk(new MsgpackReader(bytes), use)
  } catch {
    return "bad 'exp'"
  }
  if (use.metadata || use.userKey || (!use.bins && !use.digestModulo)) return "bad 'exp'"
  const expected = collection === 'default' ? PARTICLE_OF_KEY_TYPE[keyType] : collection === 'list' ? ParticleType.LIST : ParticleType.MAP
  const actual = PARTICLE_OF_EXP_TYPE[compiled.root.type]
  if (actual === expected) return undefined
  return `bad 'exp' - expression type '${PARTICLE_NAMES[actual ?? -1] ?? 'unknown'}' does not match expected type '${PARTICLE_NAMES[expected]}'`
}

/** Notes what an expression (already known to build) reads. */
function walk(reader: MsgpackReader, use: ExpressionUse): void {
  if (!isArray(reader)) {
    reader.skip()
    return
  }
  const count = reader.readArrayHeader()
  const op = Number(reader.value())
  let args = count - 1
  if (META_OPS.has(op)) use.metadata = true
  else if (op === ExpOp.KEY) use.userKey = true
  else if (op === ExpOp.BIN || op === ExpOp.BIN_TYPE) use.bins = true
  else if (op === ExpOp.DIGEST_MODULO) use.digestModulo = true
  if (op === ExpOp.QUOTE) {
    reader.skip()
    return
  }
  if (op === ExpOp.CALL) {
    reader.skip()
    reader.skip()
    walkCallOp(reader, use)
    args -= 3
  }
  for (let i = 0; i < args; i++) walk(reader, use)
}

/** A CALL's op: its list arguments are sub-expressions. */
function walkCallOp(reader: MsgpackReader, use: ExpressionUse): void {
  const count = reader.readArrayHeader()
  const code = Number(reader.value())
  if (code === CDT_CONTEXT_EVAL) {
    reader.skip()
    walkCallOp(reader, use)
    return
  }
  for (let i = 1; i < count; i++) {
    if (code !== CDT_SELECT && isArray(reader)) walk(reader, use)
    else reader.skip()
  }
}

function isArray(reader: MsgpackReader): boolean {
  const b = reader.peekByte()
  return (b & 0xf0) === 0x90 || b === 0xdc || b === 0xdd
}

/** The value function of an expression index on a namespace; undefined if it does not build. */
export function expressionValueOf(bytes: Buffer, namespace: Namespace): ExpressionValue | undefined {
  let compiled: CompiledExpression
  try {
    compiled = compileExpression(bytes)
  } catch {
    return undefined
  }
  return (bins: readonly Bin[], digest: Buffer): Value | undefined => {
    // Only bins and the digest can matter: sindex-create refused every other kind of metadata.
    const view: RecordView = {
      namespace, exists: true, digest, setName: '', generation: 0, voidTime: 0, lastUpdateMs: 0, key: undefined, storedBytes: 0,
    }
    return indexValue(runExpression(compiled, { view, bins, nowMs: namespace.nowMs(), ops: OP_FAMILIES }))
  }
}

/** The value an index holds for an expression's result; undefined for one it cannot hold. */
function indexValue(result: ExpResult): Value | undefined {
  switch (result.kind) {
    case 'int': return result.value
    case 'str': return result.bytes.toString('utf8')
    case 'blob': return Buffer.from(result.bytes)
    case 'geo': return new GeoJson(result.json.toString('utf8'))
    case 'list':
    case 'map':
      try {
        return decodeParticle(result.kind === 'list' ? ParticleType.LIST : ParticleType.MAP, result.msgpack) as Value
      } catch {
        return undefined
      }
  }
  return undefined
}
