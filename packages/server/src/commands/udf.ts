// Record UDFs (client.apply): runs module.function(rec, args...) in the Lua VM against one record,
// then stores what the function changed through the write rules and answers with a SUCCESS bin
// (the return value) or, when the function failed, result 100 and a FAILURE bin (the message).
import { FieldType, Info1, OpType, ParticleType, ResultCode, findField, type Message, type OutOp } from '@aerolite/protocol'
import { readBins } from '../record/layout.ts'
import { UdfRecord } from '../udf/udf-record.ts'
import { msgpackToParticle } from '../udf/particle-msgpack.ts'
import type { UdfRuntime } from '../udf/runtime.ts'
import { recordView } from './apply-ops.ts'
import { CommandError } from '../command-error.ts'
import { checkRecordFilter } from './filter.ts'
import { checkKey } from './read.ts'
import { headerReply, opsReply, type CommandReply } from './reply.ts'
import type { RecordRequest } from './request.ts'
import { commitStore, findRecord, type FoundRecord } from './commit.ts'
import { parseUdfCall, type UdfCall } from './udf-call.ts'

/** What the FAILURE bin says when a function fails with something other than a string. */
const UNEXPECTED_FAILURE = 'result value type unexpected'
const NIL = Buffer.alloc(0)

/** Applies a record UDF and returns the reply; callers make sure the Lua VM is up (dispatch waits for it). */
export function applyUdf(req: RecordRequest, udf: UdfRuntime): CommandReply {
  const call = parseUdfCall(req.message)
  if (call === undefined) return { reply: headerReply(ResultCode.PARAMETER_ERROR) }
  const { namespace } = req
  const found = findRecord(namespace, req.digest, req.partitionId)
  const { liveId } = found
  try {
    if (liveId >= 0) {
      checkKey(req, namespace, liveId)
      checkRecordFilter(req, liveId)
    }
  } catch (err) {
    if (err instanceof CommandError) return { reply: headerReply(err.resultCode, found.generation) }
    throw err
  }
  return runUdf(req, call, found, udf)
}

function runUdf(req: RecordRequest, call: UdfCall, found: FoundRecord, udf: UdfRuntime): CommandReply {
  const { message, namespace } = req
  const view = recordView(req, found.liveId)
  const bins = found.liveId >= 0 ? readBins(namespace.location(found.liveId).buf, namespace.location(found.liveId).at) : []
  const record = new UdfRecord(view, bins, namespace.nowVoidTime(), udf.log)
  const timeLimitMs = message.transactionTtl > 0 ? message.transactionTtl : Number.MAX_SAFE_INTEGER
  const result = udf.apply(call.packageName, call.functionName, call.argList, timeLimitMs, record.serve)
  const unchanged = { resultCode: ResultCode.OK, generation: view.generation, voidTime: view.voidTime }
  if (!result.ok) return { reply: failureReply(message, unchanged, result.message ?? UNEXPECTED_FAILURE) }

  let returned: OutOp
  try {
    returned = successBin(result.value)
  } catch {
    return { reply: failureReply(message, unchanged, UNEXPECTED_FAILURE) }
  }
  if (!record.hasUpdates) return { reply: opsReply(message, unchanged, [returned]) }
  try {
    const change = {
      bins: record.bins,
      wireTtl: record.ttlOverride ?? message.recordTtl,
      key: record.dropKey ? undefined : (req.key ?? view.key),
      startsOver: false,
    }
    const outcome = commitStore(req, found, change, req.origin === 'job' ? 'job' : 'udf')
    namespace.counters.clientWriteSuccess++
    const reply = opsReply(message, { resultCode: ResultCode.OK, generation: outcome.generation, voidTime: outcome.voidTime }, [returned])
    return outcome.settled === undefined ? { reply } : { reply, settled: outcome.settled }
  } catch (err) {
    if (!(err instanceof CommandError)) throw err
    namespace.counters.clientWriteError++
    return { reply: headerReply(err.resultCode, view.generation, view.voidTime) }
  }
}

function successBin(packed: Buffer | undefined): OutOp {
  const particle = packed === undefined ? undefined : msgpackToParticle(packed)
  if (particle === undefined) return { type: OpType.READ, particleType: ParticleType.NULL, name: 'SUCCESS', value: NIL }
  return { type: OpType.READ, particleType: particle.particleType, name: 'SUCCESS', value: particle.value }
}

function failureReply(message: Message, meta: { generation: number; voidTime: number }, text: string): Buffer {
  const failure: OutOp = { type: OpType.READ, particleType: ParticleType.STRING, name: 'FAILURE', value: Buffer.from(text, 'utf8') }
  return opsReply(message, { resultCode: ResultCode.UDF_ERROR!, generation: meta.generation, voidTime: meta.voidTime }, [failure])
}

/** A single-record apply: a keyed message naming a function, with no UDF_OP or UDF_OP 0 (KVS). */
export function isRecordUdf(message: Message): boolean {
  if ((message.info1 & Info1.BATCH) !== 0 || findField(message, FieldType.UDF_FUNCTION) === undefined) return false
  if (findField(message, FieldType.DIGEST) === undefined) return false
  const op = findField(message, FieldType.UDF_OP)
  return op === undefined || (op.length === 1 && op[0] === 0)
}
