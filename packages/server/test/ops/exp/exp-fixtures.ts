// Builds packed expressions and records for the expression tests.
import { Double, GeoJson, MsgpackExt, MsgpackWriter, ParticleType, packValue, unpackValue, type Value } from '@aerolite/protocol'
import { CommandError } from '../../../src/command-error.ts'
import type { Bin } from '../../../src/record/bins.ts'
import type { Namespace } from '../../../src/namespace/namespace.ts'
import type { RecordView } from '../../../src/ops/op-context.ts'
import { compileExpression, runExpression, type ExpRecord, type ExpResult } from '../../../src/ops/exp/index.ts'
import { ExpOp } from '../../../src/ops/exp/opcodes.ts'
import { OP_FAMILIES } from '../../../src/ops/families.ts'

/** A plain msgpack string (bin and variable names), without the particle-type byte of values. */
export class Name {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

export type Tree = Value | Name | Tree[]

function write(writer: MsgpackWriter, tree: Tree): void {
  if (tree instanceof Name) return writer.plainString(tree.text)
  if (Array.isArray(tree)) {
    writer.arrayHeader(tree.length)
    for (const item of tree) write(writer, item)
    return
  }
  writer.raw(packValue(tree))
}

export function pack(tree: Tree): Buffer {
  const writer = new MsgpackWriter()
  write(writer, tree)
  return writer.toBuffer()
}

export const T = { NIL: 0, BOOL: 1, INT: 2, STR: 3, LIST: 4, MAP: 5, BLOB: 6, FLOAT: 7, GEO: 8, HLL: 9 } as const
export const E = ExpOp

export const f = (x: number): Double => new Double(x)
export const bin = (type: number, name: string): Tree => [E.BIN, type, new Name(name)]
export const quote = (list: Value[]): Tree => [E.QUOTE, list]
export const geo = (json: object): GeoJson => new GeoJson(JSON.stringify(json))
export const INF = new MsgpackExt(0xff, Buffer.of(1))
export const WILDCARD = new MsgpackExt(0xff, Buffer.of(0))

export const NOW_MS = Date.UTC(2026, 0, 1)
const CITRUSLEAF_EPOCH_SECONDS = 1262304000

export function intBin(name: string, value: bigint | number): Bin {
  const bytes = Buffer.alloc(8)
  bytes.writeBigInt64BE(BigInt(value))
  return { name, particleType: ParticleType.INTEGER, value: bytes }
}

export function floatBin(name: string, value: number): Bin {
  const bytes = Buffer.alloc(8)
  bytes.writeDoubleBE(value)
  return { name, particleType: ParticleType.FLOAT, value: bytes }
}

export const strBin = (name: string, value: string): Bin => ({ name, particleType: ParticleType.STRING, value: Buffer.from(value) })
export const blobBin = (name: string, value: Buffer): Bin => ({ name, particleType: ParticleType.BLOB, value })
export const boolBin = (name: string, value: boolean): Bin => ({ name, particleType: ParticleType.BOOL, value: Buffer.of(value ? 1 : 0) })
export const listBin = (name: string, value: Value[]): Bin => ({ name, particleType: ParticleType.LIST, value: packValue(value) })
export const mapBin = (name: string, value: Map<Value, Value>): Bin => ({ name, particleType: ParticleType.MAP, value: packValue(value) })
export const geoBin = (name: string, json: object): Bin => {
  const text = Buffer.from(JSON.stringify(json))
  return { name, particleType: ParticleType.GEOJSON, value: Buffer.concat([Buffer.alloc(3), text]) }
}

export interface RecordOptions {
  bins?: Bin[]
  setName?: string
  /** Seconds from NOW_MS; 0 = never expires. */
  ttlSeconds?: number
  lastUpdateMs?: number
  key?: { particleType: number; bytes: Buffer }
  digest?: Buffer
  storedBytes?: number
}

export function record(options: RecordOptions = {}): ExpRecord {
  const nowSeconds = Math.floor(NOW_MS / 1000) - CITRUSLEAF_EPOCH_SECONDS
  const namespace = { nowMs: () => NOW_MS, nowVoidTime: () => nowSeconds } as unknown as Namespace
  const view: RecordView = {
    namespace,
    exists: true,
    digest: options.digest ?? Buffer.alloc(20, 7),
    setName: options.setName ?? 'demo',
    generation: 1,
    voidTime: options.ttlSeconds === undefined || options.ttlSeconds === 0 ? 0 : nowSeconds + options.ttlSeconds,
    lastUpdateMs: options.lastUpdateMs ?? NOW_MS - 1500,
    key: options.key,
    storedBytes: options.storedBytes ?? 100,
  }
  return { view, bins: options.bins ?? [], nowMs: NOW_MS, ops: OP_FAMILIES }
}

/** Compiles and runs an expression tree against a record. */
export function evaluate(tree: Tree, rec: ExpRecord = record()): ExpResult {
  return runExpression(compileExpression(pack(tree)), rec)
}

/** The result as a plain JS value: booleans, bigints, numbers, strings; 'unknown' for UNKNOWN. */
export function evalPlain(tree: Tree, rec: ExpRecord = record()): unknown {
  const result = evaluate(tree, rec)
  switch (result.kind) {
    case 'unknown': return 'unknown'
    case 'nil': return null
    case 'bool': case 'int': case 'float': return result.value
    case 'str': return result.bytes.toString('utf8')
    case 'blob': case 'hll': return result.bytes
    case 'geo': return JSON.parse(result.json.toString('utf8'))
    case 'list': case 'map': case 'msgpack': return unpackValue(result.msgpack)
    case 'remove': return 'remove'
  }
}

/** The result code compiling the tree fails with; undefined when it compiles. */
export function buildError(bytes: Buffer): number | undefined {
  try {
    compileExpression(bytes)
    return undefined
  } catch (err) {
    if (err instanceof CommandError) return err.resultCode
    throw err
  }
}
