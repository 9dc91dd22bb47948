// Background scans and queries: a job that applies write ops (info2 WRITE) or a record UDF (UDF_OP 2)
// to every matching record. The client gets its answer (a LAST message) as soon as the job starts and
// polls query-show for progress. Each record goes through the single-record road exactly like a put
// or an apply naming that record, so generation, TTL, filter and key rules are the same. In a cluster
// the client sends the job to every node, and each walks the partitions it masters (partition-mastery.ts);
// the road routes each record's command like a client's, so its change is made on the partition's
// master (forwarded there if mastership moved during the walk) and replicated.
import { DIGEST_BYTES, FieldType, Info3, OpType, PROTO_HEADER_BYTES, ResultCode, copyMessage, findField, type Field, type Message } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { Job, registerJob, runningJobsOf } from './jobs.ts'
import { partitionTurn, settledTurn, type PartitionTurn } from './partition-mastery.ts'
import { parsePartitionRequest, type PartitionRequest, type ResumePoint } from './partition-request.ts'
import { parseQuery, queryPartition, recordMatches, type QueryRequest } from './query.ts'
import { Throttle, sleep } from './record-stream.ts'
import { headerReply, streamErrorReply } from './reply.ts'
import type { RequestOrigin } from './request.ts'
import type { CommandContext } from './context.ts'
import { whenSettled, type RecordCommandResult } from './record-result.ts'
import { partitionEntries, scanOrder } from './partition-walk.ts'

/** The single-record road (dispatch's executeRecordCommand). */
export type RecordCommand = (message: Message, context: CommandContext, origin: RequestOrigin) => RecordCommandResult

/** UDF_OP value of a background UDF job. */
export const UDF_OP_BACKGROUND = 2

const READ_OPS = new Set<number>([OpType.READ, OpType.CDT_READ, OpType.EXP_READ, OpType.BIT_READ, OpType.HLL_READ])
const UDF_FIELDS = new Set<number>([FieldType.UDF_PACKAGE_NAME, FieldType.UDF_FUNCTION, FieldType.UDF_ARGLIST])

export function isBackgroundUdf(message: Message): boolean {
  const op = findField(message, FieldType.UDF_OP)
  return op !== undefined && op.length === 1 && op[0] === UDF_OP_BACKGROUND
}

export function startBackgroundJob(request: Message, context: CommandContext, executeRecord: RecordCommand): { reply: Buffer; problem?: string } {
  // A job can run for hours: it works on a copy, not on views of the connection's read slab.
  const message = copyMessage(request)
  const isQuery = findField(message, FieldType.INDEX_RANGE) !== undefined || findField(message, FieldType.INDEX_NAME) !== undefined
  const req = isQuery ? parseQuery(message, context) : parsePartitionRequest(message, context)
  if (typeof req === 'number') return { reply: streamErrorReply(req), problem: 'bad background job request' }
  // Aerospike answers NOT_FOUND for an unknown set, not as the last message: the client takes it
  // as a finished job (with LAST it would be an error).
  if (req.setId === -1) return { reply: headerReply(ResultCode.RECORD_NOT_FOUND) }
  const udf = isBackgroundUdf(message)
  if (udf) {
    if (findField(message, FieldType.UDF_PACKAGE_NAME) === undefined || findField(message, FieldType.UDF_FUNCTION) === undefined) {
      return { reply: streamErrorReply(ResultCode.PARAMETER_ERROR), problem: 'background UDF without module or function' }
    }
  } else if (message.ops.length === 0 || message.ops.some((op) => READ_OPS.has(op.type))) {
    return { reply: streamErrorReply(ResultCode.PARAMETER_ERROR), problem: 'background ops must be write ops' }
  }
  // Aerospike refuses a job past its limit of active jobs with FAIL_FORBIDDEN, before starting it.
  if (runningJobsOf(req.namespace) >= limits.maxRunningJobsPerNamespace) {
    return { reply: streamErrorReply(ResultCode.FAIL_FORBIDDEN), problem: `${limits.maxRunningJobsPerNamespace} background jobs already run in namespace ${req.namespace.name}` }
  }
  const job = new Job({
    trid: req.taskId === 0n ? context.newJobId() : req.taskId,
    module: isQuery ? 'query' : 'scan',
    namespace: req.namespace,
    setName: req.setName,
    indexName: isQuery ? (req as QueryRequest).index.def.name : '',
    jobType: udf ? 'background-udf' : 'background-ops',
    recordsPerSecond: req.recordsPerSecond,
    clock: req.namespace.env.clock,
  })
  registerJob(job)
  const walk: Walk = isQuery
    ? { candidates: (pid, resume) => queryPartition(req as QueryRequest, pid, resume).map((m) => m.id), stillMatches: (id, pid) => recordMatches(req as QueryRequest, id, pid) }
    : { candidates: (pid, resume) => scanPartition(req, pid, resume), stillMatches: (id) => req.setId === undefined || req.namespace.setIdOf(id) === req.setId }
  void runJob(job, req, walk, (id) => recordCommand(message, req, id, udf), context, executeRecord)
  return { reply: streamErrorReply(ResultCode.OK) }
}

