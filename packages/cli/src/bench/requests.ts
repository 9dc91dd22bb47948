// The requests one command slot sends, encoded once; each use patches only the digest (and key).
import { Info1, Info2, OpType, ParticleType, type OutOp } from '@aerolite/protocol'
import { encodeRecordRequest, type RecordRequest, type RecordRequestSpec } from '@aerolite/client'
import { writeOps, type BinSpec } from './bin-spec.ts'
import type { BenchOptions } from './options.ts'
import type { Random } from './random.ts'

export interface SlotRequests {
  read: RecordRequest
  /** An update (RU, I) or a read-modify-write operate (RMW). */
  write: RecordRequest
}

const INCREMENT_BY_ONE = Buffer.from([0, 0, 0, 0, 0, 0, 0, 1])

export function slotRequests(options: BenchOptions, random: Random): SlotRequests {
  const base: RecordRequestSpec = {
    namespace: options.namespace,
    set: options.set,
    timeoutMs: options.timeoutMs,
  }
  const key = options.sendKey ? { particleType: ParticleType.INTEGER, bytes: Buffer.alloc(8) } : undefined
  const read = encodeRecordRequest({ ...base, info1: Info1.READ | Info1.GET_ALL, key })
  const write = options.workload.kind === 'read-modify-write'
    ? encodeRecordRequest({ ...base, info1: Info1.READ, info2: Info2.WRITE, key, ops: readModifyWriteOps(options.bins, random) })
    : encodeRecordRequest({ ...base, info2: Info2.WRITE, key, ops: writeOps(options.bins, random) })
  return { read, write }
}

/** Integer bins are incremented, the others overwritten, then every bin is read back. */
function readModifyWriteOps(bins: readonly BinSpec[], random: Random): OutOp[] {
  const writes = writeOps(bins, random)
  const modify = writes.map((op, i): OutOp => (bins[i]!.kind === 'integer' ? { ...op, type: OpType.INCR, value: INCREMENT_BY_ONE } : op))
  const reads = bins.map((bin): OutOp => ({ type: OpType.READ, particleType: ParticleType.NULL, name: bin.name, value: Buffer.alloc(0) }))
  return [...modify, ...reads]
}
