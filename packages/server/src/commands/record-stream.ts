// The record messages of scan and query streams, as Aerospike builds them: fields NAMESPACE, DIGEST,
// SET (if any), KEY (if stored) and, for secondary-index queries, the index value (BVAL) the client
// sends back to resume; then the bins, all or the selected ones in the order they were selected.
import { DIGEST_BYTES, FieldType, Info1, MESSAGE_HEADER_BYTES, OpType, ResultCode, writeMessage, type Clock, type Field, type OutOp, type Scheduler } from '@aerolite/protocol'
import type { Namespace } from '../namespace/namespace.ts'
import { readBins, recordKey } from '../record/layout.ts'

export interface BinSelection {
  /** undefined = all bins. */
  binNames: readonly string[] | undefined
  noBins: boolean
}

/** The message for one record, or undefined when none of the selected bins exist (Aerospike sends nothing then). */
export function recordMessage(namespace: Namespace, id: number, selection: BinSelection, bval?: bigint): Buffer | undefined {
  const { buf, at } = namespace.location(id)
  const ops: OutOp[] = []
  if (!selection.noBins) {
    const bins = readBins(buf, at)
    if (selection.binNames === undefined) {
      for (const bin of bins) ops.push({ type: OpType.READ, particleType: bin.particleType, name: bin.name, value: bin.value })
    } else {
      for (const name of selection.binNames) {
        const bin = bins.find((b) => b.name === name)
        if (bin !== undefined) ops.push({ type: OpType.READ, particleType: bin.particleType, name, value: bin.value })
      }
      if (ops.length === 0) return undefined
    }
  }
  const digest = Buffer.allocUnsafe(DIGEST_BYTES)
  namespace.digestInto(id, digest)
  const fields: Field[] = [{ type: FieldType.NAMESPACE, data: Buffer.from(namespace.name) }, { type: FieldType.DIGEST, data: digest }]
  const set = namespace.setOf(id)
  if (set !== undefined) fields.push({ type: FieldType.SET, data: Buffer.from(set.name) })
  const key = recordKey(buf, at)
  if (key !== undefined) fields.push({ type: FieldType.KEY, data: Buffer.concat([Buffer.of(key.particleType), key.bytes]) })
  if (bval !== undefined) {
    const data = Buffer.allocUnsafe(8)
    data.writeBigInt64LE(bval)
    fields.push({ type: FieldType.BVAL_ARRAY, data })
  }
  let size = MESSAGE_HEADER_BYTES
  for (const f of fields) size += 5 + f.data.length
  for (const op of ops) size += 8 + Buffer.byteLength(op.name) + op.value.length
  const out = Buffer.allocUnsafe(size)
  const info1 = selection.noBins ? Info1.NOBINDATA : 0
  writeMessage(out, 0, { info1, info2: 0, info3: 0, info4: 0, resultCode: ResultCode.OK, generation: namespace.generationOf(id), recordTtl: namespace.voidTimeOf(id), transactionTtl: 0 }, fields, ops)
  return out
}

/** Paces a stream to a records-per-second limit (0 = no limit). */
export class Throttle {
  private readonly recordsPerSecond: number
  private readonly clock: Clock
  private readonly startedMs: number
  private count = 0

  constructor(recordsPerSecond: number, clock: Clock) {
    this.recordsPerSecond = recordsPerSecond
    this.clock = clock
    this.startedMs = clock.monotonicMs()
  }

  /** Counts one record; returns how long to wait before the next, in ms (0 = go on). */
  next(): number {
    if (this.recordsPerSecond <= 0) return 0
    this.count++
    const waitMs = this.startedMs + (this.count * 1000) / this.recordsPerSecond - this.clock.monotonicMs()
    return waitMs > 1 ? waitMs : 0
  }
}

export function sleep(scheduler: Scheduler, ms: number): Promise<void> {
  return new Promise((resolve) => scheduler.after(ms, resolve))
}