/** How a job finds its records: per partition, and again for each record when its turn comes. */
interface Walk {
  candidates(pid: number, resume: ResumePoint | undefined): number[]
  stillMatches(id: number, pid: number): boolean
}

function scanPartition(req: PartitionRequest, pid: number, resume: ResumePoint | undefined): number[] {
  const ids = partitionEntries(req.namespace, pid, resume?.digest)
  return req.setId === undefined ? ids : ids.filter((id) => req.namespace.setIdOf(id) === req.setId)
}

/** The command the job runs on one record: the request's write policy, ops or UDF, and filter. */
function recordCommand(message: Message, req: PartitionRequest, id: number, udf: boolean): Message {
  const { namespace } = req
  const digest = Buffer.allocUnsafe(DIGEST_BYTES)
  namespace.digestInto(id, digest)
  const fields: Field[] = [
    { type: FieldType.NAMESPACE, data: Buffer.from(namespace.name) },
    { type: FieldType.SET, data: Buffer.from(namespace.setOf(id)?.name ?? '') },
    { type: FieldType.DIGEST, data: digest },
  ]
  for (const field of message.fields) {
    if (field.type === FieldType.FILTER || (udf && UDF_FIELDS.has(field.type))) fields.push(field)
  }
  return {
    info1: 0,
    info2: message.info2,
    info3: message.info3 & ~(Info3.LAST | Info3.PARTITION_DONE),
    info4: 0,
    resultCode: 0,
    generation: message.generation,
    recordTtl: message.recordTtl,
    transactionTtl: 0,
    fields,
    ops: udf ? [] : message.ops,
  }
}

async function runJob(
  job: Job, req: PartitionRequest, walk: Walk, command: (id: number) => Message, context: CommandContext, executeRecord: RecordCommand,
): Promise<void> {
  const { namespace } = req
  const partitions = scanOrder(req)
  const { clock, scheduler } = namespace.env
  const throttle = new Throttle(req.recordsPerSecond, clock)
  let processed = 0
  let partitionsDone = 0
  try {
    for (const [pid, resume] of partitions) {
      let turn: PartitionTurn | 'timeout' = partitionTurn(req, pid)
      if (turn === 'wait') turn = await settledTurn(req, pid)
      if (turn === 'timeout') {
        job.finish(ResultCode.TIMEOUT)
        return
      }
      // A job's answer is sent already: a partition another node masters is that node's part of the job.
      const ids = turn === 'walk' ? walk.candidates(pid, resume) : []
      // Digests, not entry ids, survive the yields below (an id may be reused by another record).
      const digests = ids.map((id) => {
        const digest = Buffer.allocUnsafe(DIGEST_BYTES)
        namespace.digestInto(id, digest)
        return digest
      })
      for (const digest of digests) {
        if (job.done) return
        if (req.maxRecords > 0 && job.succeeded >= req.maxRecords) break
        const id = namespace.find(digest, pid)
        if (id < 0 || !walk.stillMatches(id, pid)) continue
        const result = executeRecord(command(id), context, 'job')
        // The fast path answers at once; a change that must settle (or a record busy with another) is awaited.
        const { reply } = 'reply' in result && result.settled === undefined ? result : await whenSettled(result)
        const resultCode = reply[PROTO_HEADER_BYTES + 5]
        if (resultCode === ResultCode.OK) job.succeeded++
        else if (resultCode === ResultCode.FILTERED_OUT) job.filtered++
        else if (resultCode !== ResultCode.RECORD_NOT_FOUND) job.failed++
        const waitMs = throttle.next()
        if (waitMs > 0) await sleep(scheduler, waitMs)
        else if (++processed % limits.jobRecordsPerTurn === 0) await scheduler.yieldTurn()
      }
      partitionsDone++
      job.progressPct = (partitionsDone * 100) / Math.max(1, partitions.length)
      if (partitionsDone % limits.nsupPartitionsPerTurn === 0) await scheduler.yieldTurn()
    }
    job.finish()
  } catch {
    // A failure inside the record road is a bug, but it must not take the node down: the job ends.
    job.finish(ResultCode.SERVER_ERROR)
  }
}
