// One road for every AS_MSG: decode the addressing, pick the command by its info bits, run it.
import { FieldType, Info1, Info2, ResultCode, findField, type Message } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import { executeDelete } from './delete.ts'
import { executeRead } from './read.ts'
import { mayTouchOnRead } from './read-touch.ts'
import { headerReply, streamErrorReply, type CommandReply } from './reply.ts'
import { whenSettled, type RecordCommandResult } from './record-result.ts'
import type { CommandContext } from './context.ts'
import { parseRecordRequest, type RecordRequest, type RequestOrigin } from './request.ts'
import type { ScanControl } from './partition-walk.ts'
import { parseScan, streamScan } from './scan.ts'
import { parseQuery, streamQuery } from './query.ts'
import { isBackgroundUdf, startBackgroundJob } from './background-job.ts'
import { isAggregation } from './aggregate.ts'
import { executeWrite } from './write.ts'
import { dispatchBatch } from './batch.ts'
import { applyUdf, isRecordUdf } from './udf.ts'
import type { InFlightChange } from '../namespace/in-flight.ts'
import { shippedVersionLoses } from './xdr-conflict.ts'
import { executeBinMerge } from './xdr-bin-merge.ts'

/** A command answered now; answered later (it queued behind a change of its record); or a stream of frames. */
export type DispatchResult = RecordCommandResult | { stream: (control: ScanControl) => AsyncIterable<Buffer> }

/** Commands that arrive with later work; refused plainly (16) until then. */
function unsupportedKind(message: Message): string | undefined {
  if ((isBackgroundUdf(message) || isAggregation(message)) && isMultiRecord(message)) return undefined
  if (findField(message, FieldType.UDF_FUNCTION) !== undefined || findField(message, FieldType.UDF_OP) !== undefined) return 'UDF'
  return undefined
}

/** Scans and queries carry no digest: they address partitions, not one record. */
function isMultiRecord(message: Message): boolean {
  return findField(message, FieldType.DIGEST) === undefined && findField(message, FieldType.NAMESPACE) !== undefined
}

/** Messages that may run Lua: record UDFs, batches (their rows may) and UDF jobs or aggregations. */
function mayNeedLua(message: Message): boolean {
  return (message.info1 & Info1.BATCH) !== 0 || findField(message, FieldType.UDF_FUNCTION) !== undefined
}

export function dispatchMessage(message: Message, context: CommandContext): DispatchResult {
  if (!context.udf.isReady && mayNeedLua(message)) {
    // Only in the first moments after start: wait for the Lua VM, then take the usual road.
    return {
      stream: async function* (control) {
        await context.udf.ready
        const result = dispatchMessage(message, context)
        if ('stream' in result) yield* result.stream(control)
        else yield (await whenSettled(result)).reply
      },
    }
  }
  if (isRecordUdf(message)) return executeRecordCommand(message, context)
  const unsupported = unsupportedKind(message)
  if (unsupported !== undefined) {
    // Batches, scans and queries end with a LAST message; clients wait for one.
    const streams = isMultiRecord(message) || (message.info1 & Info1.BATCH) !== 0
    const reply = streams ? streamErrorReply(ResultCode.UNSUPPORTED_FEATURE) : headerReply(ResultCode.UNSUPPORTED_FEATURE)
    return { reply, problem: `${unsupported} is not supported yet` }
  }
  if ((message.info1 & Info1.BATCH) !== 0) return dispatchBatch(message, context, executeRecordCommand)
  if (isMultiRecord(message)) return dispatchMultiRecord(message, context)
  return executeRecordCommand(message, context)
}

/** A record command another node forwarded here (a proxy): right after start, a UDF waits for the Lua VM as a client's does. */
export async function executeProxiedCommand(message: Message, context: CommandContext, hops: number): Promise<CommandReply> {
  if (!context.udf.isReady && mayNeedLua(message)) await context.udf.ready
  return whenSettled(executeRecordCommand(message, context, 'client', hops))
}

