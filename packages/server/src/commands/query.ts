// Secondary-index queries: find the index the request means (by name, expression, or bin, type,
// collection and context), walk each requested partition's entries in (index value, digest) order
// from its resume point, test each record against the range, and stream the matches as scans do.
// Aerospike sends no pid-done marker for a walked partition; the client resumes a partition after
// the last (digest, index value) it received.
import { FieldType, Info3, ResultCode, partitionId, type Message } from '@aerolite/protocol'
import { readBins, recordDigest } from '../record/layout.ts'
import { collectionOfField } from '../sindex/collection-field.ts'
import { indexesOf } from '../sindex/namespace-indexes.ts'
import { parseIndexRange, planQuery, type QueryPlan } from '../sindex/query-range.ts'
import type { SecondaryIndex } from '../sindex/secondary-index.ts'
import { streamAggregation } from './aggregate.ts'
import { storedRecordMatches } from './filter.ts'
import { mayContinue, partitionUnavailable, streamStep } from './partition-mastery.ts'
import { parsePartitionRequest, type PartitionRequest, type ResumePoint } from './partition-request.ts'
import { Throttle, recordMessage, sleep } from './record-stream.ts'
import type { CommandContext } from './context.ts'
import type { UdfRuntime } from '../udf/runtime.ts'
import { scanOrder, type ScanControl } from './partition-walk.ts'
import { FrameBatcher, controlMessage } from './stream-frames.ts'

export interface QueryRequest extends PartitionRequest {
  index: SecondaryIndex
  plan: QueryPlan
}

export interface QueryMatch {
  id: number
  bval: bigint
}

/** A number is the result code to end the stream with. */
export function parseQuery(message: Message, commands: CommandContext): QueryRequest | number {
  const base = parsePartitionRequest(message, commands)
  if (typeof base === 'number') return base
  let rangeField: Buffer | undefined
  let name: string | undefined
  let expression: Buffer | undefined
  let context: Buffer | undefined
  let collectionField: Buffer | undefined
  for (const field of message.fields) {
    switch (field.type) {
      case FieldType.INDEX_RANGE: rangeField = field.data; break
      case FieldType.INDEX_NAME: name = field.data.toString('utf8'); break
      case FieldType.INDEX_EXPRESSION: expression = field.data; break
      case FieldType.INDEX_CONTEXT: context = field.data; break
      case FieldType.INDEX_TYPE: collectionField = field.data; break
    }
  }
  // Aerospike needs a range to use an index; an index name alone is a malformed query.
  if (rangeField === undefined) return ResultCode.PARAMETER_ERROR
  const range = parseIndexRange(rangeField)
  if (range === undefined) return ResultCode.PARAMETER_ERROR
  const collection = collectionOfField(collectionField)
  if (collection === undefined) return ResultCode.PARAMETER_ERROR
  const plan = planQuery(range)
  if (plan === undefined) return ResultCode.PARAMETER_ERROR
  const index = indexesOf(base.namespace).find({ name: name === '' ? undefined : name, expression, binName: range.binName, keyType: range.keyType, collection, context })
  if (index === undefined) return ResultCode.INDEX_NOT_FOUND!
  if (!index.readable) return ResultCode.INDEX_NOT_READABLE!
  return { ...base, index, plan }
}

/**
 * The records of one partition that match, in index order, after the resume point; each record once.
 * Built synchronously, so it is consistent; callers re-check a record before using it after a yield.
 */
export function queryPartition(req: QueryRequest, pid: number, resume: ResumePoint | undefined): QueryMatch[] {
  const { index, plan } = req
  if (req.setId === -1) return []
  const after = resume?.bval !== undefined ? { bval: resume.bval, digest: resume.digest } : undefined
  const seen = plan.mayRepeat ? new Set<number>() : undefined
  const out: QueryMatch[] = []
  for (const [lo, hi] of plan.ranges) {
    for (const entry of index.entries.range(pid, lo, hi, after)) {
      if (seen !== undefined) {
        if (seen.has(entry.id)) continue
        seen.add(entry.id)
      }
      if (recordMatches(req, entry.id, pid)) out.push(entry)
    }
  }
  return out
}

/** The record is live, in the partition and set, and one of its indexed values satisfies the range. */
export function recordMatches(req: QueryRequest, id: number, pid: number): boolean {
  const { namespace } = req
  if (!namespace.isLive(id)) return false
  if (req.setId !== undefined && namespace.setIdOf(id) !== req.setId) return false
  const { buf, at } = namespace.location(id)
  const digest = recordDigest(buf, at)
  if (partitionId(digest) !== pid) return false
  const values = req.index.valuesOf(readBins(buf, at), digest)
  if (!values.some((v) => req.plan.matches(v))) return false
  return req.filter === undefined || storedRecordMatches(req.filter, namespace, id)
}

export async function* streamQuery(req: QueryRequest, control: ScanControl, udf: UdfRuntime): AsyncGenerator<Buffer> {
  const { namespace } = req
  if (req.aggregation !== undefined) {
    yield* streamAggregation(req, req.aggregation, (pid, resume) => queryPartition(req, pid, resume), control, udf)
    return
  }
  const batcher = new FrameBatcher()
  const throttle = new Throttle(req.recordsPerSecond, namespace.env.clock)
  let sent = 0
  for (const [pid, resume] of scanOrder(req)) {
    if (req.maxRecords > 0 && sent >= req.maxRecords) break
    let step = streamStep(req, pid, batcher)
    if (typeof step !== 'string') step = await step
    if (step === 'end') {
      yield batcher.take()
      return
    }
    if (step === 'next') continue
    let fresh = true
    for (const match of queryPartition(req, pid, resume)) {
      if (control.aborted()) return
      if (req.maxRecords > 0 && sent >= req.maxRecords) break
      // This node may have stopped serving the partition during a pause: the client resumes it after the last record sent.
      if (!fresh && !mayContinue(req, pid)) {
        batcher.add(partitionUnavailable(pid))
        break
      }
      // Frames were sent since the partition was read: the record may have changed meanwhile.
      if (!fresh && !recordMatches(req, match.id, pid)) continue
      const message = recordMessage(namespace, match.id, req, match.bval)
      if (message === undefined) continue
      batcher.add(message)
      sent++
      if (batcher.full) {
        yield batcher.take()
        fresh = false
      }
      const waitMs = throttle.next()
      if (waitMs > 0) {
        if (batcher.pendingBytes > 0) yield batcher.take()
        fresh = false
        await sleep(namespace.env.scheduler, waitMs)
      }
    }
  }
  batcher.add(controlMessage(Info3.LAST, ResultCode.OK, 0))
  yield batcher.take()
}
