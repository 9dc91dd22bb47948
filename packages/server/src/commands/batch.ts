// Batch-index commands: each row becomes an ordinary single-record message and takes the same
// road as a lone get, put, operate or delete (DESIGN.md principle 3). Row replies are tagged with
// their row index and packed into frames; the stream ends with a LAST message.
import {
  DIGEST_BYTES, FieldType, Info1, Info3, PROTO_HEADER_BYTES, ResultCode, compressMessageFrame, findField,
  type Field, type Message, type Op,
} from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { RecordCommand } from './background-job.ts'
import type { DispatchResult } from './dispatch.ts'
import { streamErrorReply, type CommandReply } from './reply.ts'
import { whenSettled } from './record-result.ts'
import type { CommandContext } from './context.ts'
import { FrameBatcher, controlMessage } from './stream-frames.ts'

/** Row type bits (a full row; 0x01 alone is a repeat of the previous full row). */
const RowType = {
  OLD_READ: 0x00,
  REPEAT: 0x01,
  INFO: 0x02,
  GENERATION: 0x04,
  TTL: 0x08,
  INFO4: 0x10,
} as const

/** Parent flag: keep going after a row fails (otherwise the batch stops at the first error). */
const RESPOND_ALL_KEYS = 0x04

export class BatchError extends Error {
  readonly resultCode: number
  constructor(resultCode: number, message: string) {
    super(message)
    this.resultCode = resultCode
  }
}

interface RowTemplate {
  info1: number
  info2: number
  info3: number
  info4: number
  generation: number
  recordTtl: number
  fields: Field[]
  ops: Op[]
}

export interface BatchRow {
  index: number
  message: Message
}

export interface BatchRequest {
  respondAllKeys: boolean
  compress: boolean
  rows: BatchRow[]
}

/** Decodes the BATCH_INDEX field into one single-record message per row. */
export function parseBatch(message: Message): BatchRequest {
  const data = findField(message, FieldType.BATCH_INDEX)
  if (data === undefined) throw new BatchError(ResultCode.PARAMETER_ERROR, 'batch without a BATCH_INDEX field')
  const parentFilter = findField(message, FieldType.FILTER)
  const reader = new RowReader(data)
  const count = reader.u32()
  if (count > limits.maxBatchRows) throw new BatchError(ResultCode.BATCH_MAX_REQUESTS!, `batch of ${count} rows exceeds ${limits.maxBatchRows}`)
  const flags = reader.u8()
  const rows: BatchRow[] = []
  let template: RowTemplate | undefined
  for (let i = 0; i < count; i++) {
    const index = reader.u32()
    const digest = reader.bytes(DIGEST_BYTES)
    const type = reader.u8()
    if (type === RowType.REPEAT) {
      if (template === undefined) throw new BatchError(ResultCode.PARAMETER_ERROR, 'batch starts with a repeat row')
    } else {
      template = reader.template(type, message)
      if (parentFilter !== undefined && !template.fields.some((f) => f.type === FieldType.FILTER)) {
        template.fields.push({ type: FieldType.FILTER, data: parentFilter })
      }
    }
    rows.push({ index, message: rowMessage(template, digest, message.transactionTtl) })
  }
  if (reader.remaining !== 0) throw new BatchError(ResultCode.PARAMETER_ERROR, `${reader.remaining} bytes after the last batch row`)
  return { respondAllKeys: (flags & RESPOND_ALL_KEYS) !== 0, compress: (message.info1 & Info1.COMPRESS_RESPONSE) !== 0, rows }
}

function rowMessage(t: RowTemplate, digest: Buffer, transactionTtl: number): Message {
  return {
    info1: t.info1, info2: t.info2, info3: t.info3, info4: t.info4, resultCode: 0,
    generation: t.generation, recordTtl: t.recordTtl, transactionTtl,
    fields: [...t.fields, { type: FieldType.DIGEST, data: digest }],
    ops: t.ops,
  }
}

class RowReader {
  private readonly data: Buffer
  private at = 0

  constructor(data: Buffer) {
    this.data = data
  }

  get remaining(): number {
    return this.data.length - this.at
  }

  private need(n: number): number {
    if (this.at + n > this.data.length) throw new BatchError(ResultCode.PARAMETER_ERROR, `batch row truncated at byte ${this.at}`)
    const at = this.at
    this.at += n
    return at
  }

  u8(): number {
    return this.data[this.need(1)]!
  }

  u16(): number {
    return this.data.readUInt16BE(this.need(2))
  }

  u32(): number {
    return this.data.readUInt32BE(this.need(4))
  }

  bytes(n: number): Buffer {
    const at = this.need(n)
    return this.data.subarray(at, at + n)
  }

