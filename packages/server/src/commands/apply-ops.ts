// Runs a command's ops in order on a working copy of the record. Reads and writes share this, so
// an operate behaves the same whether or not it modifies anything.
import { Info1, Info2, Info3, OpType, ParticleType, ResultCode, type Message, type Op, type OutOp } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Bin } from '../record/bins.ts'
import { applyConcat, applyIncrement, applyWrite } from '../ops/scalar.ts'
import { READ_OP_TYPES } from '../ops/families.ts'
import type { OpContext, RecordView } from '../ops/op-context.ts'
import { absentRecordView, storedRecordView } from '../ops/record-view.ts'
import { CommandError } from '../command-error.ts'
import type { RecordRequest } from './request.ts'
import { binNames } from '../name-cache.ts'

const NIL = Buffer.alloc(0)

export interface Applied {
  results: OutOp[]
  /** A delete op ran: the record starts over (new set membership, no old bins). */
  deleted: boolean
}

/** The record's metadata as the command found it; liveId -1 = no record. */
export function recordView(req: RecordRequest, liveId: number): RecordView {
  if (liveId < 0) return absentRecordView(req.namespace, req.digest, req.setName, req.key)
  return storedRecordView(req.namespace, liveId, undefined, req.digest)
}

/** True when every op is a plain bin read (the fast path of reads). */
export function onlyPlainReads(message: Message): boolean {
  for (const op of message.ops) if (op.type !== OpType.READ) return false
  return true
}

/** Ops a replace may carry: a replace rebuilds the record, so only plain bin writes make sense. */
function checkReplaceOp(op: Op): void {
  const allowed = op.type === OpType.READ || (op.type === OpType.WRITE && op.particleType !== ParticleType.NULL)
  if (!allowed) throw new CommandError(ResultCode.PARAMETER_ERROR, `op type ${op.type} cannot be part of a replace`)
}

export function applyOps(message: Message, ctx: OpContext): Applied {
  const replacing = (message.info3 & (Info3.CREATE_OR_REPLACE | Info3.REPLACE_ONLY)) !== 0
  const respondAll = (message.info2 & Info2.RESPOND_ALL_OPS) !== 0
  const results: OutOp[] = []
  let deleted = false
  for (const op of message.ops) {
    const name = binNames.decode(op.name)
    if (replacing) checkReplaceOp(op)
    if (ctx.readOnly && !READ_OP_TYPES.has(op.type)) throw new CommandError(ResultCode.PARAMETER_ERROR, `op type ${op.type} writes, in a read command`)
    let result: OutOp | undefined
    switch (op.type) {
      case OpType.READ:
        readInto(results, ctx.bins, name, message.info1, respondAll)
        continue
      case OpType.TOUCH:
        // A touch only needs the record: storing a new version renews generation and TTL.
        if (!ctx.record.exists) throw new CommandError(ResultCode.RECORD_NOT_FOUND)
        break
      case OpType.DELETE:
        ctx.bins = []
        deleted = true
        break
      case OpType.WRITE:
        checkBinName(name)
        applyWrite(ctx.bins, name, op)
        break
      case OpType.INCR:
        checkBinName(name)
        applyIncrement(ctx.bins, name, op)
        break
      case OpType.APPEND:
      case OpType.PREPEND:
        checkBinName(name)
        applyConcat(ctx.bins, name, op, op.type === OpType.PREPEND)
        break
      default: {
        const handler = ctx.ops[op.type]
        if (handler === undefined) throw new CommandError(ResultCode.PARAMETER_ERROR, `unknown op type ${op.type}`)
        if (!READ_OP_TYPES.has(op.type)) checkBinName(name)
        result = handler(ctx, op, name)
      }
    }
    if (result !== undefined) results.push(result)
    else if (respondAll) results.push(nilResult(name, op.type))
  }
  if (ctx.bins.length > limits.maxBinsPerRecord) throw new CommandError(ResultCode.PARAMETER_ERROR, `more than ${limits.maxBinsPerRecord} bins`)
  return { results, deleted }
}

/** The reply of an op without a value: a nil, tagged with the request's op type as the server does. */
function nilResult(name: string, opType: number = OpType.READ): OutOp {
  return { type: opType, particleType: ParticleType.NULL, name, value: NIL }
}

function checkBinName(name: string): void {
  if (Buffer.byteLength(name) > limits.maxBinNameBytes) throw new CommandError(ResultCode.BIN_NAME_TOO_LONG)
  if (name.length === 0) throw new CommandError(ResultCode.PARAMETER_ERROR, 'empty bin name')
}

/** A read inside an operate sees the bins as the preceding ops left them. */
function readInto(results: OutOp[], bins: readonly Bin[], name: string, info1: number, respondAll: boolean): void {
  if (name.length === 0 || (info1 & Info1.GET_ALL) !== 0) {
    for (const bin of bins) results.push({ type: OpType.READ, particleType: bin.particleType, name: bin.name, value: bin.value })
    return
  }
  for (const bin of bins) {
    if (bin.name === name) {
      results.push({ type: OpType.READ, particleType: bin.particleType, name, value: bin.value })
      return
    }
  }
  if (respondAll) results.push(nilResult(name))
}
