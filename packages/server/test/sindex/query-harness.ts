// Secondary-index helpers for tests without sockets: define indexes, build query / scan requests as
// the C client does, run them through dispatchMessage and collect the streamed messages.
import {
  FieldType, Info1, Info2, Info3, OpType, PROTO_HEADER_BYTES, ParticleType, computeDigest, decodeMessage, decodeMessageAt, encodeMessage,
  encodeParticle, emptyHeader, packValue, parseInfoCommand, type Field, type Message, type MessageHeader, type OutOp, type ParticleValue,
  type Value,
} from '@aerolite/protocol'
import { dispatchMessage } from '../../src/commands/dispatch.ts'
import { whenSettled } from '../../src/commands/record-result.ts'
import { commandsOf } from '../commands/harness.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { parseDefinition } from '../../src/sindex/definition.ts'
import { indexesOf } from '../../src/sindex/namespace-indexes.ts'

/** Stores a record with its key (so query replies name it); null deletes a bin. */
export function putRecord(ns: Namespace, key: string, bins: Record<string, ParticleValue>, set = 'demo', header: Partial<MessageHeader> = {}): Message {
  const keyBytes = Buffer.from(key)
  const fields: Field[] = [
    { type: FieldType.NAMESPACE, data: Buffer.from(ns.name) },
    { type: FieldType.SET, data: Buffer.from(set) },
    { type: FieldType.DIGEST, data: computeDigest(set, ParticleType.STRING, keyBytes) },
    { type: FieldType.KEY, data: Buffer.concat([Buffer.of(ParticleType.STRING), keyBytes]) },
  ]
  const ops: OutOp[] = Object.entries(bins).map(([name, v]) => {
    const { type, bytes } = encodeParticle(v)
    return { type: OpType.WRITE, particleType: type, name, value: bytes }
  })
  return single(ns, encodeMessage({ ...emptyHeader(), info2: Info2.WRITE, ...header }, fields, ops))
}

export function removeRecord(ns: Namespace, key: string, set = 'demo'): Message {
  const fields: Field[] = [
    { type: FieldType.NAMESPACE, data: Buffer.from(ns.name) },
    { type: FieldType.SET, data: Buffer.from(set) },
    { type: FieldType.DIGEST, data: computeDigest(set, ParticleType.STRING, Buffer.from(key)) },
  ]
  return single(ns, encodeMessage({ ...emptyHeader(), info2: Info2.WRITE | Info2.DELETE }, fields))
}

export function getRecord(ns: Namespace, key: string, set = 'demo'): Message {
  const fields: Field[] = [
    { type: FieldType.NAMESPACE, data: Buffer.from(ns.name) },
    { type: FieldType.SET, data: Buffer.from(set) },
    { type: FieldType.DIGEST, data: computeDigest(set, ParticleType.STRING, Buffer.from(key)) },
  ]
  return single(ns, encodeMessage({ ...emptyHeader(), info1: Info1.READ | Info1.GET_ALL }, fields))
}

function single(ns: Namespace, body: Buffer): Message {
  const result = dispatchMessage(decodeMessage(body), commandsOf(ns))
  if (!('reply' in result)) throw new Error('expected a single reply')
  return decodeMessage(result.reply.subarray(PROTO_HEADER_BYTES))
}

/** Creates an index from sindex-create parameters (without the namespace); throws on an error reply. */
export function createIndex(ns: Namespace, params: string): void {
  const def = parseDefinition(parseInfoCommand(`sindex-create:namespace=${ns.name};${params}`))
  if (typeof def === 'string') throw new Error(def)
  const outcome = indexesOf(ns).create(def)
  if (!outcome.ok) throw new Error(outcome.message)
}

export interface RangeSpec {
  bin: string
  particleType: number
  begin: Buffer
  end: Buffer
}

export const intRange = (bin: string, lo: bigint | number, hi: bigint | number): RangeSpec => {
  const begin = Buffer.alloc(8)
  begin.writeBigInt64BE(BigInt(lo))
  const end = Buffer.alloc(8)
  end.writeBigInt64BE(BigInt(hi))
  return { bin, particleType: ParticleType.INTEGER, begin, end }
}
export const strEqual = (bin: string, value: string): RangeSpec => ({ bin, particleType: ParticleType.STRING, begin: Buffer.from(value), end: Buffer.from(value) })
export const geoRange = (bin: string, json: object): RangeSpec => ({ bin, particleType: ParticleType.GEOJSON, begin: Buffer.from(JSON.stringify(json)), end: Buffer.from(JSON.stringify(json)) })

export function encodeRange(r: RangeSpec): Buffer {
  const name = Buffer.from(r.bin)
  const head = Buffer.from([1, name.length, ...name, r.particleType])
  const lengths = (b: Buffer): Buffer => {
    const out = Buffer.alloc(4)
    out.writeUInt32BE(b.length)
    return out
  }
  return Buffer.concat([head, lengths(r.begin), r.begin, lengths(r.end), r.end])
}

