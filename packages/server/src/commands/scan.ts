// Primary-index scans ("partition queries" without an index): stream the live records of the
// requested partitions in digest order, then LAST. Like Aerospike, no pid-done marker is sent for a
// partition that was walked (the client tracks progress by the last digest of each partition); one
// with a result code marks a partition unavailable (in a cluster: one another node masters,
// partition-mastery.ts). Records are packed into frames of about
// streamFrameBytes; the connection awaits the socket between frames, so a slow client slows the
// scan instead of growing a buffer.
import { Info3, ResultCode, type Message } from '@aerolite/protocol'
import { streamAggregation } from './aggregate.ts'
import { storedRecordMatches } from './filter.ts'
import { mayContinue, partitionUnavailable, streamStep } from './partition-mastery.ts'
import { parsePartitionRequest, type PartitionRequest, type ResumePoint } from './partition-request.ts'
import { partitionEntries, scanOrder, type Candidate, type ScanControl } from './partition-walk.ts'
import { Throttle, recordMessage, sleep } from './record-stream.ts'
import type { CommandContext } from './context.ts'
import type { UdfRuntime } from '../udf/runtime.ts'
import { FrameBatcher, controlMessage } from './stream-frames.ts'

/** The filter expression (if any) is part of the partition request: records it rejects are skipped. */
export type ScanRequest = PartitionRequest

export function parseScan(message: Message, context: CommandContext): ScanRequest | number {
  return parsePartitionRequest(message, context)
}

export async function* streamScan(req: ScanRequest, control: ScanControl, udf: UdfRuntime): AsyncGenerator<Buffer> {
  const { namespace } = req
  if (req.aggregation !== undefined) {
    yield* streamAggregation(req, req.aggregation, (pid, resume) => scanCandidates(req, pid, resume), control, udf)
    return
  }
  const batcher = new FrameBatcher()
  const throttle = new Throttle(req.recordsPerSecond, namespace.env.clock)
  let sent = 0
  for (const [pid, after] of scanOrder(req)) {
    if (req.setId === -1) break
    if (req.maxRecords > 0 && sent >= req.maxRecords) break
    let step = streamStep(req, pid, batcher)
    if (typeof step !== 'string') step = await step
    if (step === 'end') {
      yield batcher.take()
      return
    }
    if (step === 'next') continue
    for (const id of partitionEntries(namespace, pid, after?.digest)) {
      if (control.aborted()) return
      if (req.setId !== undefined && namespace.setIdOf(id) !== req.setId) continue
      if (req.filter !== undefined && !storedRecordMatches(req.filter, namespace, id)) continue
      if (req.maxRecords > 0 && sent >= req.maxRecords) break
      const message = recordMessage(namespace, id, req)
      if (message === undefined) continue
      batcher.add(message)
      sent++
      let paused = false
      if (batcher.full) {
        yield batcher.take()
        paused = true
      }
      const waitMs = throttle.next()
      if (waitMs > 0) {
        if (batcher.pendingBytes > 0) yield batcher.take()
        await sleep(namespace.env.scheduler, waitMs)
        paused = true
      }
      // This node may have stopped serving the partition meanwhile: the client resumes it after the last record sent.
      if (paused && !mayContinue(req, pid)) {
        batcher.add(partitionUnavailable(pid))
        break
      }
    }
  }
  batcher.add(controlMessage(Info3.LAST, ResultCode.OK, 0))
  yield batcher.take()
}

/** The records of a partition in the request's set, after the resume point. */
function scanCandidates(req: ScanRequest, pid: number, resume: ResumePoint | undefined): Candidate[] {
  const out: Candidate[] = []
  for (const id of partitionEntries(req.namespace, pid, resume?.digest)) {
    if (req.setId === undefined || req.namespace.setIdOf(id) === req.setId) out.push({ id, bval: undefined })
  }
  return out
}
