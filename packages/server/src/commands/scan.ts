// Primary-index scans ("partition queries" without an index): stream the records of the requested
// partitions in digest order, a pid-done marker after each finished partition, then LAST.
// Records are packed into frames of about streamFrameBytes; the connection awaits the socket
// between frames, so a slow client slows the scan instead of growing a buffer.
import {
  DIGEST_BYTES, FieldType, Info1, Info3, MESSAGE_HEADER_BYTES, OpType, ResultCode,
  partitionId, writeMessage, type Field, type Message, type OutOp,
} from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { readBins, recordKey } from '../record/layout.ts'
import type { NamespaceLookup } from './request.ts'
import { FrameBatcher, controlMessage } from './stream-frames.ts'

export interface ScanRequest {
  message: Message
  namespace: Namespace
  /** undefined = every set; -1 = a set that does not exist (no records match). */
  setId: number | undefined
  setName: string
  /** Partitions to scan from their start. */
  fullPartitions: number[]
  /** Partitions to resume after the given digest. */
  resumeAfter: Map<number, Buffer>
  /** 0 = no limit. */
  maxRecords: number
  /** 0 = no throttle. */
  recordsPerSecond: number
  /** undefined = all bins. */
  binNames: Set<string> | undefined
  noBins: boolean
}

export function parseScan(message: Message, namespaces: NamespaceLookup): ScanRequest | number {
  let namespace: Namespace | undefined
  let setName = ''
  let pids: number[] | undefined
  const resumeAfter = new Map<number, Buffer>()
  let maxRecords = 0
  let recordsPerSecond = 0
  for (const field of message.fields) {
    const d = field.data
    switch (field.type) {
      case FieldType.NAMESPACE:
        namespace = namespaces(d.toString('utf8'))
        if (namespace === undefined) return ResultCode.NAMESPACE_NOT_FOUND
        break
      case FieldType.SET: setName = d.toString('utf8'); break
      case FieldType.PID_ARRAY:
        if (d.length % 2 !== 0) return ResultCode.PARAMETER_ERROR
        pids = []
        for (let i = 0; i < d.length; i += 2) {
          const pid = d.readUInt16LE(i)
          if (pid >= limits.partitions) return ResultCode.PARAMETER_ERROR
          pids.push(pid)
        }
        break
      case FieldType.DIGEST_ARRAY:
        if (d.length % DIGEST_BYTES !== 0) return ResultCode.PARAMETER_ERROR
        for (let i = 0; i < d.length; i += DIGEST_BYTES) {
          const digest = d.subarray(i, i + DIGEST_BYTES)
          resumeAfter.set(partitionId(digest), digest)
        }
        break
      case FieldType.MAX_RECORDS:
        if (d.length !== 8) return ResultCode.PARAMETER_ERROR
        maxRecords = Number(d.readBigUInt64BE(0))
        break
      case FieldType.RECORDS_PER_SECOND:
        if (d.length !== 4) return ResultCode.PARAMETER_ERROR
        recordsPerSecond = d.readUInt32BE(0)
        break
    }
  }
  if (namespace === undefined) return ResultCode.PARAMETER_ERROR
  // No partition list at all means the whole namespace (old-style scans).
  const fullPartitions = pids ?? (resumeAfter.size === 0 ? Array.from({ length: limits.partitions }, (_, i) => i) : [])
  const set = setName === '' ? undefined : namespace.sets.get(setName)
  const setId = setName === '' ? undefined : (set?.id ?? -1)
  const noBins = (message.info1 & Info1.NOBINDATA) !== 0
  let binNames: Set<string> | undefined
  if (!noBins && message.ops.length > 0) {
    binNames = new Set()
    for (const op of message.ops) {
      if (op.type !== OpType.READ) return ResultCode.UNSUPPORTED_FEATURE
      binNames.add(op.name.toString('utf8'))
    }
  }
  return { message, namespace, setId, setName, fullPartitions, resumeAfter, maxRecords, recordsPerSecond, binNames, noBins }
}

