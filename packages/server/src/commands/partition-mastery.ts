// Which partitions a scan, query, aggregation or background job walks on this node. In a cluster
// each record must be walked once across the nodes. Two kinds of request:
//   - a partition list (PID_ARRAY / DIGEST_ARRAY: foreground scans and queries of the official
//     clients). The client asks one node per partition at a time: the master from its map, and after
//     a failure or an unavailable answer the next replica (C as_partition_tracker_part_unavailable and
//     mark_retry_on_error bump the partition's replica index; rack-aware scans, CLIENT-2347, ask a
//     replica first). So a node serves a listed partition it masters or holds a full copy of. Any
//     other is answered with a pid-done marker carrying PARTITION_UNAVAILABLE (11): the tracker
//     retries it, after the last digest it received from it, on another node. This is checked when
//     the partition's walk starts and again whenever the walk goes on after a pause (a frame sent, a
//     throttle wait): a copy that stops serving mid-walk ends the partition there and the client
//     resumes it elsewhere. Never twice, never missed.
//   - the whole namespace (no partition list: background jobs, aggregations, old clients' scans): the
//     client sends it to every node, keeps no partition tracker, and takes a pid-done marker with a
//     result code as a failure of the whole request (C aerospike_query.c reads markers only with a
//     tracker). A node walks only the partitions it masters, skips the others silently, and waits
//     (bounded) on partitions whose mastership is not known yet. Mastership is checked when each
//     partition's walk starts, and a partition started is finished here: if its master moves
//     mid-walk the new master may walk it too, or neither may (these requests carry no resume point).
import { Info3, ResultCode } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { PartitionRequest } from './partition-request.ts'
import { sleep } from './record-stream.ts'
import { controlMessage, type FrameBatcher } from './stream-frames.ts'

/**
 * How this node stands to a partition: 'master' (it acts as the partition's master), 'full-copy' (it
 * holds a full copy, another node is master), 'elsewhere' (no full copy here), 'unsettled' (not
 * known yet: the view's partition plans are being computed, or this node, as master, gathers the
 * partition's copies first).
 */
export type PartitionMastery = 'master' | 'full-copy' | 'elsewhere' | 'unsettled'

/** What the cluster tells multi-record commands; absent on a node that is in no cluster (it masters every partition). */
export interface PartitionOwnership {
  partitionMastery(namespace: string, pid: number): PartitionMastery
}

/** What a walk does with a partition now: walk it, answer it as not done (the client retries it), skip it, or wait for it to settle. */
export type PartitionTurn = 'walk' | 'unavailable' | 'skip' | 'wait'

/** The turn of a partition when its walk is to start. */
export function partitionTurn(req: PartitionRequest, pid: number): PartitionTurn {
  if (req.ownership === undefined) return 'walk'
  const mastery = req.ownership.partitionMastery(req.namespace.name, pid)
  if (req.wholeNamespace) return mastery === 'master' ? 'walk' : mastery === 'unsettled' ? 'wait' : 'skip'
  return servesListed(mastery) ? 'walk' : 'unavailable'
}

/**
 * Whether a partition's walk may go on after a pause. A listed partition stops once this node no
 * longer serves it (the client resumes it elsewhere); a whole-namespace walk finishes what it started.
 */
export function mayContinue(req: PartitionRequest, pid: number): boolean {
  if (req.ownership === undefined || req.wholeNamespace) return true
  return servesListed(req.ownership.partitionMastery(req.namespace.name, pid))
}

/** A full copy holds every acknowledged write of the partition: enough for the one node the client asks. */
function servesListed(mastery: PartitionMastery): boolean {
  return mastery === 'master' || mastery === 'full-copy'
}

/** Waits (bounded by maxWaitForPlanMs) until an unsettled partition is settled: 'walk', 'skip', or 'timeout'. */
export async function settledTurn(req: PartitionRequest, pid: number): Promise<'walk' | 'skip' | 'timeout'> {
  const { clock, scheduler } = req.namespace.env
  const deadline = clock.monotonicMs() + limits.maxWaitForPlanMs
  for (;;) {
    const turn = partitionTurn(req, pid)
    if (turn === 'walk' || turn === 'skip') return turn
    if (clock.monotonicMs() >= deadline) return 'timeout'
    await sleep(scheduler, limits.partitionSettlePollMs)
  }
}

/** What a stream does at the start of a partition: walk it, go on to the next one, or end. */
export type StreamStep = 'walk' | 'next' | 'end'

/**
 * A stream's step at the start of a partition, adding to its frames what the step owes: the pid-done
 * marker of a partition served elsewhere, or the TIMEOUT ending a stream whose partition never
 * settled. A promise only when the partition is unsettled (the usual case costs no wait).
 */
export function streamStep(req: PartitionRequest, pid: number, batcher: FrameBatcher): StreamStep | Promise<StreamStep> {
  const turn = partitionTurn(req, pid)
  if (turn === 'wait') return settledTurn(req, pid).then((settled) => stepOf(settled, pid, batcher))
  return stepOf(turn, pid, batcher)
}

function stepOf(turn: Exclude<PartitionTurn, 'wait'> | 'timeout', pid: number, batcher: FrameBatcher): StreamStep {
  if (turn === 'walk') return 'walk'
  if (turn === 'unavailable') batcher.add(partitionUnavailable(pid))
  if (turn !== 'timeout') return 'next'
  batcher.add(controlMessage(Info3.LAST, ResultCode.TIMEOUT, 0))
  return 'end'
}

/** The pid-done marker that tells the client to retry a partition on another node. */
export function partitionUnavailable(pid: number): Buffer {
  return controlMessage(Info3.PARTITION_DONE, ResultCode.PARTITION_UNAVAILABLE, pid)
}
