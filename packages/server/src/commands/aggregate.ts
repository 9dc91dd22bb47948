// Aggregation: a scan or query naming a stream UDF (UDF_OP 1). The node runs the stream function
// over the matching records in batches of at most maxStreamUdfRecordsPerCall (one Lua call each, so
// every call has the sandbox's budget) and streams what comes out as Aerospike does: one message per
// value, with no fields and a single SUCCESS bin; the client reduces the values of every batch. A
// failing call sends a FAILURE bin with Aerospike's message and ends the stream with result 1.
import {
  DIGEST_BYTES, FieldType, Info1, Info3, MESSAGE_HEADER_BYTES, OpType, ParticleType, ResultCode, encodedOpBytes, findField, writeMessage,
  type Message, type OutOp,
} from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { storedRecordView } from '../ops/record-view.ts'
import { readBins } from '../record/layout.ts'
import { msgpackToParticle } from '../udf/particle-msgpack.ts'
import type { UdfRuntime } from '../udf/runtime.ts'
import { StreamFeed } from '../udf/stream-feed.ts'
import { UdfRecord } from '../udf/udf-record.ts'
import { mayContinue, partitionUnavailable, streamStep } from './partition-mastery.ts'
import type { PartitionRequest, ResumePoint } from './partition-request.ts'
import { Throttle, sleep } from './record-stream.ts'
import { scanOrder, type Candidate, type PartitionWalk, type ScanControl } from './partition-walk.ts'
import { FrameBatcher, controlMessage } from './stream-frames.ts'
import { parseUdfCall, type UdfCall } from './udf-call.ts'

/** UDF_OP value of an aggregation. */
export const UDF_OP_AGGREGATE = 1

const OUTPUT_TOO_BIG = 'aggregation output too big'

export function isAggregation(message: Message): boolean {
  const op = findField(message, FieldType.UDF_OP)
  return op !== undefined && op.length === 1 && op[0] === UDF_OP_AGGREGATE
}

/** The stream function an aggregation names; a number is the result code that refuses it. */
export function parseAggregation(message: Message): UdfCall | number {
  // Aerospike refuses filter expressions (unsupported) and short queries (parameter) here.
  if (findField(message, FieldType.FILTER) !== undefined) return ResultCode.UNSUPPORTED_FEATURE
  if ((message.info1 & Info1.SHORT_QUERY) !== 0) return ResultCode.PARAMETER_ERROR
  return parseUdfCall(message) ?? ResultCode.PARAMETER_ERROR
}

export async function* streamAggregation(req: PartitionRequest, call: UdfCall, walk: PartitionWalk, control: ScanControl, udf: UdfRuntime): AsyncGenerator<Buffer> {
  const batcher = new FrameBatcher()
  // Aerospike answers NOT_FOUND (not as the last message) for a set it does not know; the client
  // takes it as an empty result.
  if (req.setId === -1) {
    batcher.add(controlMessage(0, ResultCode.RECORD_NOT_FOUND, 0))
    yield batcher.take()
    return
  }
  await udf.ready
  const { namespace } = req
  const { clock, scheduler } = namespace.env
  const throttle = new Throttle(req.recordsPerSecond, clock)
  // Throttled streams call in smaller batches, so the pace shows within a second.
  const perCall = req.recordsPerSecond > 0
    ? Math.max(1, Math.min(limits.maxStreamUdfRecordsPerCall, Math.ceil(req.recordsPerSecond / 10)))
    : limits.maxStreamUdfRecordsPerCall
  let turnStartMs = clock.monotonicMs()
  for (const [pid, start] of scanOrder(req)) {
    // In a cluster only the partitions this node masters (partition-mastery.ts).
    let step = streamStep(req, pid, batcher)
    if (typeof step !== 'string') step = await step
    if (step === 'end') {
      yield batcher.take()
      return
    }
    if (step === 'next') continue
    let candidates = walk(pid, start)
    let at = 0
    while (at < candidates.length) {
      if (control.aborted()) return
      const end = Math.min(candidates.length, at + perCall)
      const failure = runBatch(namespace, udf, call, candidates, at, end, batcher)
      if (failure !== undefined) {
        batcher.add(valueMessage('FAILURE', ParticleType.STRING, Buffer.from(failure, 'utf8')))
        batcher.add(controlMessage(Info3.LAST, ResultCode.SERVER_ERROR, 0))
        yield batcher.take()
        return
      }
      let waitMs = 0
      for (let i = at; i < end; i++) waitMs = throttle.next()
      at = end
      if (!batcher.full && waitMs === 0 && clock.monotonicMs() - turnStartMs < limits.maxStreamTurnMs) continue
      // Records may change while the event loop turns: the rest of the partition is read again
      // afterwards, from the last record done.
      const resume = at < candidates.length ? resumeAfter(namespace, candidates[at - 1]!) : undefined
      if (batcher.pendingBytes > 0) yield batcher.take()
      await (waitMs > 0 ? sleep(scheduler, waitMs) : scheduler.yieldTurn())
      turnStartMs = clock.monotonicMs()
      if (resume !== undefined && !mayContinue(req, pid)) {
        batcher.add(partitionUnavailable(pid))
        break
      }
      if (resume !== undefined) {
        candidates = walk(pid, resume)
        at = 0
      }
    }
  }
  batcher.add(controlMessage(Info3.LAST, ResultCode.OK, 0))
  yield batcher.take()
}

function resumeAfter(namespace: Namespace, last: Candidate): ResumePoint {
  const digest = Buffer.allocUnsafe(DIGEST_BYTES)
  namespace.digestInto(last.id, digest)
  return { digest, bval: last.bval }
}

/** Runs the stream function over candidates[from, to); returns the FAILURE message if it failed. */
function runBatch(namespace: Namespace, udf: UdfRuntime, call: UdfCall, candidates: readonly Candidate[], from: number, to: number, batcher: FrameBatcher): string | undefined {
  const nowVoidTime = namespace.nowVoidTime()
  let outputBytes = 0
  const open = (position: number): UdfRecord => {
    const id = candidates[from + position]!.id
    const location = namespace.location(id)
    return new UdfRecord(storedRecordView(namespace, id, location), readBins(location.buf, location.at), nowVoidTime, udf.log)
  }
  const emit = (packed: Buffer): void => {
    const particle = msgpackToParticle(packed)
    const message = particle === undefined ? valueMessage('SUCCESS', ParticleType.NULL, NIL) : valueMessage('SUCCESS', particle.particleType, particle.value)
    outputBytes += message.length
    if (outputBytes > limits.maxStreamUdfOutputBytesPerCall) throw new Error(OUTPUT_TOO_BIG)
    batcher.add(message)
  }
  const feed = new StreamFeed(to - from, open, emit, udf.log)
  const result = udf.applyStream(call.packageName, call.functionName, call.argList, feed.serve)
  return result.ok ? undefined : result.message
}

const NIL = Buffer.alloc(0)
const NO_FIELDS: never[] = []

/** A stream value: no fields, one bin named SUCCESS (or FAILURE, with the error message). */
function valueMessage(name: 'SUCCESS' | 'FAILURE', particleType: number, value: Buffer): Buffer {
  const op: OutOp = { type: OpType.READ, particleType, name, value }
  const out = Buffer.allocUnsafe(MESSAGE_HEADER_BYTES + encodedOpBytes(op))
  writeMessage(out, 0, { info1: 0, info2: 0, info3: 0, info4: 0, resultCode: ResultCode.OK, generation: 0, recordTtl: 0, transactionTtl: 0 }, NO_FIELDS, [op])
  return out
}