export function allPids(): Buffer {
  const out = Buffer.alloc(4096 * 2)
  for (let pid = 0; pid < 4096; pid++) out.writeUInt16LE(pid, pid * 2)
  return out
}

export interface QuerySpec {
  set?: string
  range?: RangeSpec
  rangeField?: Buffer
  indexName?: string
  /** 1 list, 2 mapkeys, 3 mapvalues. */
  collection?: number
  context?: Value[]
  maxRecords?: number
  bins?: string[]
  noBins?: boolean
  pids?: Buffer
  digests?: Buffer[]
  bvals?: bigint[]
  extraFields?: Field[]
}

export function queryMessage(spec: QuerySpec, header: Partial<MessageHeader> = {}, ops: OutOp[] = []): Message {
  const fields: Field[] = [{ type: FieldType.NAMESPACE, data: Buffer.from('test') }]
  if (spec.set !== undefined) fields.push({ type: FieldType.SET, data: Buffer.from(spec.set) })
  const task = Buffer.alloc(8)
  task.writeBigUInt64BE(BigInt(Math.floor(Math.random() * 1e12)) + 1n)
  fields.push({ type: FieldType.TASK_ID, data: task })
  if (spec.collection !== undefined) fields.push({ type: FieldType.INDEX_TYPE, data: Buffer.of(spec.collection) })
  if (spec.rangeField !== undefined) fields.push({ type: FieldType.INDEX_RANGE, data: spec.rangeField })
  else if (spec.range !== undefined) fields.push({ type: FieldType.INDEX_RANGE, data: encodeRange(spec.range) })
  if (spec.context !== undefined) fields.push({ type: FieldType.INDEX_CONTEXT, data: packValue(spec.context) })
  if (spec.indexName !== undefined) fields.push({ type: FieldType.INDEX_NAME, data: Buffer.from(spec.indexName) })
  fields.push({ type: FieldType.PID_ARRAY, data: spec.pids ?? (spec.digests === undefined ? allPids() : Buffer.alloc(0)) })
  if (spec.digests !== undefined && spec.digests.length > 0) fields.push({ type: FieldType.DIGEST_ARRAY, data: Buffer.concat(spec.digests) })
  if (spec.bvals !== undefined && spec.bvals.length > 0) {
    const data = Buffer.alloc(spec.bvals.length * 8)
    spec.bvals.forEach((b, i) => data.writeBigInt64LE(b, i * 8))
    fields.push({ type: FieldType.BVAL_ARRAY, data })
  }
  if (spec.maxRecords !== undefined) {
    const data = Buffer.alloc(8)
    data.writeBigUInt64BE(BigInt(spec.maxRecords))
    fields.push({ type: FieldType.MAX_RECORDS, data })
  }
  fields.push(...(spec.extraFields ?? []))
  const readOps: OutOp[] = (spec.bins ?? []).map((name) => ({ type: 1, particleType: 0, name, value: Buffer.alloc(0) }))
  const info1 = Info1.READ | (spec.noBins ? Info1.NOBINDATA : 0)
  const body = encodeMessage({ ...emptyHeader(), info1, info3: Info3.PARTITION_DONE, recordTtl: 0xffffffff, ...header }, fields, ops.length > 0 ? ops : readOps)
  return decodeMessage(body)
}

/** Every message of the reply (a stream or a single reply), in order. */
export async function runStream(ns: Namespace, message: Message): Promise<Message[]> {
  const result = dispatchMessage(message, commandsOf(ns))
  const frames: Buffer[] = []
  if ('stream' in result) for await (const frame of result.stream({ aborted: () => false })) frames.push(frame)
  else frames.push((await whenSettled(result)).reply)
  const out: Message[] = []
  for (const frame of frames) {
    const body = frame.subarray(PROTO_HEADER_BYTES)
    for (let at = 0; at < body.length; ) {
      const { message: m, end } = decodeMessageAt(body, at)
      out.push(m)
      at = end
    }
  }
  return out
}

/** The records of a query's reply (by user key) and its final result code. */
export async function query(ns: Namespace, spec: QuerySpec): Promise<{ keys: string[]; resultCode: number; records: Message[] }> {
  const messages = await runStream(ns, queryMessage(spec))
  const last = messages[messages.length - 1]!
  if ((last.info3 & Info3.LAST) === 0) throw new Error('the stream did not end with LAST')
  const records = messages.filter((m) => (m.info3 & (Info3.LAST | Info3.PARTITION_DONE)) === 0)
  const keys = records.map((m) => m.fields.find((f) => f.type === FieldType.KEY)!.data.subarray(1).toString())
  return { keys: keys.sort(), resultCode: last.resultCode, records }
}

export const backgroundHeader: Partial<MessageHeader> = { info1: 0, info2: Info2.WRITE, info3: 0 }