/** The road of every single-record command, also taken by each row of a batch and each record of a job. */
export function executeRecordCommand(message: Message, context: CommandContext, origin: RequestOrigin = 'client', hops = 0): RecordCommandResult {
  // Transactions need strong-consistency namespaces, which this node does not have.
  if (message.info4 !== 0 || findField(message, FieldType.TXN_ID) !== undefined) {
    return { reply: headerReply(ResultCode.UNSUPPORTED_FEATURE), problem: 'transactions are not supported (no strong-consistency namespaces)' }
  }
  const req = parseRecordRequest(message, context, origin)
  if (typeof req === 'number') return { reply: headerReply(req), problem: req === ResultCode.NAMESPACE_NOT_FOUND ? 'namespace not found' : 'malformed record request' }
  const udf = isRecordUdf(message)
  const write = udf || (message.info2 & Info2.WRITE) !== 0
  // A job's command is routed too: its change is made (and replicated) by the partition's master.
  if (context.routing !== undefined) {
    // A read that may touch its record changes it: it runs where writes run.
    const changes = write || ((message.info1 & Info1.READ) !== 0 && mayTouchOnRead(req))
    const routed = context.routing.route(req, changes, hops, () => whenSettled(executeRecordCommand(message, context, origin, hops)))
    if (routed !== undefined) return routed
  }
  if (write) {
    const inFlight = req.namespace.inFlight.of(req.digest)
    if (inFlight !== undefined) return queueBehind(inFlight, req, context)
  }
  const shipped = write && !udf ? req.shippedVersion : undefined
  if (shipped !== undefined && shipped.bins === undefined && shippedVersionLoses(req, shipped, context.xdrSrcId)) {
    return { reply: headerReply(ResultCode.LOST_CONFLICT) }
  }
  try {
    if (shipped?.bins !== undefined) return executeBinMerge(req, shipped, shipped.bins)
    if (udf) return applyUdf(req, context.udf)
    if ((message.info2 & Info2.WRITE) !== 0) return (message.info2 & Info2.DELETE) !== 0 ? executeDelete(req) : executeWrite(req)
    if ((message.info1 & Info1.READ) !== 0) return executeRead(req)
    return { reply: headerReply(ResultCode.PARAMETER_ERROR), problem: 'message is neither a read nor a write' }
  } catch (err) {
    if (err instanceof CommandError) {
      req.namespace.counters.clientReadError++
      return { reply: headerReply(err.resultCode), problem: err.message }
    }
    // A fault of ours fails this record's command (a lone command or a batch row), not the node.
    return { reply: headerReply(ResultCode.SERVER_ERROR), problem: 'command failed', fault: err }
  }
}

/** A command on a record whose last change has not settled runs once it has, or answers KEY_BUSY past transaction-pending-limit. */
function queueBehind(inFlight: InFlightChange, req: RecordRequest, context: CommandContext): RecordCommandResult {
  const { namespace } = req
  const limit = namespace.config.transactionPendingLimit
  if (limit > 0 && inFlight.waiting >= limit) {
    namespace.counters.failKeyBusy++
    return { reply: headerReply(ResultCode.KEY_BUSY), problem: `more than ${limit} commands wait on one record (transaction-pending-limit)` }
  }
  inFlight.waiting++
  // Entry ids are not kept across the wait (they are recycled): the command runs again from the start.
  return {
    later: inFlight.done.then(() => {
      inFlight.waiting--
      return whenSettled(executeRecordCommand(req.message, context, req.origin))
    }),
  }
}

function dispatchMultiRecord(message: Message, context: CommandContext): DispatchResult {
  if ((message.info2 & Info2.WRITE) !== 0 || isBackgroundUdf(message)) return startBackgroundJob(message, context, executeRecordCommand)
  if (findField(message, FieldType.INDEX_RANGE) !== undefined || findField(message, FieldType.INDEX_NAME) !== undefined) {
    const query = parseQuery(message, context)
    if (typeof query === 'number') return { reply: streamErrorReply(query), problem: 'bad query request' }
    return { stream: (control) => streamQuery(query, control, context.udf) }
  }
  const scan = parseScan(message, context)
  if (typeof scan === 'number') return { reply: streamErrorReply(scan), problem: 'bad scan request' }
  return { stream: (control) => streamScan(scan, control, context.udf) }
}