export interface ScanControl {
  /** True once the client went away: the scan stops at the next record. */
  aborted(): boolean
}

export async function* streamScan(req: ScanRequest, control: ScanControl): AsyncGenerator<Buffer> {
  const { namespace } = req
  const batcher = new FrameBatcher()
  const startedMs = Date.now()
  let sent = 0
  const partitions: Array<[number, Buffer | undefined]> = [
    ...req.fullPartitions.map((pid): [number, undefined] => [pid, undefined]),
    ...req.resumeAfter,
  ]
  for (const [pid, after] of partitions) {
    if (req.setId !== -1) {
      for (const id of partitionEntries(namespace, pid, after)) {
        if (control.aborted()) return
        if (req.setId !== undefined && namespace.index.setId(id) !== req.setId) continue
        if (req.maxRecords > 0 && sent >= req.maxRecords) break
        batcher.add(recordMessage(req, id))
        sent++
        if (batcher.full) yield batcher.take()
        if (req.recordsPerSecond > 0) {
          const dueMs = startedMs + (sent * 1000) / req.recordsPerSecond
          const waitMs = dueMs - Date.now()
          if (waitMs > 1) {
            if (batcher.pendingBytes > 0) yield batcher.take()
            await new Promise((resolve) => setTimeout(resolve, waitMs))
          }
        }
      }
      // A partition cut short by max-records is not done: the client resumes it next time.
      if (req.maxRecords > 0 && sent >= req.maxRecords) break
    }
    batcher.add(controlMessage(Info3.PARTITION_DONE, ResultCode.OK, pid))
    if (batcher.full) yield batcher.take()
  }
  batcher.add(controlMessage(Info3.LAST, ResultCode.OK, 0))
  yield batcher.take()
}

/** Live entries of a partition in digest order, after the resume digest if one is given. */
function partitionEntries(namespace: Namespace, pid: number, after: Buffer | undefined): number[] {
  const index = namespace.index
  const now = namespace.nowVoidTime()
  const ids = [...index.entriesOf(pid)].filter((id) => {
    const voidTime = index.voidTime(id)
    return (voidTime === 0 || voidTime >= now) && (after === undefined || index.compareDigestTo(id, after) > 0)
  })
  return ids.sort((a, b) => index.compareDigests(a, b))
}

function recordMessage(req: ScanRequest, id: number): Buffer {
  const { namespace } = req
  const index = namespace.index
  const { buf, at } = namespace.location(id)
  const digest = Buffer.allocUnsafe(DIGEST_BYTES)
  index.digestInto(id, digest)
  const fields: Field[] = [{ type: FieldType.NAMESPACE, data: Buffer.from(namespace.name) }]
  const set = namespace.setOf(id)
  if (set !== undefined) fields.push({ type: FieldType.SET, data: Buffer.from(set.name) })
  fields.push({ type: FieldType.DIGEST, data: digest })
  const key = recordKey(buf, at)
  if (key !== undefined) fields.push({ type: FieldType.KEY, data: Buffer.concat([Buffer.of(key.particleType), key.bytes]) })
  const ops: OutOp[] = []
  if (!req.noBins) {
    for (const bin of readBins(buf, at)) {
      if (req.binNames === undefined || req.binNames.has(bin.name)) ops.push({ type: OpType.READ, particleType: bin.particleType, name: bin.name, value: bin.value })
    }
  }
  let size = MESSAGE_HEADER_BYTES
  for (const f of fields) size += 5 + f.data.length
  for (const op of ops) size += 8 + Buffer.byteLength(op.name) + op.value.length
  const out = Buffer.allocUnsafe(size)
  writeMessage(out, 0, { info1: 0, info2: 0, info3: 0, info4: 0, resultCode: ResultCode.OK, generation: index.generation(id), recordTtl: index.voidTime(id), transactionTtl: 0 }, fields, ops)
  return out
}