  template(type: number, parent: Message): RowTemplate {
    const t: RowTemplate = { info1: 0, info2: 0, info3: parent.info3 & (Info3.SC_READ_TYPE | Info3.SC_READ_RELAX), info4: 0, generation: 0, recordTtl: 0, fields: [], ops: [] }
    if (type === RowType.OLD_READ) {
      t.info1 = this.u8()
    } else {
      if ((type & ~(RowType.INFO | RowType.GENERATION | RowType.TTL | RowType.INFO4)) !== 0) {
        throw new BatchError(ResultCode.PARAMETER_ERROR, `unknown batch row type 0x${type.toString(16)}`)
      }
      if ((type & RowType.INFO) !== 0) {
        t.info1 = this.u8()
        t.info2 = this.u8()
        t.info3 = this.u8()
      }
      if ((type & RowType.INFO4) !== 0) t.info4 = this.u8()
      if ((type & RowType.GENERATION) !== 0) t.generation = this.u16()
      if ((type & RowType.TTL) !== 0) t.recordTtl = this.u32()
    }
    // Rows never ask for compression: the batch reply as a whole is compressed or not.
    t.info1 &= ~Info1.COMPRESS_RESPONSE
    const nFields = this.u16()
    const nOps = this.u16()
    for (let i = 0; i < nFields; i++) {
      const size = this.u32()
      if (size < 1) throw new BatchError(ResultCode.PARAMETER_ERROR, 'batch row field of size 0')
      const fieldType = this.u8()
      t.fields.push({ type: fieldType, data: this.bytes(size - 1) })
    }
    for (let i = 0; i < nOps; i++) {
      const size = this.u32()
      if (size < 4) throw new BatchError(ResultCode.PARAMETER_ERROR, 'batch row op shorter than its header')
      const opType = this.u8()
      const particleType = this.u8()
      const flags = this.u8()
      const nameBytes = this.u8()
      if (nameBytes > size - 4) throw new BatchError(ResultCode.PARAMETER_ERROR, 'batch row op name longer than the op')
      t.ops.push({ type: opType, particleType, flags, name: this.bytes(nameBytes), value: this.bytes(size - 4 - nameBytes) })
    }
    return t
  }
}

/** The reply message of one row: the single-record reply body with the row index in transaction_ttl. */
function rowBody(row: BatchRow, reply: Buffer): Buffer {
  const body = reply.subarray(PROTO_HEADER_BYTES)
  body.writeUInt32BE(row.index, 14)
  return body
}

/** Results that do not stop a batch even without respond-all-keys. */
const ROUTINE_RESULTS = new Set<number>([ResultCode.OK, ResultCode.RECORD_NOT_FOUND, ResultCode.FILTERED_OUT])

export async function* streamBatch(batch: BatchRequest, context: CommandContext, executeRecord: RecordCommand, aborted: () => boolean): AsyncGenerator<Buffer> {
  const batcher = new FrameBatcher()
  const frame = (): Buffer => {
    const out = batcher.take()
    return batch.compress ? compressMessageFrame(out.subarray(PROTO_HEADER_BYTES)) : out
  }
  let failure: number = ResultCode.OK
  const add = (row: BatchRow, reply: CommandReply): void => {
    const body = rowBody(row, reply.reply)
    batcher.add(body)
    if (failure === ResultCode.OK && !batch.respondAllKeys && !ROUTINE_RESULTS.has(body[5]!)) failure = body[5]!
  }
  // Rows whose change must settle answer at the end (rows of one turn share the namespace's next
  // group commit). Rows answered later (proxied to their master in a cluster, waiting for a view's
  // plans, queued behind a change of their record) run side by side, a bounded number at once; a
  // row of a record with such a row still waiting runs after it, so one record's rows apply in order.
  const settling: Array<{ row: BatchRow; reply: Promise<CommandReply> }> = []
  const waiting: Array<{ row: BatchRow; reply: Promise<CommandReply> }> = []
  const waitingByDigest = new Map<string, Promise<CommandReply>>()
  for (const row of batch.rows) {
    if (aborted()) return
    if (waitingByDigest.size > 0) {
      const before = waitingByDigest.get(digestKey(row))
      if (before !== undefined) await before
    }
    const result = executeRecord(row.message, context, 'client')
    if ('later' in result) {
      const key = digestKey(row)
      const reply = result.later.finally(() => {
        if (waitingByDigest.get(key) === reply) waitingByDigest.delete(key)
      })
      waitingByDigest.set(key, reply)
      waiting.push({ row, reply })
      if (waiting.length < limits.batchRowsWaitingAtOnce) continue
      const oldest = waiting.shift()!
      add(oldest.row, await oldest.reply)
    } else if (result.settled !== undefined) {
      settling.push({ row, reply: whenSettled(result) })
      continue
    } else {
      add(row, result)
    }
    if (batcher.full) yield frame()
    if (failure !== ResultCode.OK) break
  }
  for (const { row, reply } of [...waiting, ...settling]) {
    add(row, await reply)
    if (batcher.full) yield frame()
  }
  batcher.add(controlMessage(Info3.LAST, failure, 0))
  yield frame()
}

/** The row's digest as a map key (rows are parsed with one, so it is there). */
function digestKey(row: BatchRow): string {
  return findField(row.message, FieldType.DIGEST)?.toString('latin1') ?? ''
}

/** Each row takes the single-record road, handed in by dispatch (which imports this module). */
export function dispatchBatch(message: Message, context: CommandContext, executeRecord: RecordCommand): DispatchResult {
  let batch: BatchRequest
  try {
    batch = parseBatch(message)
  } catch (err) {
    if (err instanceof BatchError) return { reply: streamErrorReply(err.resultCode), problem: err.message }
    throw err
  }
  return { stream: (control) => streamBatch(batch, context, executeRecord, control.aborted) }
}
